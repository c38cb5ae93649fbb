"""A whole 6-week circle on a simulated clock: 12 learners answering, ignoring and STOPping at random.

Hypothesis picks each learner's behaviour and the moment a stopper texts STOP. The real service,
planners and send job run; only the clock is simulated. Checked afterwards:
- every learner who did not stop got exactly one survey and at most one survey reminder;
- nobody who stopped got anything after their STOP;
- the stored answers equal the answers sent;
- a learner who answers everything got at most 30 SMS segments (issue 16; ``bot.reports.circle_cost`` checks the
  same with the longest values in every locale, in milliseconds).
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy import text as sql

from bot.reports.circle_cost import MAX_PER_CIRCLE
from bot.store.models import Address, Answer, Enrollment, Meeting, Message
from tests.conftest import TABLES
from tests.helpers import make_circle
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
    make_circle(uow, weeks=6, facilitator="+18165550100", capacity=LEARNERS)
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
    while sim.now < last + timedelta(days=16):
        sim.advance(timedelta(hours=6))
        step += 1
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
