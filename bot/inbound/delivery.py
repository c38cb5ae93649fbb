"""Delivery status callbacks: each (message, status) once, and a status never moves backwards."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain import contacts
from bot.store.models import DeliveryEvent, Outbox

# How far along a message is; a later callback with a lower rank changes nothing.
RANK = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "receiving": 3,
    "received": 3,
    "delivered": 4,
    "undelivered": 4,
    "failed": 4,
    "canceled": 4,
    "read": 5,
}
UNSUBSCRIBED = "21610"


def record(uow, provider_id: str, status: str, error_code: str | None, now: datetime) -> bool:
    """Stores one status callback. Returns False when it was a replay (nothing changed)."""
    status = status.lower()
    with uow() as session:
        try:
            with session.begin_nested():
                session.add(
                    DeliveryEvent(provider_id=provider_id, status=status, error_code=error_code, created_at=now)
                )
        except IntegrityError:
            return False
        _advance(session, provider_id, status)
        if error_code == UNSUBSCRIBED:
            _opt_out(session, provider_id, now)
        session.commit()
    return True


def _advance(session: Session, provider_id: str, status: str) -> None:
    row = session.scalar(select(Outbox).where(Outbox.provider_id == provider_id).with_for_update())
    if row is None:
        return
    if RANK.get(status, -1) > RANK.get(row.delivery_status or "", -1):
        row.delivery_status = status


def _opt_out(session: Session, provider_id: str, now: datetime) -> None:
    """The carrier says this recipient unsubscribed: that address (only) is opted out."""
    row = session.execute(
        select(Outbox.address_id, Outbox.channel, Outbox.address).where(Outbox.provider_id == provider_id)
    ).first()
    address = contacts.of_row(session, *row) if row else None
    if address is not None and address.opted_out_at is None:
        contacts.opt_out(session, address, now)
