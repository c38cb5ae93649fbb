"""A whole 6-week circle on a simulated clock: 12 learners answering, ignoring and STOPping at random.

Hypothesis picks each learner's behaviour and the moment a stopper texts STOP. The real service,
planners and send job run; only the clock is simulated. Checked afterwards:
- every learner who did not stop got exactly one survey and at most one survey reminder;
- nobody who stopped got anything after their STOP;
- the stored answers equal the answers sent;
- a learner who answers everything got at most 30 SMS segments (issue 16; ``bot.reports.circle_cost`` checks the
  same with the longest values in every locale, in milliseconds);
- a late joiner (issue 22, item 2), who joins once meeting 1 was held and its check-ins went out and then
  ignores everything: nothing about meeting 1, a reminder for each later meeting, a check-in (not "we miss
  you") after meeting 2, the learner survey at the end, and not "no reply" for meeting 1 in the charts or
  the CSV (``late_joiner_joins``, ``check_late_joiner``).
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy import text as sql

from bot.reports import export, stats
from bot.reports.circle_cost import MAX_PER_CIRCLE
from bot.store.models import Address, Answer, Circle, Enrollment, Meeting, Message, Outbox
from flows.timing import QuietHours, follow_up_time
from tests.conftest import TABLES
from tests.helpers import contact_of, make_circle
from tests.integration.sim import Sim

LEARNERS = 12
ANSWERS = {"scale5": "4", "scale10": "9", "text": "Keep learning", "yesno": "yes", "number": "3"}
behaviour = st.sampled_from(["answer", "ignore", "stop"])


def reset(uow):
    with uow() as session:
        for table in TABLES:
            session.execute(sql(f"DELETE FROM {table}"))
        session.commit()


@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    plan=st.lists(st.tuples(behaviour, st.integers(min_value=0, max_value=60)), min_size=LEARNERS, max_size=LEARNERS)
)
def test_six_week_circle(runtime, uow, plan):
    from flows import survey as survey_flow
    from flows import surveys

    reset(uow)
    make_circle(uow, weeks=6, facilitator="+18165550100", capacity=LEARNERS + 1)  # + the late joiner
    sim = Sim(runtime, quiet_hours="21:00-08:00")
    phones = [f"+1816555{1000 + i:04d}" for i in range(LEARNERS)]
    for i, phone in enumerate(phones):
        sim.text(phone, "JOIN KC42"), sim.text(phone, f"Learner{chr(65 + i)}"), sim.text(phone, "1")
    with uow() as session:
        last = session.scalar(select(Meeting.starts_at).order_by(Meeting.seq.desc()))
    stopped_at: dict[str, int] = {}
    sent: dict[str, dict[str, str]] = {p: {} for p in phones}
    seen: dict[str, int] = {p: 0 for p in phones}
    step = 0
    late_joined, late_at = False, late_joiner_time(uow)  # the late joiner (issue 22, item 2)
    while sim.now < last + timedelta(days=16):
        sim.advance(timedelta(hours=6))
        step += 1
        if not late_joined and sim.now >= late_at:
            late_joined = late_joiner_joins(sim)
        # Texts reach a learner only from the outbox (in ``advance``), so one read per step sees what
        # a read per learner just before their turn would.
        arrived = sim.inboxes({p: seen[p] for p in phones if p not in stopped_at})
        for phone, (kind, stop_step) in zip(phones, plan, strict=True):
            if phone in stopped_at:
                continue
            if kind == "stop" and step >= stop_step:
                sim.text(phone, "STOP")
                stopped_at[phone] = max([i for i, _ in sim.inbox(phone)] or [0])
                continue
            new = arrived[phone]
            if not new:
                continue
            seen[phone] = new[-1][0]
            if kind != "answer":
                continue
            state = sim.conversation(phone)
            if state and state.get("flow") == survey_flow.FLOW:
                while state and state.get("flow") == survey_flow.FLOW:
                    question = survey_flow.question(state)
                    sent[phone][f"learner:{question.key}"] = ANSWERS[question.kind]
                    sim.text(phone, ANSWERS[question.kind])
                    state = sim.conversation(phone)
            else:
                sim.text(phone, "1")

    with uow() as session:
        enrollment_of = dict(
            session.execute(
                select(Address.value, Enrollment.id).join(Enrollment, Enrollment.contact_id == Address.contact_id)
            ).all()
        )
        stored = {}
        for subject, key, value in session.execute(select(Answer.subject, Answer.question_key, Answer.value)):
            stored.setdefault(subject, {})[key] = value
    for phone, (kind, _) in zip(phones, plan, strict=True):
        inbox = sim.inbox(phone)
        if phone in stopped_at:
            assert [b for i, b in inbox if i > stopped_at[phone]] == [], phone
            continue
        assert len([b for _, b in inbox if "has ended" in b]) == 1, phone
        assert len([b for _, b in inbox if "Please finish our short survey" in b]) <= 1, phone
        survey_answers = {
            k: v for k, v in stored.get(f"enrollment:{enrollment_of[phone]}", {}).items() if k.startswith("learner:")
        }
        if kind == "answer":
            assert survey_answers == sent[phone] and len(survey_answers) == len(surveys.LEARNER.questions)
            with uow() as session:
                cost = sum(
                    session.scalars(
                        select(Message.segments).where(Message.direction == "out", Message.address == phone)
                    )
                )
            assert cost <= MAX_PER_CIRCLE, (phone, cost)
        else:
            assert survey_answers == {}
    assert late_joined
    check_late_joiner(sim, uow)


# -- the late joiner (issue 22, item 2) ------------------------------------------------------------
LATE = "+18165552000"


def late_joiner_time(uow):
    """When meeting 1's check-ins are out (its follow-up moment, plus a tick): the late joiner joins after."""
    with uow() as session:
        first = session.scalar(select(Meeting.starts_at).where(Meeting.seq == 1))
        tz = session.scalar(select(Circle.timezone))
    return follow_up_time(first, tz, QuietHours.parse("21:00-08:00")) + timedelta(minutes=1)


def late_joiner_joins(sim) -> bool:
    """Joins; in the same minute as the welcome, nothing about meeting 1 (no check-in, no "we miss you")."""
    welcome = sim.text(LATE, "JOIN KC42") + sim.text(LATE, "Latecomer") + sim.text(LATE, "1")
    assert any("You're in, Latecomer" in b for b in welcome), welcome
    sim.advance(timedelta(minutes=1))
    said = [b for _, b in sim.inbox(LATE)]
    assert not [b for b in said if "How did this week" in b or "We missed you" in b], said
    return True


def check_late_joiner(sim, uow) -> None:
    """What the late joiner, who ignored everything, was sent, and how the charts and the CSV count them."""
    with uow() as session:
        contact = contact_of(session, LATE)
        seq_of = dict(session.execute(select(Meeting.id, Meeting.seq)).all())
        ends_1 = session.scalar(select(Meeting.ends_at).where(Meeting.seq == 1))
        planned: dict[str, list] = {}
        for kind, key, meeting_id, conversation in session.execute(
            select(Outbox.kind, Outbox.dedupe_key, Outbox.meeting_id, Outbox.conversation).where(
                Outbox.contact_id == contact.id
            )
        ):
            about = (key.split(":")[0], conversation["survey"]) if kind == "survey" else seq_of[meeting_id]
            planned.setdefault(kind, []).append(about)
        circle = session.scalar(select(Circle))
        counted = {m.seq: m.yes + m.no + m.none for m in stats.rsvps(session, circle)}
        in_by_1 = session.scalar(
            select(func.count())
            .select_from(Enrollment)
            .where(Enrollment.status == "active", Enrollment.created_at < ends_1, Enrollment.contact_id != contact.id)
        )
        rows = list(csv.DictReader(io.StringIO(export.to_csv(export.learners(session, circle)))))
    assert sorted(planned["reminder"]) == [2, 3, 4, 5, 6]  # each meeting after they joined, none before
    assert planned["checkin"] == [2]  # meeting 2 was their first: asked how it went, not missed
    assert planned["missyou"] == [3]  # 2 and 3 both missed: fair
    assert sorted(planned["survey"]) == [("survey", "learner"), ("survey-reminder", "learner")]  # never answered
    assert set(planned) == {"reminder", "checkin", "missyou", "survey"}
    assert len([b for _, b in sim.inbox(LATE) if "has ended" in b]) == 1
    assert counted[1] == in_by_1 and counted[2] == in_by_1 + 1  # meeting 1: not "no reply" for them
    (late,) = [r for r in rows if r["name"] == "Latecomer"]
    assert (late["rsvp_1"], late["attended_1"], late["checkin_1"]) == ("n/a", "n/a", "n/a")
    assert late["rsvp_2"] == "" and late["checkin_2"] == ""
