"""The sweeper: due outbox rows whose send job was lost are queued again (a crash, a flushed Redis).

The outbox table is the source of truth (DESIGN.md §3); the jobs only say when to look at it. The
worker's tick runs ``sweep`` every minute.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update

from bot.domain import batches as dispatch
from bot.domain import login, outbox
from bot.domain.outbox import Planned
from bot.outbound import publish, rendering
from bot.outbound.channels import NoAdapter, SendError
from bot.outbound.queue import QueueDown
from bot.store.db import collect
from bot.store.models import Outbox

log = logging.getLogger(__name__)


def sweep(rt, now: datetime) -> int:
    """Re-queues outbox rows that are due but whose job is gone; returns how many rows it queued.

    A row stuck in ``sending`` longer than the stuck time is reconciled with the provider first:
    if the text went out, the row is marked sent; if not, it goes back to pending. A due pending row
    whose job (its batch's, or its own) still waits, or started less than the stuck time ago, is
    left alone: a fan-out's rows are not queued twice while its batches are being sent. The others
    are put in new batches, in sending order.
    """
    _reconcile_stuck(rt, now)
    with rt.uow() as session:
        due = session.execute(
            select(Outbox.id, Outbox.send_after, Outbox.attempts, Outbox.batch)
            .where(Outbox.status == outbox.PENDING, Outbox.send_after <= now)
            .order_by(Outbox.id)
        ).all()
    if not due:
        return 0
    keys = {publish.job_key(batch, row_id, attempts) for row_id, _, attempts, batch in due}
    try:
        live = rt.queue.live(keys, now - rt.stuck_after)
    except QueueDown as exc:
        log.warning("queue down, %s due outbox rows wait for the next sweep: %s", len(due), exc)
        return 0
    lost = publish.lost(due, live)
    if not lost:
        return 0
    names = dispatch.rebatch(lost)
    members: dict[str, list[int]] = {}
    for row_id, batch in names.items():
        members.setdefault(batch, []).append(row_id)
    planned = [Planned(row_id, at, attempts, names[row_id]) for row_id, at, attempts, _ in lost]
    with rt.uow() as session:  # only rows still pending: one sent meanwhile keeps its record
        for batch, ids in members.items():
            session.execute(
                update(Outbox).where(Outbox.id.in_(ids), Outbox.status == outbox.PENDING).values(batch=batch)
            )
        collect(session, *planned)
        session.commit()  # queues their jobs
    return len(planned)


def _reconcile_stuck(rt, now: datetime) -> None:
    with rt.uow() as session:
        stuck = session.execute(
            select(Outbox.id, Outbox.address, Outbox.body, Outbox.channel, Outbox.claimed_at, Outbox.kind).where(
                Outbox.status == outbox.SENDING, Outbox.claimed_at < now - rt.stuck_after
            )
        ).all()
    for row_id, address, body, channel, claimed_at, kind in stuck:  # no transaction open during the HTTP call
        try:
            if kind == outbox.OutboxKind.LOGIN:  # its body is masked: ask for the text that went out
                body = _sent_text(rt, row_id)
            found = rt.channels.adapter(channel, address).find_sent(
                address, body or "", claimed_at - timedelta(seconds=5), channel
            )
        except (SendError, NoAdapter, login.WrongKey) as exc:  # cannot say yet: leave the row for the next sweep
            log.warning("cannot reconcile outbox row %s yet: %s", row_id, exc)
            continue
        values = {"status": outbox.SENT, "provider_id": found, "sent_at": now} if found else {"status": outbox.PENDING}
        with rt.uow() as session:  # only if nobody claimed it again meanwhile
            session.execute(
                update(Outbox)
                .where(Outbox.id == row_id, Outbox.status == outbox.SENDING, Outbox.claimed_at == claimed_at)
                .values(**values)
            )
            session.commit()


def _sent_text(rt, row_id: int) -> str:
    """The text a row sent, rendered again (a sign-in code, derived from its salt)."""
    with rt.uow() as session:
        return rendering.render_row(session, session.get_one(Outbox, row_id), rt.settings.secret_key).text
