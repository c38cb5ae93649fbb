"""The facilitator's host menu on a conference call (issue 26), end to end on both backends.

Signed Twilio requests drive the real webhooks; the mutes, removals and the end go through the twilio
SDK to the local Twilio stand-in's Conference Participants API (tests/standin/twilio_conference.py).
"""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from bot.store.models import Attendance, CallMute, HeldMeeting, Meeting
from tests.e2e.test_twilio_voice import (
    FACILITATOR,
    FIRST_MEETING,
    LEARNER,
    STRANGER,
    circle,
    dial_in,
    enroll,
    runner_env,
    says,
)
from tests.helpers import BASE_URL, post_signed, sign, test_app

__all__ = ["circle", "runner_env"]  # fixtures shared with test_twilio_voice
ROSA = "+18165550123"
HOST_SID, AMINA_SID, ROSA_SID, STRANGER_SID = "CAhost01", "CAamina01", "CArosa01", "CAstranger01"
CONFERENCE = "CF" + "a1" * 16


@pytest.fixture
def standin_twilio():
    from tests.standin import TwilioStandIn

    with TwilioStandIn() as running:
        yield running


@pytest.fixture
def app(backend, tmp_path, standin_twilio):
    """The app with Twilio credentials, its REST calls going to the stand-in."""
    app = test_app(backend, tmp_path, TWILIO_ACCOUNT_SID="AC" + "0" * 32, TWILIO_API_BASE=standin_twilio.url)
    yield app
    app.extensions["circlebot"].uow.engine.dispose()


def post(client, path: str, sid: str, status: int = 200, **form):
    """A signed request from Twilio for call ``sid``; the TwiML's root (or None for an error status)."""
    params = {"AccountSid": "AC" + "0" * 32, "CallSid": sid, "CallStatus": "in-progress", **form}
    response = post_signed(client, path, params)
    assert response.status_code == status, response.get_data(as_text=True)
    return ET.fromstring(response.get_data(as_text=True)) if status == 200 else None


def event(client, room: str, name: str, sid: str = "", seq: int = 1, minutes: int = 0):
    when = FIRST_MEETING + timedelta(minutes=minutes)
    params = {
        "AccountSid": "AC" + "0" * 32,
        "ConferenceSid": CONFERENCE,
        "FriendlyName": room,
        "StatusCallbackEvent": name,
        "SequenceNumber": str(seq),
        "Timestamp": when.strftime("%a, %d %b %Y %H:%M:%S +0000"),
        **({"CallSid": sid} if sid else {}),
    }
    assert post_signed(client, "/twilio/conference", params).status_code == 204


def relative(url: str) -> str:
    assert url.startswith(BASE_URL)
    return url[len(BASE_URL) :]


@pytest.fixture
def meeting(client, circle, uow, standin_twilio):
    """The facilitator, Amina, Rosa and a stranger on the line; the facilitator's Dial and its room."""
    enroll(uow, circle["id"], LEARNER, "Amina")
    enroll(uow, circle["id"], ROSA, "Rosa")
    enroll(uow, circle["id"], "+18165550124", "José")
    host = dial_in(client, HOST_SID, FACILITATOR, circle["phone_code"])
    room = host.find("Dial/Conference").text
    for seq, (sid, sender) in enumerate(
        [(HOST_SID, None), (AMINA_SID, LEARNER), (ROSA_SID, ROSA), (STRANGER_SID, STRANGER)], 1
    ):
        if sender:
            learner = dial_in(client, sid, sender, circle["phone_code"])
            assert learner.find("Dial").get("hangupOnStar") is None and learner.find("Dial").get("action") is None
        standin_twilio.conference.join(CONFERENCE, room, sid)
        event(client, room, "participant-join", sid, seq)
    event(client, room, "conference-start", seq=9)
    with uow() as session:
        meeting_id = session.scalar(select(Meeting.id).where(Meeting.room == room))
    return {"host": host, "room": room, "id": meeting_id}


def star(client, meeting):
    """The facilitator presses * : Twilio leaves the room and requests the Dial's action."""
    action = meeting["host"].find("Dial").get("action")
    return post(client, relative(action), HOST_SID, DialCallStatus="completed")


def press(client, menu, digits: str, sid: str = HOST_SID, status: int = 200):
    gather = menu.find("Gather")
    assert gather.get("numDigits") == "1" and gather.get("actionOnEmptyResult") == "true"
    assert int(gather.get("timeout")) <= 5  # never long out of the room when nothing is pressed
    return post(client, relative(gather.get("action")), sid, status, Digits=digits)


def assert_back_in(root, room):
    dial = root.find("Dial")
    assert dial.get("hangupOnStar") == "true" and dial.find("Conference").text == room
    assert dial.find("Conference").get("startConferenceOnEnter") == "true"


def test_only_the_facilitators_dial_has_hangup_on_star_and_a_signed_action(client, circle, meeting):
    dial = meeting["host"].find("Dial")
    assert dial.get("hangupOnStar") == "true" and dial.get("method") == "POST"
    action = urlsplit(dial.get("action"))
    assert action.path == "/twilio/voice/host" and parse_qs(action.query)["m"] == [str(meeting["id"])]
    assert dial.find("Conference").get("endConferenceOnExit") == "false"  # * must not end the meeting
    assert any("star key" in words for _lang, _voice, words in says(meeting["host"]))


def test_star_then_1_speaks_the_names_on_the_line_and_returns_to_the_room(client, meeting):
    menu = star(client, meeting)
    assert "Host menu" in says(menu.find("Gather"))[0][2]
    back = press(client, menu, "1")
    words = " ".join(w for _l, _v, w in says(back))
    assert "3 callers are on the line: Amina, Rosa." in words
    assert "1 caller we do not know is on the line." in words
    assert_back_in(back, meeting["room"])


def test_2_mutes_every_learner_and_not_the_facilitator_then_3_unmutes(client, meeting, standin_twilio, uow):
    back = press(client, star(client, meeting), "2")
    assert "3 callers are muted" in says(back)[0][2]
    assert_back_in(back, meeting["room"])
    muted = [(c, f["Muted"]) for m, conf, c, f in standin_twilio.conference.requests if m == "POST" and c]
    assert sorted(muted) == sorted([(AMINA_SID, "true"), (ROSA_SID, "true"), (STRANGER_SID, "true")])
    assert HOST_SID not in {c for _m, _conf, c, _f in standin_twilio.conference.requests}
    assert standin_twilio.conference.muted(CONFERENCE) == {
        HOST_SID: False,
        AMINA_SID: True,
        ROSA_SID: True,
        STRANGER_SID: True,
    }
    with uow() as session:
        assert session.scalar(select(func.count()).select_from(CallMute).where(CallMute.muted.is_(True))) == 3
    again = press(client, star(client, meeting), "3")
    assert "3 callers can speak again" in says(again)[0][2]
    assert not any(standin_twilio.conference.muted(CONFERENCE).values())


def test_9_9_ends_the_conference_and_9_then_another_key_does_not(client, meeting, standin_twilio):
    confirm = press(client, star(client, meeting), "9")
    assert "press 9 again" in says(confirm.find("Gather"))[0][2]
    assert standin_twilio.conference.status(CONFERENCE) == "in-progress"
    assert_back_in(press(client, confirm, "1"), meeting["room"])
    assert standin_twilio.conference.status(CONFERENCE) == "in-progress"
    ended = press(client, press(client, star(client, meeting), "9"), "9")
    assert ended.find("Hangup") is not None and "ended for everyone" in says(ended)[0][2]
    assert standin_twilio.conference.status(CONFERENCE) == "completed"
    assert ("POST", CONFERENCE, None, {"Status": "completed"}) in standin_twilio.conference.requests
    # Any Dial of the ended meeting that Twilio closes now hears goodbye: no menu, no new room.
    after = star(client, meeting)
    assert after.find("Hangup") is not None and after.find("Dial") is None and after.find("Gather") is None


def test_silence_or_another_key_returns_at_once(client, meeting, standin_twilio):
    for digits in ("", "7", "#"):
        back = press(client, star(client, meeting), digits)
        assert says(back) == [] and back.find("Gather") is None
        assert_back_in(back, meeting["room"])
    assert standin_twilio.conference.requests == []


def test_roll_call_by_keypad_marks_who_is_in_the_room(client, meeting, uow):
    ask = press(client, star(client, meeting), "4")
    assert "Is José here in the room?" in says(ask.find("Gather"))[0][2]  # the only learner not on the line
    done = press(client, ask, "1")
    assert "Roll call saved: 1 learner in the room." in says(done)[0][2]
    assert_back_in(done, meeting["room"])
    with uow() as session:
        assert session.scalar(select(func.count()).select_from(Attendance).where(Attendance.source == "in_person")) == 1


def test_forged_or_cross_room_actions_are_refused_and_change_nothing(client, circle, meeting, standin_twilio, uow):
    menu_path = f"/twilio/voice/host/menu?m={meeting['id']}&lang=en"
    # A learner's call (a learner's * never gets here; a forged request with their CallSid) is refused.
    post(client, menu_path, AMINA_SID, 403, Digits="2")
    post(client, f"/twilio/voice/host?m={meeting['id']}&lang=en", AMINA_SID, 403)
    # The facilitator's call with another meeting's id.
    with uow() as session:
        other = session.scalar(select(Meeting.id).where(Meeting.circle_id == circle["id"], Meeting.id != meeting["id"]))
    post(client, f"/twilio/voice/host/menu?m={other}&lang=en", HOST_SID, 403, Digits="9")
    post(client, f"/twilio/voice/host/menu?m={other}&lang=en&confirm=1", HOST_SID, 403, Digits="9")
    # A bad signature.
    params = {"CallSid": HOST_SID, "Digits": "9", "CallStatus": "in-progress"}
    forged = sign(menu_path + "&confirm=1", params, token="not-the-token")
    assert post_signed(client, menu_path + "&confirm=1", params, signature=forged).status_code == 403
    assert post(client, "/twilio/voice/host/menu?lang=en", HOST_SID, 400, Digits="9") is None
    assert standin_twilio.conference.requests == []
    assert standin_twilio.conference.status(CONFERENCE) == "in-progress"


def test_a_caller_already_gone_is_said_politely(client, meeting, standin_twilio):
    standin_twilio.conference.leave(CONFERENCE, AMINA_SID)  # hung up; Twilio's leave event not in yet
    back = press(client, star(client, meeting), "2")
    assert "2 callers are muted" in says(back)[0][2]
    assert_back_in(back, meeting["room"])


def test_the_facilitator_hanging_up_ends_the_meeting_and_it_is_held(
    client, meeting, standin_twilio, uow, runner_env, tmp_path
):
    action = relative(meeting["host"].find("Dial").get("action"))
    root = post(client, action, HOST_SID, CallStatus="completed", DialCallStatus="completed")
    assert root.find("Hangup") is not None
    assert standin_twilio.conference.status(CONFERENCE) == "completed"
    event(client, meeting["room"], "conference-end", seq=20, minutes=55)
    with uow() as session:
        held = session.scalar(select(HeldMeeting).where(HeldMeeting.meeting_id == meeting["id"]))
        assert held.callers == 4 and held.started_at == FIRST_MEETING
        assert held.ended_at == FIRST_MEETING + timedelta(minutes=55)
    first, second = json.loads(runner_env(["circle", "show", "KC42", "--json"]))["meetings"][:2]
    assert first["held"] == {"started_at": "2026-12-02T00:00:00Z", "ended_at": "2026-12-02T00:55:00Z", "callers": 4}
    assert second["held"] is None
    assert "held by phone (4 callers)" in runner_env(["circle", "show", "KC42"])
    out = tmp_path / "meetings.csv"
    runner_env(["export", "KC42", "--what", "meetings", "--output", str(out)])
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0]["held"] == "yes" and rows[0]["callers"] == "4" and rows[0]["call_ended"] == "2026-12-02T00:55:00Z"
    assert rows[1]["held"] == "no" and rows[1]["callers"] == ""
