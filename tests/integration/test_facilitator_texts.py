"""Issue 13 (items 1-5): facilitator texts that never trap, notices that say which meeting, HELP that
says what a learner can text."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select

from bot.store.models import Meeting, Outbox
from tests.helpers import make_circle
from tests.integration.sim import Sim

FAC = "+18165550100"
AMINA, BEN, CARLA = "+18165550123", "+18165550124", "+18165550125"


def join(sim, phone, name, code="KC42"):
    sim.text(phone, f"JOIN {code}"), sim.text(phone, name)
    return sim.text(phone, "1")


def meetings(uow, code="KC42"):
    from bot.store.models import Circle

    with uow() as session:
        return [
            (m.seq, m.starts_at)
            for m in session.scalars(
                select(Meeting)
                .join(Circle, Circle.id == Meeting.circle_id)
                .where(Circle.code == code)
                .order_by(Meeting.seq)
            )
        ]


def test_a_facilitator_who_stops_is_told_what_stops_and_relays_wait_for_start(runtime):
    make_circle(runtime.uow)
    sim = Sim(runtime, quiet_hours="")
    join(sim, AMINA, "Amina")
    stopped = sim.text(FAC, "CANCEL")[0]
    assert "including your learners' messages" in stopped and "CANCEL KC42" in stopped
    answer = sim.text(AMINA, "¿Hay estacionamiento?")[0]
    assert "cannot get texts right now" in answer and "Central Library" in answer  # never "passed on"
    sim.advance(timedelta(0))
    assert not [b for _, b in sim.inbox(FAC) if "estacionamiento" in b]
    with runtime.uow() as session:
        assert session.scalar(select(Outbox.status).where(Outbox.kind == "relay")) == "held"
    assert sim.text(FAC, "START")[0].startswith("Welcome back!")
    sim.advance(timedelta(0))
    held = [b for _, b in sim.inbox(FAC) if b.startswith("Amina (#1): ¿Hay estacionamiento?")]
    assert held == ["Amina (#1): ¿Hay estacionamiento?\nTo answer, text #1 and your message."]  # their first relay


def test_change_notices_say_which_meeting_and_a_taken_time_is_refused(runtime):
    make_circle(runtime.uow, starts=datetime.now(timezone.utc).date() + timedelta(days=8))
    sim = Sim(runtime, quiet_hours="")
    join(sim, AMINA, "Amina")
    (_, first), (_, second) = meetings(runtime.uow)[:2]
    local = second.astimezone(__import__("zoneinfo").ZoneInfo("America/Chicago"))
    taken = sim.text(FAC, f"MOVE KC42 {local:%Y-%m-%d} {local:%H:%M}")[0]
    assert "already meets on" in taken
    moved = sim.text(FAC, f"MOVE KC42 {local.date() - timedelta(days=2):%Y-%m-%d} 14:00")[0]
    assert moved.startswith("Moved: Kansas City Basics meeting 1, ") and " to " in moved  # names the meeting
    sim.advance(timedelta(0))
    notice = [b for _, b in sim.inbox(AMINA) if "has moved to" in b]
    assert len(notice) == 1 and "the meeting of Tuesday," in notice[0] and "2:00 PM" in notice[0]


def test_move_by_text_never_puts_the_next_meeting_past_a_later_one(runtime):
    """Issue 24: ``MOVE W7WW 2027-02-04 18:00`` moved meeting #1 after #3 silently; now it is refused,
    nothing moves and nobody is texted."""
    make_circle(runtime.uow, starts=datetime.now(timezone.utc).date() + timedelta(days=8))
    sim = Sim(runtime, quiet_hours="")
    join(sim, AMINA, "Amina")
    before = meetings(runtime.uow)
    third = before[2][1].astimezone(__import__("zoneinfo").ZoneInfo("America/Chicago"))
    said = sim.text(FAC, f"MOVE KC42 {third.date() + timedelta(days=1):%Y-%m-%d} 18:00")[0]
    assert said.startswith("Not moved: meeting 1 of Kansas City Basics would come after meeting 2 (")
    assert "CANCEL" in said
    sim.advance(timedelta(0))
    assert meetings(runtime.uow) == before
    assert not [b for _, b in sim.inbox(AMINA) if "has moved to" in b]


def test_a_meeting_moved_away_and_back_is_reminded_again(runtime):
    from bot.domain import meetings as ops

    make_circle(runtime.uow)
    sim = Sim(runtime, quiet_hours="")
    join(sim, AMINA, "Amina")
    seq, starts = meetings(runtime.uow)[0]
    sim.now = starts - timedelta(hours=24)
    sim.advance(timedelta(minutes=1))  # the reminder goes out
    assert len([b for _, b in sim.inbox(AMINA) if "Are you coming?" in b]) == 1

    def move(to):
        from bot.store.models import Circle

        with runtime.uow() as session:
            circle = session.scalar(select(Circle).where(Circle.code == "KC42"))
            ops.move(session, runtime.settings, circle, seq, to, sim.now)
            session.commit()

    move(starts + timedelta(hours=2))
    sim.advance(timedelta(hours=2, minutes=5))
    assert len([b for _, b in sim.inbox(AMINA) if "Are you coming?" in b]) == 2  # re-reminded at the new time
    move(starts)  # and back
    sim.advance(timedelta(minutes=1))
    assert len([b for _, b in sim.inbox(AMINA) if "Are you coming?" in b]) == 3
    sim.now = starts - timedelta(hours=3)
    sim.advance(timedelta(0))
    with runtime.uow() as session:
        tallies = session.scalars(select(Outbox.status).where(Outbox.kind == "tally")).all()
        assert tallies == ["pending"]  # the tally for the time it is at now


def test_tally_and_circles_with_several_circles(runtime):
    today = datetime.now(timezone.utc).date()
    for i, code in enumerate(("KC42", "KC43", "KC44", "KC45", "KC46", "KC47")):
        make_circle(
            runtime.uow,
            code=code,
            name=f"Circle {code}",
            starts=today + timedelta(days=2 + 10 * (i > 1)),
            weekday=(today + timedelta(days=2 + 10 * (i > 1))).weekday(),
            at=time(18, 0),
        )
    sim = Sim(runtime, quiet_hours="")
    tallies = sim.text(FAC, "TALLY")
    assert len(tallies) == 2 and all("no reply" in t for t in tallies)
    assert "?" not in "".join(tallies)
    circles = sim.text(FAC, "CIRCLES")[0]
    assert circles.startswith("Your circles:") and "And 3 more circles: KC45, KC46, KC47" in circles
    assert sim.text(FAC, "MOVE") == ["Which circle? Add its code: KC42, KC43, KC44, KC45, KC46, KC47"]


def test_facilitator_help_how_too_early_and_empty_msg(runtime):
    make_circle(runtime.uow)
    sim = Sim(runtime, quiet_hours="")
    assert sim.text(FAC, "What do I do now?")[0].startswith("Facilitator commands:")
    assert sim.text(FAC, "HOW KC42")[0].startswith("The check-in for Kansas City Basics opens after its first meeting")
    assert sim.text(FAC, "MSG KC42") == ["Write your message after the code, like: MSG KC42 See you on Tuesday!"]


def test_learner_help_says_what_to_text_and_the_waitlist_position(runtime):
    make_circle(runtime.uow, capacity=1)
    sim = Sim(runtime, quiet_hours="")
    join(sim, AMINA, "Amina")
    join(sim, BEN, "Ben")
    join(sim, CARLA, "Carla")
    helped = sim.text(AMINA, "HELP")[0]
    assert "Any other text goes to your facilitator" in helped and "FIND" in helped and "LEAVE" in helped
    assert "Reply 1 or 2 to a reminder" in helped
    assert sim.text(BEN, "HELP")[0].startswith("You are number 1 on the waiting list for Kansas City Basics.")
    assert sim.text(CARLA, "HELP")[0].startswith("You are number 2 on the waiting list")
