"""Issue 22, item 3: a reminder ("Reply 1 yes, 2 no") and a check-in ("Reply 1 great…") are never open at
once for one learner (both backends). A check-in waits for the answer to an open reminder; a reminder
closes an open check-in (its meeting is within hours)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from bot.store.models import Answer, Circle, Meeting, Outbox, Rsvp
from tests.helpers import contact_of, make_circle
from tests.integration.sim import Sim

AMINA, FAC, FAC2 = "+18165550123", "+18165550100", "+18165550101"


def two_circles(runtime, uow, days_later):
    """Amina in KC42 and MO51, whose first meeting is ``days_later`` after KC42's, both at 18:00 Chicago."""
    starts = datetime.now(timezone.utc).date() + timedelta(days=3)
    make_circle(uow, weeks=2, facilitator=FAC, starts=starts, weekday=starts.weekday())
    later = (starts.weekday() + days_later) % 7
    make_circle(uow, code="MO51", name="Money Matters", starts=starts, weekday=later, weeks=2, facilitator=FAC2)
    sim = Sim(runtime, quiet_hours="")
    sim.text(AMINA, "JOIN KC42"), sim.text(AMINA, "Amina"), sim.text(AMINA, "1")
    sim.text(AMINA, "JOIN MO51")
    return sim


def first_meeting(uow, code):
    with uow() as session:
        return session.execute(
            select(Meeting.id, Meeting.starts_at).join(Circle).where(Circle.code == code).order_by(Meeting.seq)
        ).first()


def recorded(uow):
    with uow() as session:
        contact = contact_of(session, AMINA)
        rsvps = dict(session.execute(select(Rsvp.meeting_id, Rsvp.answer).where(Rsvp.contact_id == contact.id)).all())
        answers = dict(session.execute(select(Answer.question_key, Answer.value)).all())
    return rsvps, answers


def test_a_check_in_waits_for_the_answer_to_an_open_reminder(runtime, uow):
    sim = two_circles(runtime, uow, days_later=1)  # Money Matters meets the day after Kansas City Basics
    kc_id, kc_starts = first_meeting(uow, "KC42")
    mo_id, mo_starts = first_meeting(uow, "MO51")
    assert mo_starts - kc_starts == timedelta(days=1)
    sim.run_until(mo_starts - timedelta(hours=2), step=timedelta(hours=1))
    got = [b for _, b in sim.inbox(AMINA)]
    assert any("Money Matters" in b and "Reply 1" in b for b in got)  # the reminder of tomorrow's meeting
    assert not any("How did this week" in b for b in got)  # the check-in waits: it would take her "1"
    with uow() as session:
        waiting = session.scalar(select(Outbox.last_error).where(Outbox.kind == "checkin"))
    assert waiting == "waiting for the answer to an open reminder"

    assert sim.text(AMINA, "1")[0].startswith("Great, see you")  # she means the RSVP, and it is the RSVP
    sim.advance(timedelta(hours=1))
    assert any("How did this week" in b for _, b in sim.inbox(AMINA))  # now the check-in comes
    sim.text(AMINA, "2")
    rsvps, answers = recorded(uow)
    assert rsvps == {mo_id: "yes"}
    assert answers == {"checkin:1": "okay"}


def test_a_reminder_closes_an_open_check_in(runtime, uow):
    sim = two_circles(runtime, uow, days_later=2)  # Money Matters meets two days after
    kc_id, kc_starts = first_meeting(uow, "KC42")
    mo_id, mo_starts = first_meeting(uow, "MO51")
    sim.run_until(kc_starts + timedelta(hours=20), step=timedelta(hours=1))
    assert any("How did this week" in b for _, b in sim.inbox(AMINA))
    assert sim.conversation(AMINA)["flow"] == "checkin"
    sim.run_until(mo_starts - timedelta(hours=20), step=timedelta(hours=1))
    assert any("Money Matters" in b and "Reply 1" in b for _, b in sim.inbox(AMINA))
    assert sim.conversation(AMINA) is None  # the check-in was closed when the reminder went out

    assert sim.text(AMINA, "1")[0].startswith("Great, see you")
    rsvps, answers = recorded(uow)
    assert rsvps == {mo_id: "yes"} and answers == {}
    assert not any("We missed you" in b for _, b in sim.inbox(AMINA))
