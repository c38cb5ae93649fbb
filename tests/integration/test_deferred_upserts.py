"""An RSVP's or a survey answer's upsert is sent with the inbound row (issue 15), on both backends.

On PostgreSQL it is a data-modifying CTE of the inbound row's INSERT; on SQLite it is sent just before
it. Either way the row is written once, a changed mind updates it, a replay writes nothing, and an
effect that comes after it in the same message sees it (the deferred upserts are written first).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from bot.domain.erase import FREE_TEXT_KEYS
from bot.inbound.effects import Applier
from bot.inbound.service import Draft, handle_inbound
from bot.store.models import Answer, Enrollment, Message, Rsvp
from flows.inbound import Inbound
from flows.results import Erase, RecordAnswer, RecordRsvp
from tests.helpers import contact_of
from tests.integration.test_followups import AMINA, meetings, setup


def rsvps(uow):
    with uow() as session:
        return session.execute(select(Rsvp.meeting_id, Rsvp.contact_id, Rsvp.answer)).all()


def test_an_rsvp_is_stored_once_changed_and_not_replayed(runtime, uow):
    sim = setup(runtime, uow, weeks=2)
    first = meetings(uow)[0]
    sim.run_until(first[2] - timedelta(hours=20))  # the reminder for meeting 1 has gone out
    with uow() as session:
        amina = contact_of(session, AMINA).id

    yes = Inbound("sms", AMINA, "1", "SMdeferred-yes", sim.now)
    answered = handle_inbound(runtime.uow, yes, runtime.settings)
    assert [(m, c, a) for m, c, a in rsvps(uow)] == [(first[0], amina, "yes")]

    again = handle_inbound(runtime.uow, yes, runtime.settings)  # a replay: same answer, nothing written
    assert again.replay and again.replies == answered.replies
    assert [(m, c, a) for m, c, a in rsvps(uow)] == [(first[0], amina, "yes")]

    handle_inbound(runtime.uow, Inbound("sms", AMINA, "2", "SMdeferred-no", sim.now), runtime.settings)
    assert [(m, c, a) for m, c, a in rsvps(uow)] == [(first[0], amina, "no")]  # a changed mind
    with uow() as session:
        stored = session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.provider_id.in_(("SMdeferred-yes", "SMdeferred-no")))
        )
    assert stored == 2


def test_an_effect_after_a_deferred_upsert_sees_its_row(runtime, uow):
    """A free-text answer then FORGET in one message: the answer is written before FORGET runs, so FORGET
    blanks it (were it sent after, with the inbound row, the words would outlive the erasure)."""
    setup(runtime, uow, weeks=2)
    now = datetime.now(timezone.utc)
    question = sorted(FREE_TEXT_KEYS)[0]
    with uow() as session:
        contact = contact_of(session, AMINA)
        enrollment = session.scalar(select(Enrollment.id).where(Enrollment.contact_id == contact.id))
        subject = f"enrollment:{enrollment}"
        draft = Draft("sms", "SMdeferred-order", AMINA, "FORGET YES", now, contact.id)
        applier = Applier(session, runtime.settings, contact, None, draft, now)
        applier.apply([RecordAnswer(subject, "KC42", question, "my private words"), Erase()])
        assert applier.take_deferred() == []  # nothing left to send with the inbound row
        session.commit()
    with uow() as session:
        kept = session.execute(
            select(Answer.value).where(Answer.subject == subject, Answer.question_key == question)
        ).all()
    assert kept == [(None,)]


def test_a_trailing_upsert_is_left_for_the_inbound_row(runtime, uow):
    """An RSVP as the last effect is not sent by the applier: the service sends it with the inbound row."""
    setup(runtime, uow, weeks=2)
    first = meetings(uow)[0]
    now = datetime.now(timezone.utc)
    with uow() as session:
        contact = contact_of(session, AMINA)
        draft = Draft("sms", "SMdeferred-trailing", AMINA, "1", now, contact.id)
        applier = Applier(session, runtime.settings, contact, None, draft, now)
        applier.apply([RecordRsvp(first[0], "yes")])
        deferred = applier.take_deferred()
        assert len(deferred) == 1 and deferred[0].values["answer"] == "yes"
        assert session.scalar(select(func.count()).select_from(Rsvp).where(Rsvp.contact_id == contact.id)) == 0


def test_two_upserts_of_one_row_in_one_message_go_one_by_one(runtime, uow):
    """A data-modifying CTE may not upsert a row another CTE of the same statement upserts: the second
    answer wins, as it would have one statement at a time."""
    from bot.inbound.service import _insert_message

    setup(runtime, uow, weeks=2)
    first = meetings(uow)[0]
    now = datetime.now(timezone.utc)
    with uow() as session:
        contact = contact_of(session, AMINA)
        draft = Draft("sms", "SMdeferred-twice", AMINA, "1", now, contact.id)
        applier = Applier(session, runtime.settings, contact, None, draft, now)
        applier.apply([RecordRsvp(first[0], "yes"), RecordRsvp(first[0], "no")])
        assert _insert_message(session, draft, {"language": "en", "replies": []}, applier.take_deferred())
        session.commit()
    assert [(m, a) for m, _c, a in rsvps(uow) if _c == contact.id] == [(first[0], "no")]
