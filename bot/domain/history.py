"""What a facilitator sent (broadcasts and relay answers) and how each learner's copy fared.

Each message is one ``sent_message`` row; its copies are the outbox rows of its key, and each copy's status
comes from the send job and the provider's delivery callbacks (``bot.inbound.delivery``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.domain import outbox, relay_handles
from bot.store.models import Address, Circle, Contact, Outbox, SentMessage

SHOWN = 100  # the newest messages the history page lists


class SentKind(StrEnum):
    """What a facilitator sent, as stored in ``sent_message.kind``."""

    BROADCAST = "broadcast"  # to the whole circle (the message page, MSG by text)
    RELAY = "relay"  # an answer to one learner (the inbox, #N by text)


class Copy(StrEnum):
    """Where one learner's copy is, in the words the page shows."""

    WAITING = "waiting"  # not sent yet (paced, or quiet hours)
    SENT = "sent"  # handed to the provider, no delivery report yet
    DELIVERED = "delivered"
    FAILED = "failed"
    STOPPED = "stopped"  # the learner had asked for no more texts, so it was not sent
    NOT_SENT = "not sent"  # withdrawn (the learner left or was erased)


DELIVERED = frozenset({"delivered", "read"})
FAILED = frozenset({"failed", "undelivered"})


@dataclass(frozen=True)
class Recipient:
    """One learner's copy of a sent message."""

    name: str
    handle: int | None
    channel: str
    status: Copy


@dataclass(frozen=True)
class Sent:
    """One message in the history, newest first."""

    at: datetime
    kind: str
    text: str
    copies: tuple[Recipient, ...]

    def count(self, status: Copy) -> int:
        """How many copies are in ``status``."""
        return sum(1 for c in self.copies if c.status == status)


def record(
    session: Session, circle_id: int, kind: SentKind, key: str, text: str, now: datetime, about: int | None = None
) -> None:
    """Notes a message a facilitator sent (its outbox rows are written under ``key`` by the caller)."""
    session.add(
        SentMessage(circle_id=circle_id, kind=kind, outbox_key=key, text=text, about_contact_id=about, created_at=now)
    )
    session.flush()


def copy_status(row: Outbox, opted_out: bool) -> Copy:
    """One outbox row's standing, from the send job's status and the provider's delivery report."""
    if row.status in (outbox.PENDING, outbox.SENDING, outbox.HELD):
        return Copy.WAITING
    if row.status == outbox.FAILED or row.delivery_status in FAILED:
        return Copy.FAILED
    if row.status == outbox.CANCELLED:
        return Copy.STOPPED if opted_out else Copy.NOT_SENT
    if row.delivery_status in DELIVERED:
        return Copy.DELIVERED
    return Copy.SENT


def entries(session: Session, circle: Circle, limit: int = SHOWN) -> list[Sent]:
    """The circle's sent messages, newest first, each with every learner's copy."""
    found = session.scalars(
        select(SentMessage)
        .where(SentMessage.circle_id == circle.id)
        .order_by(SentMessage.created_at.desc(), SentMessage.id.desc())
        .limit(limit)
    ).all()
    if not found:
        return []
    rows = session.execute(
        select(Outbox, Contact.name, Address.opted_out_at)
        .join(Contact, Contact.id == Outbox.contact_id)
        .outerjoin(Address, Address.id == Outbox.address_id)
        .where(
            or_(
                *(
                    Outbox.dedupe_key == m.outbox_key
                    if m.kind == SentKind.RELAY
                    else Outbox.dedupe_key.startswith(m.outbox_key + ":", autoescape=True)
                    for m in found
                )
            )
        )
        .order_by(Outbox.id)
    ).all()
    handles = relay_handles.numbers(session, circle.facilitator_id)
    by_key: dict[str, list[Recipient]] = {}
    keys = {m.outbox_key: m for m in found}
    for row, name, opted_out_at in rows:
        key = row.dedupe_key if row.dedupe_key in keys else row.dedupe_key.rsplit(":", 1)[0]
        by_key.setdefault(key, []).append(
            Recipient(
                name or "",
                handles.get(row.contact_id) if row.contact_id is not None else None,
                row.channel,
                copy_status(row, opted_out_at is not None),
            )
        )
    return [Sent(m.created_at, m.kind, m.text, tuple(by_key.get(m.outbox_key, ()))) for m in found]
