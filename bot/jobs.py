"""RQ jobs: they take ids, open their own session, and are idempotent."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from sqlalchemy import or_, select, update

from bot import outbox, runtime
from bot.channels import SendError
from bot.models import Contact, Outbox
from bot.phone import mask
from bot.queue import QueueDown

log = logging.getLogger(__name__)
STUCK_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 6


def send_outbox(row_id: int) -> str:
    """Sends outbox row ``row_id`` once. Returns the row's final status.

    A row already sent, cancelled or failed is left alone. The contact's opt-out is checked here,
    at send time. A transient error re-raises so RQ's ``Retry`` tries again.
    """
    rt = runtime.current()
    now = datetime.now(timezone.utc)
    with rt.uow() as session:
        claimed = session.execute(
            update(Outbox)
            .where(Outbox.id == row_id, Outbox.status == outbox.PENDING, Outbox.send_after <= now)
            .values(status=outbox.SENDING, attempts=Outbox.attempts + 1)
        ).rowcount
        row = session.get(Outbox, row_id)
        if row is None:
            return "missing"
        if not claimed:
            return row.status
        contact = session.scalar(select(Contact).where(Contact.phone == row.address))
        if contact is not None and (contact.opted_out_at or contact.erased_at):
            row.status, row.last_error = outbox.CANCELLED, "opted out"
            session.commit()
            return row.status
        session.commit()
        address, body, channel = row.address, row.body, row.channel

    try:
        sent = rt.channel.send(address, body, channel)
    except SendError as exc:
        with rt.uow() as session:
            row = session.get(Outbox, row_id)
            row.last_error = str(exc)[:200]
            if exc.code == 21610:
                contact = session.scalar(select(Contact).where(Contact.phone == address))
                if contact is not None and contact.opted_out_at is None:
                    contact.opted_out_at = now
            row.status = outbox.PENDING if exc.retry and row.attempts < MAX_ATTEMPTS else outbox.FAILED
            session.commit()
        log.warning("send to %s failed: %s", mask(address), exc)
        if exc.retry:
            raise
        return outbox.FAILED
    with rt.uow() as session:
        row = session.get(Outbox, row_id)
        row.status, row.provider_id, row.sent_at = outbox.SENT, sent.provider_id, datetime.now(timezone.utc)
        session.commit()
    return outbox.SENT


def enqueue_row(row_id: int, send_after: datetime) -> bool:
    """Queues the send job for one outbox row; False when the queue is down (the sweeper retries)."""
    try:
        return runtime.current().queue.enqueue(send_outbox, row_id, key=f"outbox-{row_id}", at=send_after)
    except QueueDown as exc:
        log.warning("queue down, outbox row %s waits for the sweeper: %s", row_id, exc)
        return False


def sweep(now: datetime | None = None) -> int:
    """Re-queues outbox rows that are due but not sent (a lost job, a flushed Redis, a crash).

    Rows stuck in ``sending`` for longer than STUCK_AFTER go back to ``pending`` first.
    """
    rt = runtime.current()
    now = now or datetime.now(timezone.utc)
    with rt.uow() as session:
        session.execute(
            update(Outbox)
            .where(Outbox.status == outbox.SENDING, or_(Outbox.sent_at.is_(None)),
                   Outbox.send_after <= now - STUCK_AFTER)
            .values(status=outbox.PENDING)
        )
        session.commit()
        due = session.execute(
            select(Outbox.id, Outbox.send_after).where(Outbox.status == outbox.PENDING, Outbox.send_after <= now)
        ).all()
    return sum(1 for row_id, at in due if enqueue_row(row_id, at))
