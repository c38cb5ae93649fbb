"""FORGET: erasing a learner's personal data, keeping anonymous counts.

Removed: name, language, and every address (phones, Telegram chat); every message body, address and stored reply of
theirs; their conversation, relay handles and free-text answers; the bodies of texts that carried
their name to a facilitator. Kept: enrollments (as "left"), RSVPs, and scale, number and yes/no
survey answers, which name no one. Afterwards the number is unknown to the bot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from bot.domain import enrollments, outbox
from bot.store.db import collect
from bot.store.models import (
    Address,
    Answer,
    Contact,
    Conversation,
    Enrollment,
    LinkCode,
    LoginCode,
    Message,
    Outbox,
    RelayHandle,
    SentMessage,
)
from flows import surveys

ERASED = "erased"
FREE_TEXT_KEYS = {
    f"{s.name}:{q.key}" for s in (surveys.LEARNER, surveys.FACILITATOR) for q in s.questions if q.kind == surveys.TEXT
}


@dataclass(frozen=True)
class Erased:
    """An erasure was committed at ``at``: what it left on disk is scrubbed (``bot.outbound.scrub``)."""

    at: datetime


def erase_contact(session: Session, contact: Contact, now: datetime) -> None:
    """Erases ``contact``'s personal data in the current transaction; its commit queues the scrub."""
    collect(session, Erased(now))
    owned = session.execute(select(Address.id, Address.value).where(Address.contact_id == contact.id)).all()
    address_ids = [a for a, _ in owned]
    addresses = [v for _, v in owned]
    carried = select(Outbox.id).where(
        or_(
            Outbox.contact_id == contact.id,
            Outbox.about_contact_id == contact.id,
            Outbox.address.in_(addresses),
            Outbox.address_id.in_(address_ids),
        )
    )
    provider_ids = select(Outbox.provider_id).where(Outbox.id.in_(carried), Outbox.provider_id.is_not(None))
    session.execute(
        update(Message)
        .where(
            or_(Message.contact_id == contact.id, Message.address.in_(addresses), Message.provider_id.in_(provider_ids))
        )
        .values(body="", address=ERASED, replies=None, contact_id=None)
    )
    session.execute(
        update(Outbox)
        .where(Outbox.id.in_(carried), Outbox.status == outbox.PENDING)
        .values(status=outbox.CANCELLED, last_error="erased")
    )
    session.execute(
        update(Outbox)
        .where(Outbox.id.in_(carried))
        .values(body="", address=ERASED, conversation=None, replies=None, address_id=None)
    )
    session.execute(delete(Conversation).where(Conversation.contact_id == contact.id))
    session.execute(delete(RelayHandle).where(RelayHandle.contact_id == contact.id))
    session.execute(delete(LinkCode).where(LinkCode.contact_id == contact.id))
    session.execute(delete(SentMessage).where(SentMessage.about_contact_id == contact.id))  # answers to them
    enrollment_ids = [e for e in session.scalars(select(Enrollment.id).where(Enrollment.contact_id == contact.id))]
    subjects = [f"enrollment:{e}" for e in enrollment_ids]
    if subjects:
        session.execute(
            update(Answer)
            .where(
                Answer.subject.in_(subjects),
                or_(Answer.question_key.in_(FREE_TEXT_KEYS), Answer.question_key.like("how%:reflection")),
            )
            .values(value=None)
        )
    enrollments.leave(session, contact.id)
    session.execute(
        delete(LoginCode).where(LoginCode.address_id.in_(select(Address.id).where(Address.contact_id == contact.id)))
    )
    session.execute(delete(Address).where(Address.contact_id == contact.id))
    contact.name = contact.language = contact.timezone = None
    contact.erased_at = now
