"""The live panel on the circle's page (issue 26): who is on the line, mute, remove, mute everyone, end.

It acts through the same functions as the keypad menu, so the requests reach the Twilio stand-in's
Conference Participants API; the checks refuse another circle's call, another facilitator, an organizer.
"""

from __future__ import annotations

from tests.e2e.test_facilitator_pages import csrf, get, post, sign_in
from tests.e2e.test_host_menu import (
    AMINA_SID,
    CONFERENCE,
    HOST_SID,
    ROSA_SID,
    STRANGER_SID,
    app,
    circle,
    meeting,
    standin_twilio,
)
from tests.e2e.test_twilio_voice import FACILITATOR
from tests.helpers import make_circle

__all__ = ["app", "circle", "meeting", "standin_twilio"]
PAGE = "/facilitator/circles/KC42"


def signed_in(app, uow):
    app.config["WTF_CSRF_SSL_STRICT"] = False
    client = app.test_client()
    sign_in(client, uow, FACILITATOR)
    return client


def requests_for(standin, call_sid):
    return [(m, f) for m, conf, c, f in standin.conference.requests if c == call_sid]


def test_the_panel_lists_the_line_and_mutes_one_caller(app, uow, meeting, standin_twilio):
    pages = signed_in(app, uow)
    html = get(pages, PAGE).get_data(as_text=True)
    assert 'id="live"' in html and "On the line now" in html
    panel = get(pages, PAGE + "/live").get_data(as_text=True)
    assert "Amina" in panel and "Rosa" in panel and "+1******0177" in panel and "(facilitator)" in panel
    assert panel.count('name="call"') == 6  # mute and remove for each of the three learners, none for the host
    token = csrf(pages, PAGE)
    response = post(pages, PAGE + "/live/mute", {"call": AMINA_SID, "muted": "1"}, token=token)
    assert response.status_code == 302
    assert requests_for(standin_twilio, AMINA_SID) == [("POST", {"Muted": "true"})]
    assert requests_for(standin_twilio, ROSA_SID) == [] and requests_for(standin_twilio, HOST_SID) == []
    assert "· muted" in get(pages, PAGE + "/live").get_data(as_text=True)
    fetched = post(
        pages,
        PAGE + "/live/mute",
        {"call": AMINA_SID, "muted": "0"},
        token=token,
        headers={"X-Requested-With": "fetch"},
    )
    assert fetched.status_code == 200 and fetched.get_json()["ok"] is True
    assert standin_twilio.conference.muted(CONFERENCE)[AMINA_SID] is False


def test_mute_everyone_remove_and_end_with_confirmation(app, uow, meeting, standin_twilio):
    pages = signed_in(app, uow)
    token = csrf(pages, PAGE)
    assert post(pages, PAGE + "/live/mute-all", {}, token=token).status_code == 302
    assert standin_twilio.conference.muted(CONFERENCE) == {
        HOST_SID: False,
        AMINA_SID: True,
        ROSA_SID: True,
        STRANGER_SID: True,
    }
    assert post(pages, PAGE + "/live/remove", {"call": STRANGER_SID}, token=token).status_code == 302
    assert ("DELETE", {}) in requests_for(standin_twilio, STRANGER_SID)
    assert STRANGER_SID not in standin_twilio.conference.muted(CONFERENCE)
    assert post(pages, PAGE + "/live/end", {}, token=token).status_code == 302  # no tick: nothing ends
    assert standin_twilio.conference.status(CONFERENCE) == "in-progress"
    assert post(pages, PAGE + "/live/end", {"confirm": "yes"}, token=token).status_code == 302
    assert standin_twilio.conference.status(CONFERENCE) == "completed"


def test_a_caller_already_gone_is_a_polite_message(app, uow, meeting, standin_twilio):
    pages = signed_in(app, uow)
    standin_twilio.conference.leave(CONFERENCE, ROSA_SID)
    response = post(pages, PAGE + "/live/remove", {"call": ROSA_SID}, follow_redirects=True)
    assert response.status_code == 200 and "already left the call" in response.get_data(as_text=True)


def test_another_conference_s_call_or_another_facilitator_is_refused(app, uow, meeting, standin_twilio):
    pages = signed_in(app, uow)
    token = csrf(pages, PAGE)
    for sid in ("CAnot-on-the-line", "CA" + "0" * 32):
        assert post(pages, PAGE + "/live/mute", {"call": sid, "muted": "1"}, token=token).status_code == 404
    assert post(pages, PAGE + "/live/mute", {"muted": "1"}, token=token).status_code == 400
    # Another facilitator's circle: its page is a 404 for this facilitator, and so is every action there.
    make_circle(uow, code="ZZ99", facilitator="+18165550111")
    assert post(pages, "/facilitator/circles/ZZ99/live/mute-all", {}, token=token).status_code == 404
    assert get(pages, "/facilitator/circles/ZZ99/live").status_code == 404
    # Another facilitator signed in cannot act on this circle.
    stranger_pages = app.test_client()
    sign_in(stranger_pages, uow, "+18165550111")
    assert post(stranger_pages, PAGE + "/live/end", {"confirm": "yes"}).status_code == 404
    assert standin_twilio.conference.requests == []


def test_an_organizer_sees_the_line_but_cannot_act(app, uow, meeting, standin_twilio):
    from datetime import datetime, timezone

    from bot.domain import roles

    now = datetime.now(timezone.utc)
    with uow() as db:
        roles.add_facilitator(db, FACILITATOR, now, team_name="Kansas City Public Library")
        roles.add_organizer(db, "+18165550122", "Kansas City Public Library", now)
        db.commit()
    app.config["WTF_CSRF_SSL_STRICT"] = False
    organizer = app.test_client()
    sign_in(organizer, uow, "+18165550122")
    panel = get(organizer, PAGE + "/live").get_data(as_text=True)
    assert "Amina" in panel and 'name="call"' not in panel and "Mute everyone" not in panel
    token = csrf(organizer, PAGE)
    assert post(organizer, PAGE + "/live/mute-all", {}, token=token).status_code == 403
    assert post(organizer, PAGE + "/live/end", {"confirm": "yes"}, token=token).status_code == 403
    assert standin_twilio.conference.requests == []
