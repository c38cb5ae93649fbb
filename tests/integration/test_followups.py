"""Check-ins, "we miss you", surveys, the relay, facilitator commands, FORGET and export (both backends)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import String, Text, select
from sqlalchemy import text as sql

from bot.domain.circles import find
from bot.domain.phone import mask
from bot.reports import export
from bot.store.models import Answer, Base, Enrollment, Meeting, Outbox
from tests.helpers import contact_of, make_circle
from tests.integration.sim import Sim

AMINA, BEN, FAC = "+18165550123", "+18165550124", "+18165550100"


def setup(runtime, uow, weeks=3, quiet=""):
    make_circle(uow, weeks=weeks, facilitator=FAC)
    sim = Sim(runtime, quiet_hours=quiet)
    for phone, name in ((AMINA, "Amina"), (BEN, "Ben")):
        sim.text(phone, "JOIN KC42"), sim.text(phone, name), sim.text(phone, "1")
    return sim


def meetings(uow):
    with uow() as session:
        return [(m.id, m.seq, m.starts_at) for m in session.scalars(select(Meeting).order_by(Meeting.seq))]


def bodies(sim, phone, needle):
    return [b for _, b in sim.inbox(phone) if needle in b]


def test_check_in_next_day_once_and_relays_stuck(runtime, uow):
    sim = setup(runtime, uow)
    first = meetings(uow)[0][2]
    sim.run_until(first + timedelta(hours=30))
    assert len(bodies(sim, AMINA, "How did this week")) == 1
    sim.text(AMINA, "1"), sim.text(BEN, "3")
    sim.advance(timedelta(hours=3))
    sim.advance(timedelta(hours=3))
    assert len(bodies(sim, AMINA, "How did this week")) == 1  # exactly once
    stuck = bodies(sim, FAC, "stuck after meeting 1")
    assert len(stuck) == 1 and stuck[0].startswith("Ben (#2) says")  # #N is made at enrollment (Amina #1)
    with uow() as session:
        values = dict(session.execute(select(Answer.subject, Answer.value)).all())
    assert sorted(values.values()) == ["great", "stuck"]


def test_only_the_first_check_in_of_a_circle_is_thanked(runtime, uow):
    sim = setup(runtime, uow)
    ms = meetings(uow)
    for _, seq, starts in ms[:2]:
        sim.run_until(starts - timedelta(hours=20))
        sim.text(AMINA, "1")  # yes to the reminder, so the next check-in is not a "we miss you"
        sim.run_until(starts + timedelta(hours=30))
        assert len(bodies(sim, AMINA, "How did this week")) == seq
        thanks = sim.text(AMINA, "2")
        assert thanks == (["Thank you! See you at the next meeting."] if seq == 1 else []), seq
    with uow() as session:
        values = session.scalars(select(Answer.value).where(Answer.question_key.like("checkin:%"))).all()
    assert sorted(values) == ["okay", "okay"]


def test_miss_you_after_two_meetings_without_a_yes(runtime, uow):
    sim = setup(runtime, uow, weeks=4)
    ms = meetings(uow)
    sim.run_until(ms[0][2] - timedelta(hours=20))
    sim.text(AMINA, "1")  # Amina RSVPs yes to meeting 1; Ben never answers
    sim.run_until(ms[1][2] - timedelta(hours=20))
    sim.text(AMINA, "1")
    sim.run_until(ms[2][2])
    assert len(bodies(sim, BEN, "We missed you")) == 1 and bodies(sim, AMINA, "We missed you") == []
    sim.run_until(ms[3][2])
    assert len(bodies(sim, BEN, "We missed you")) == 1  # once per enrollment


def test_survey_after_the_last_meeting_pause_resume_reminder_and_expiry(runtime, uow):
    sim = setup(runtime, uow, weeks=2)
    last = meetings(uow)[-1][2]
    sim.run_until(last + timedelta(hours=30))
    assert len(bodies(sim, AMINA, "has ended")) == 1 and len(bodies(sim, FAC, "Thank you for facilitating")) == 1
    assert sim.text(AMINA, "4") == ["How confident are you in the subject now? Reply 1 (not at all) to 5 (very)."]
    assert sim.text(AMINA, "maybe")[0] == "Please reply with a number from 1 to 5, or SKIP."
    sim.run_until(sim.now + timedelta(days=2, hours=6))  # a pause of two days: one reminder
    reminder = bodies(sim, AMINA, "Please finish our short survey")
    assert len(reminder) == 1 and reminder[0].endswith(
        "How confident are you in the subject now? Reply 1 (not at all) to 5 (very)."
    )
    for reply in ("skip", "5", "9", "Join the next circle"):
        sim.text(AMINA, reply)
    sim.run_until(sim.now + timedelta(days=3))
    assert len(bodies(sim, AMINA, "Please finish our short survey")) == 1
    with uow() as session:
        enrollment = session.scalar(select(Enrollment.id).where(Enrollment.contact_id == contact_of(session, AMINA).id))
        answers = dict(
            session.execute(
                select(Answer.question_key, Answer.value).where(Answer.subject == f"enrollment:{enrollment}")
            ).all()
        )
    assert answers == {
        "learner:goal": "4",
        "learner:confidence": None,
        "learner:course": "5",
        "learner:recommend": "9",
        "learner:next": "Join the next circle",
    }
    # Ben never answered: one reminder after 48 h, and after 14 days the survey lapses
    assert len(bodies(sim, BEN, "Please finish our short survey")) == 1
    sim.run_until(sim.now + timedelta(days=12), step=timedelta(hours=12))
    assert sim.conversation(BEN) is None
    assert sim.text(BEN, "3") == ["Thanks, your message was passed on."]  # no longer read as an answer


def test_relay_both_ways_and_only_to_own_learners(runtime, uow):
    sim = setup(runtime, uow)
    make_circle(uow, code="OTH1", facilitator="+18165550190")
    sim.text("+18165550191", "JOIN OTH1"), sim.text("+18165550191", "Zed"), sim.text("+18165550191", "1")
    assert sim.text(AMINA, "Is the library open on Monday?") == ["Thanks, your message was passed on."]
    sim.advance(timedelta(minutes=1))
    assert bodies(sim, FAC, "Amina (#1): Is the library open on Monday?")
    assert sim.text(FAC, "#1 Yes, from 9am") == ["Thanks, your message was passed on."]
    sim.advance(timedelta(minutes=1))
    assert bodies(sim, AMINA, "Kansas City Basics facilitator: Yes, from 9am")
    sim.text("+18165550191", "hello from OTH1")
    sim.advance(timedelta(minutes=1))
    assert bodies(sim, "+18165550190", "Zed (#1): hello from OTH1")
    assert sim.text(FAC, "#9 hi") == ["There is no learner #9 in your circles."]
    assert sim.text("+18165550190", "#1 hi Zed") == ["Thanks, your message was passed on."]
    sim.advance(timedelta(minutes=1))
    assert bodies(sim, AMINA, "hi Zed") == []  # each facilitator's #1 is their own learner
    with uow() as session:
        assert not session.scalars(
            select(Outbox.body).where(Outbox.address == FAC, Outbox.body.contains("+1816"))
        ).all()


def test_facilitator_commands_by_text(runtime, uow):
    sim = setup(runtime, uow)
    assert sim.text(FAC, "CIRCLES")[0].startswith("Your circles:\nKC42: Kansas City Basics, Central Library, ")
    assert sim.text(FAC, "MSG KC42 Bring your library card") == ["Your message to Kansas City Basics is on its way."]
    sim.advance(timedelta(minutes=1))
    assert bodies(sim, AMINA, "Kansas City Basics: Bring your library card") and bodies(sim, BEN, "Bring your library")
    assert sim.text(FAC, "TALLY")[0].endswith(": 0 coming, 0 not, 2 no reply.")
    assert sim.text(FAC, "CANCEL KC42")[0].startswith("Cancelled: Kansas City Basics, ")
    sim.advance(timedelta(minutes=1))
    assert len(bodies(sim, AMINA, "is cancelled")) == 1
    assert sim.text(FAC, "CANCEL ZZ99")[0].startswith("You do not facilitate a circle with the code ZZ99")
    first = meetings(uow)[1][2]
    sim.run_until(first + timedelta(hours=1))
    assert sim.text(FAC, "HOW KC42") == [
        "Check-in for Kansas City Basics. Reply SKIP to skip a question.",
        "How did the meeting go? Reply 1 (badly) to 5 (very well).",
    ]
    assert sim.text(FAC, "5") == ["How many learners came? Reply with a number."]
    sim.text(FAC, "2"), sim.text(FAC, "They loved the quiz")
    with uow() as session:
        answers = dict(
            session.execute(select(Answer.question_key, Answer.value).where(Answer.subject.like("facilitator:%"))).all()
        )
    assert answers == {"how2:rating": "5", "how2:came": "2", "how2:reflection": "They loved the quiz"}


def test_find_open_circles(runtime, uow, client):
    from tests.helpers import text

    make_circle(uow, code="KC42")
    with uow() as session:
        circle = find(session, "KC42")
        circle.city, circle.postal_code = "Kansas City", "64105"
        session.commit()
    answer = text(client, "FIND 64105")[0]
    assert answer.startswith("Open circles near you:\nKC42: Kansas City Basics, Central Library, ")
    assert text(client, "find kansas city")[0] == answer
    assert text(client, "FIND Nowhere")[0].startswith("Sorry, we found no open circle for Nowhere")


def test_forget_leaves_no_phone_or_name_anywhere(runtime, uow):
    sim = setup(runtime, uow, weeks=2)
    sim.text(AMINA, "Call me at +18165550123 please, this is Amina")
    last = meetings(uow)[-1][2]
    sim.run_until(last + timedelta(hours=30))
    sim.text(AMINA, "4"), sim.text(AMINA, "4"), sim.text(AMINA, "4"), sim.text(AMINA, "8")
    sim.text(AMINA, "Amina wants to teach")
    assert sim.text(AMINA, "FORGET")[0].startswith("This erases your name")
    assert sim.text(AMINA, "FORGET YES") == ["Done. We erased your details and will not text you again."]
    sim.advance(timedelta(hours=1))
    needles = ("8165550123", "Amina")
    with uow() as session:
        found = []
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, (String, Text)) or column.name in ("state", "replies", "conversation"):
                    for needle in needles:
                        rows = session.execute(
                            sql(f"SELECT COUNT(*) FROM {table.name} WHERE CAST({column.name} AS TEXT) LIKE :n"),
                            {"n": f"%{needle}%"},
                        ).scalar()
                        if rows:
                            found.append((table.name, column.name, needle))
        assert found == []
        scores = dict(session.execute(select(Answer.question_key, Answer.value)).all())
    assert scores["learner:goal"] == "4" and scores["learner:recommend"] == "8" and scores["learner:next"] is None
    assert sim.text(AMINA, "HELP")[0].startswith("To join a learning circle")  # a stranger now


def test_export_csv(runtime, uow):
    sim = setup(runtime, uow, weeks=2)
    sim.text(BEN, "Is there parking?")  # relayed to the facilitator: Ben gets his #handle
    ms = meetings(uow)
    sim.run_until(ms[0][2] - timedelta(hours=20))
    sim.text(AMINA, "1"), sim.text(BEN, "2")
    sim.run_until(ms[-1][2] + timedelta(hours=30))
    for reply in ("5", "4", "3", "10", "A new job"):
        sim.text(AMINA, reply)
    sim.text(FAC, "4")
    with uow() as session:
        circle = find(session, "KC42")
        learners = export.to_csv(export.learners(session, circle))
        facilitator = export.to_csv(export.facilitator(session, circle))
    rows = list(csv.DictReader(io.StringIO(learners)))
    assert [(r["handle"], r["name"], r["phone"]) for r in rows] == [
        ("#1", "Amina", "'+1******0123"),  # a leading + is a formula to a spreadsheet; #N from enrollment
        ("#2", "Ben", "'+1******0124"),
    ]
    assert (rows[0]["rsvp_1"], rows[1]["rsvp_1"]) == ("yes", "no")
    assert rows[0]["learner:recommend"] == "10" and rows[0]["learner:next"] == "A new job"
    assert rows[1]["learner:goal"] == ""
    answers = list(csv.reader(io.StringIO(facilitator)))
    assert answers == [["facilitator", "meeting", "question", "answer"], ["'" + mask(FAC), "", "facilitator:goal", "4"]]
    for number in (AMINA, BEN, FAC):
        assert number[2:] not in learners + facilitator  # never a full number
