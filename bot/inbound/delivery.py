"""Delivery status callbacks: each (message, status) once, and a status never moves backwards.

A failure is acted on by its class (``bot.domain.reach``): 21610 opts the address out; a failure for
good (30003, 30005, 30006…) marks the address as not reachable by text and tells the facilitators once;
a failure for a moment (63018, 30001…) sends the message again through the outbox, with a back-off,
at most ``MAX_RESENDS`` times (counted by the row's ``attempts``). The row goes back to pending only
from ``sent`` with that provider id, so a replayed or late callback cannot send it twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain import contacts, outbox, reach
from bot.domain.outbox import Planned
from bot.store.db import collect
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
    "partially_delivered": 4,
    "undelivered": 4,
    "failed": 4,
    "canceled": 4,
    "read": 5,
}
# Every status Twilio (and Africa's Talking, mapped) may report; any other is refused, not stored.
STATUSES = frozenset(RANK)
UNSUBSCRIBED = "21610"
FAILED = frozenset({"undelivered", "failed"})
RESEND_AFTER = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
MAX_RESENDS = len(RESEND_AFTER)


class UnknownStatus(ValueError):
    """A status no provider sends: refused (HTTP 400), never stored."""


def record(uow, provider_id: str, status: str, error_code: str | None, now: datetime) -> bool:
    """Stores one status callback and acts on a failure. Returns False when it was a replay (nothing changed).

    Raises:
        UnknownStatus: ``status`` is none of ``STATUSES``.
    """
    status = status.lower()
    if status not in STATUSES:
        raise UnknownStatus(status)
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
        elif status in FAILED and error_code:
            _act_on_failure(session, provider_id, error_code, now)
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


def _act_on_failure(session: Session, provider_id: str, code: str, now: datetime) -> None:
    kind = reach.classify(code)
    row = session.scalar(select(Outbox).where(Outbox.provider_id == provider_id))
    if row is None or kind is None:
        return
    if kind == reach.FOR_GOOD:
        address = contacts.of_row(session, row.address_id, row.channel, row.address)
        if address is not None:
            reach.mark(session, address, code, now)  # its notices are queued by the commit
        return
    sends = row.attempts or 1  # each send claimed the row once
    if sends > MAX_RESENDS:
        return
    at = now + RESEND_AFTER[sends - 1]
    again = cast(
        "CursorResult[Any]",
        session.execute(
            update(Outbox)
            .where(Outbox.id == row.id, Outbox.status == outbox.SENT, Outbox.provider_id == provider_id)
            .values(
                status=outbox.PENDING,
                send_after=at,
                delivery_status=None,
                batch=None,
                last_error=f"provider error {code}: sent again"[:200],
            )
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    if again:
        collect(session, Planned(row.id, at, row.attempts))
