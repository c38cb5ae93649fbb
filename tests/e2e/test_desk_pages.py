"""The facilitator's desk (issue 24) through Flask's test client, on every backend: actions that text
everyone ask first and show who gets what, a cancelled meeting comes back on the page, a move out of order
asks, "held" and "ended", one numbering, the inbox order, the message preview and cost, the history of what
was sent with each learner's delivery status, in-person attendance on the page, removing a learner."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.domain import history
from bot.inbound import delivery
from bot.store.models import Address, Attendance, Enrollment, Meeting, Outbox, SentMessage
from tests.e2e.test_facilitator_pages import A_PHONE, add_learner, csrf, get, post, sign_in
from tests.helpers import make_circle, text

CIRCLE = "/facilitator/circles/KC42"


@pytest.fixture
def pages(app):
    """A client on https (the session cookie is Secure outside demo)."""
    app.config["WTF_CSRF_SSL_STRICT"] = False
    return app.test_client()


FIRST_AT = datetime(2026, 12, 2, 0, 0, tzinfo=timezone.utc)  # Tue Dec 1, 18:00 in Chicago


def meeting_rows(uow) -> dict[int, tuple[str, datetime]]:
    with uow() as db:
        return {m.seq: (m.status, m.starts_at) for m in db.scalars(select(Meeting).order_by(Meeting.seq))}


def outbox_keys(uow, prefix: str) -> list[str]:
    with uow() as db:
        return list(db.scalars(select(Outbox.dedupe_key).where(Outbox.dedupe_key.like(prefix + "%"))))


def test_cancel_asks_first_names_who_is_texted_and_restore_tells_them_once(pages, uow):
    make_circle(uow, facilitator=A_PHONE)
    add_learner(uow, "+18165550131", name="Amina")
    add_learner(uow, "+18165550132", name="Rosa")
    sign_in(pages, uow)
    token = csrf(pages, CIRCLE)
    overview = get(pages, CIRCLE).get_data(as_text=True)
    assert 'class="danger"' in overview and "Cancel..." in overview
    asked = post(pages, f"{CIRCLE}/meetings/2/cancel", token=token).get_data(as_text=True)
    assert "Cancel meeting 2?" in asked and "#1 Amina" in asked and "#2 Rosa" in asked
    assert "Who is texted: 2 learners" in asked and "is cancelled. We will text you about the next one." in asked
    assert meeting_rows(uow)[2][0] == "scheduled" and outbox_keys(uow, "cancelled:") == []
    done = post(pages, f"{CIRCLE}/meetings/2/cancel", {"confirm": "yes"}, token=token, follow_redirects=True)
    assert "Meeting 2 cancelled." in done.get_data(as_text=True) and meeting_rows(uow)[2][0] == "cancelled"
    assert len(outbox_keys(uow, "cancelled:")) == 2
    page = get(pages, CIRCLE).get_data(as_text=True)
    assert "Restore..." in page
    asked = post(pages, f"{CIRCLE}/meetings/2/restore", token=token).get_data(as_text=True)
    assert "Restore meeting 2?" in asked and "is on again" in asked and meeting_rows(uow)[2][0] == "cancelled"
    post(pages, f"{CIRCLE}/meetings/2/restore", {"confirm": "yes"}, token=token)
    assert meeting_rows(uow)[2][0] == "scheduled" and len(outbox_keys(uow, "restored:")) == 2  # told once each
    again = post(pages, f"{CIRCLE}/meetings/2/restore", {"confirm": "yes"}, token=token, follow_redirects=True)
    assert "Only a cancelled meeting" in again.get_data(as_text=True) and len(outbox_keys(uow, "restored:")) == 2


def test_a_move_past_a_later_meeting_asks_and_a_move_names_the_meeting(pages, uow):
    make_circle(uow, facilitator=A_PHONE)
    add_learner(uow, "+18165550131", name="Amina")
    sign_in(pages, uow)
    token = csrf(pages, CIRCLE)
    before = meeting_rows(uow)
    late = (before[3][1] + timedelta(days=1)).astimezone(__import__("zoneinfo").ZoneInfo("America/Chicago"))
    asked = post(pages, f"{CIRCLE}/meetings/1/move", {"to": late.strftime("%Y-%m-%dT%H:%M")}, token=token)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 409 and "Move meeting 1 past meeting 2?" in page and "out of order" in page
    assert meeting_rows(uow) == before and outbox_keys(uow, "moved:") == []
    fine = (before[1][1] + timedelta(hours=1)).astimezone(__import__("zoneinfo").ZoneInfo("America/Chicago"))
    moved = post(
        pages, f"{CIRCLE}/meetings/1/move", {"to": fine.strftime("%Y-%m-%dT%H:%M")}, token=token, follow_redirects=True
    )
    assert "Meeting 1 moved from " in moved.get_data(as_text=True)
    anyway = post(
        pages, f"{CIRCLE}/meetings/1/move", {"to": late.strftime("%Y-%m-%dT%H:%M"), "reorder": "yes"}, token=token
    )
    assert anyway.status_code == 302 and meeting_rows(uow)[1][1] > before[3][1]


def test_past_meetings_read_held_and_a_finished_circle_reads_ended_on_pages_and_by_text(pages, uow, runtime):
    make_circle(uow, facilitator=A_PHONE, starts=date(2026, 12, 1), weekday=1, at=time(18, 0), weeks=2)
    runtime.clock = lambda: FIRST_AT + timedelta(days=1)
    sign_in(pages, uow)
    page = get(pages, CIRCLE).get_data(as_text=True)
    statuses = re.findall(r'<td data-label="Status" class="status">([^<]*)</td>', page)
    assert statuses == ["held", "scheduled"] and "has ended" not in page
    runtime.clock = lambda: FIRST_AT + timedelta(days=30)
    page = get(pages, CIRCLE).get_data(as_text=True)
    assert re.findall(r'class="status">([^<]*)</td>', page) == ["held", "held"] and "This circle has ended" in page
    assert ">ended<" in get(pages, "/facilitator/circles").get_data(as_text=True)


def test_the_roster_and_the_here_list_share_each_learner_s_relay_number(pages, uow, client):
    make_circle(uow, facilitator=A_PHONE)
    for phone, name in (("+18165550131", "Amina"), ("+18165550132", "Rosa")):
        text(client, "JOIN KC42", phone)
        text(client, name, phone)
        text(client, "1", phone)  # English
    text(client, "Hi, it is Rosa", "+18165550132")  # Rosa's relay uses the #2 she got when she joined
    sign_in(pages, uow)
    roster = get(pages, f"{CIRCLE}/roster").get_data(as_text=True)
    assert re.search(r'<td data-label="#">#1</td><td data-label="Name">Amina</td>', roster)
    assert re.search(r'<td data-label="#">#2</td><td data-label="Name">Rosa</td>', roster)
    assert 'class="stack"' in roster
    inbox = get(pages, f"{CIRCLE}/inbox").get_data(as_text=True)
    assert "#2 Rosa" in inbox


def test_the_inbox_puts_the_newest_thread_first_marks_the_unanswered_and_keeps_the_place(pages, uow, client):
    make_circle(uow, facilitator=A_PHONE)
    for phone, name in (("+18165550131", "Amina"), ("+18165550132", "Rosa")):
        text(client, "JOIN KC42", phone)
        text(client, name, phone)
        text(client, "1", phone)
    text(client, "Amina here, a question", "+18165550131")
    text(client, "Rosa here, a later question", "+18165550132")
    sign_in(pages, uow)
    page = get(pages, f"{CIRCLE}/inbox").get_data(as_text=True)
    assert page.index('id="t-2"') < page.index('id="t-1"')  # Rosa wrote last: her thread first
    assert page.count('class="unanswered-mark"') == 2 and "2 threads wait for your answer." in page
    token = csrf(pages, f"{CIRCLE}/inbox")
    answered = post(pages, f"{CIRCLE}/inbox/1", {"text": "Yes, Amina"}, token=token)
    assert answered.status_code == 302 and answered.headers["Location"].endswith("/inbox#t-1")
    page = get(pages, f"{CIRCLE}/inbox").get_data(as_text=True)
    assert page.index('id="t-1"') < page.index('id="t-2"') and page.count('class="unanswered-mark"') == 1


def test_the_message_preview_names_the_costly_character_and_history_shows_each_copy(pages, uow, runtime):
    make_circle(uow, facilitator=A_PHONE)
    amina = add_learner(uow, "+18165550131", name="Amina")
    add_learner(uow, "+18165550132", name="Rosa")
    stopped = add_learner(uow, "+18165550133", name="Bo")
    add_learner(uow, "777000", name="Tele", channel="telegram")
    sign_in(pages, uow)
    cheap = get(pages, f"{CIRCLE}/segments", query_string={"text": "Bring a laptop"}).get_json()
    assert cheap["cost"] == "Each learner's SMS costs 1 text."
    costly = get(pages, f"{CIRCLE}/segments", query_string={"text": "Bring a laptop " + "x" * 40 + " 😀"}).get_json()
    assert costly["cost"] == (
        'The character "😀" is not plain SMS text, so each learner\'s SMS costs 2 texts instead of 1.'
    )
    token = csrf(pages, f"{CIRCLE}/message")
    asked = post(pages, f"{CIRCLE}/message", {"text": "Bring a laptop 😀"}, token=token).get_data(as_text=True)
    assert 'data-channel="SMS"' in asked and 'data-channel="Telegram"' in asked
    assert "Kansas City Basics: Bring a laptop 😀" in asked and "Who is texted: 4 learners" in asked
    assert 'The character "😀"' in asked.replace("&#34;", '"')
    with uow() as db:
        assert db.scalars(select(Outbox).where(Outbox.kind == "broadcast")).all() == []
    post(pages, f"{CIRCLE}/message", {"text": "Bring a laptop 😀", "confirm": "yes"}, token=token)
    now = datetime.now(timezone.utc)
    with uow() as db:  # as the send job and the carrier leave them
        rows = {r.contact_id: r for r in db.scalars(select(Outbox).where(Outbox.kind == "broadcast"))}
        assert len(rows) == 4
        rows[amina].status, rows[amina].provider_id = "sent", "SMdesk1"
        bo = rows[stopped]
        bo.status, bo.last_error = "cancelled", "opted out"
        address = db.scalars(select(Address).where(Address.contact_id == stopped)).one()
        address.opted_out_at = now
        db.commit()
    delivery.record(runtime.uow, "SMdesk1", "delivered", None, now)
    page = get(pages, f"{CIRCLE}/history").get_data(as_text=True)
    assert "To the whole circle" in page and "Bring a laptop 😀" in page
    statuses = dict(re.findall(r'<td data-label="Name">([^<]*)</td>.*?data-status="([^"]+)"', page, re.S))
    assert statuses == {"Amina": "delivered", "Rosa": "waiting", "Bo": "stopped", "Tele": "waiting"}
    assert "4 copies" in page


def test_history_lists_relay_answers_from_the_page_and_by_text(pages, uow, client):
    make_circle(uow, facilitator=A_PHONE)
    text(client, "JOIN KC42", "+18165550131")
    text(client, "Amina", "+18165550131")
    text(client, "1", "+18165550131")
    text(client, "Can I come late?", "+18165550131")
    text(client, "#1 Of course", A_PHONE)
    sign_in(pages, uow)
    post(pages, f"{CIRCLE}/inbox/1", {"text": "See you soon"}, token=csrf(pages, f"{CIRCLE}/inbox"))
    page = get(pages, f"{CIRCLE}/history").get_data(as_text=True)
    assert page.count("Answer to one learner") == 2 and "Of course" in page and "See you soon" in page
    assert page.index("See you soon") < page.index("Of course")  # newest first
    with uow() as db:
        assert {m.kind for m in db.scalars(select(SentMessage))} == {history.SentKind.RELAY}


def test_attendance_on_the_page_writes_what_here_writes_and_can_be_taken_back(pages, uow, runtime):
    make_circle(uow, facilitator=A_PHONE, starts=date(2026, 12, 1), weekday=1, at=time(18, 0))
    runtime.clock = lambda: FIRST_AT + timedelta(hours=1)
    amina = add_learner(uow, "+18165550131", name="Amina")
    rosa = add_learner(uow, "+18165550132", name="Rosa")
    sign_in(pages, uow)
    assert get(pages, f"{CIRCLE}/meetings/2/attendance").status_code == 303  # not yet: a week ahead
    page = get(pages, f"{CIRCLE}/meetings/1/attendance").get_data(as_text=True)
    assert "#1 Amina" in page and "#2 Rosa" in page
    token = csrf(pages, f"{CIRCLE}/meetings/1/attendance")
    post(pages, f"{CIRCLE}/meetings/1/attendance", {"came": [str(amina), str(rosa)]}, token=token)
    with uow() as db:
        marks = {(a.contact_id, a.source, a.ref) for a in db.scalars(select(Attendance))}
    assert marks == {(amina, "in_person", f"contact:{amina}"), (rosa, "in_person", f"contact:{rosa}")}
    post(pages, f"{CIRCLE}/meetings/1/attendance", {"came": [str(amina), "99999", "x"]}, token=token)
    with uow() as db:
        assert {a.contact_id for a in db.scalars(select(Attendance))} == {amina}
    said = text(pages, "HERE KC42 2", sender=A_PHONE)  # HERE by text adds to the same records
    assert "Rosa" in said[0]
    page = get(pages, f"{CIRCLE}/meetings/1/attendance").get_data(as_text=True)
    assert page.count("checked") == 2
    roster = get(pages, f"{CIRCLE}/roster").get_data(as_text=True)
    assert roster.count('data-came="in person"') == 2


def test_removing_a_learner_asks_then_texts_them_once(pages, uow):
    make_circle(uow, facilitator=A_PHONE)
    add_learner(uow, "+18165550131", name="Amina")
    sign_in(pages, uow)
    with uow() as db:
        enrollment_id = db.scalars(select(Enrollment.id)).one()
    token = csrf(pages, f"{CIRCLE}/roster")
    roster = get(pages, f"{CIRCLE}/roster").get_data(as_text=True)
    assert "Remove..." in roster and 'aria-label="Remove Amina from the circle"' in roster
    asked = post(pages, f"{CIRCLE}/roster/{enrollment_id}/remove", token=token).get_data(as_text=True)
    assert "Remove Amina from the circle?" in asked and "To join again, text JOIN KC42." in asked
    with uow() as db:
        assert db.get(Enrollment, enrollment_id).status == "active"
    done = post(pages, f"{CIRCLE}/roster/{enrollment_id}/remove", {"confirm": "yes"}, token=token)
    assert done.status_code == 302
    with uow() as db:
        assert db.get(Enrollment, enrollment_id).status == "left"
    assert len(outbox_keys(uow, "removed:")) == 1
    again = post(pages, f"{CIRCLE}/roster/{enrollment_id}/remove", {"confirm": "yes"}, token=token)
    assert again.status_code == 303 and len(outbox_keys(uow, "removed:")) == 1
