"""What a committed unit of work collected, turned into jobs (wired into ``UnitOfWork.publish``).

New outbox rows (``bot.domain.outbox.Planned``) get their send jobs: a job per batch, or per row for
a row on its own (``bot.domain.batches``); an erasure (``bot.domain.erase.Erased``) gets its scrub
job. Jobs are named by their import path, as RQ stores them, so this module needs no job module and
the runtime that wires it imports no job (the jobs import the runtime).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

from bot.domain.erase import Erased
from bot.domain.outbox import Planned
from bot.outbound.queue import JobQueue, QueueDown

log = logging.getLogger(__name__)
SEND_ONE = "bot.outbound.jobs.send_outbox"
SEND_BATCH = "bot.outbound.jobs.send_batch"
SCRUB = "bot.outbound.scrub.scrub"
BATCH_TIMEOUT = 3600  # seconds: a batch of 50 waits its pacing turns; RQ's default 180 s is too short


def single_key(row_id: int, attempts: int) -> str:
    """The job key of a row sent on its own: it names the attempt, so a job a killed worker left
    "started" never keeps the next attempt from being queued."""
    return f"outbox-{row_id}-{attempts}"


def batch_key(batch: str) -> str:
    """The job key of a batch."""
    return f"batch-{batch}"


def job_items(planned: Iterable) -> tuple[list, list]:
    """Splits planned rows (``outbox.Planned``) into single-row job items ``((row_id,), key, at)`` and
    batch job items ``((row_ids,), key, at)``, a batch's rows in the order they were planned and its
    job due with its last row."""
    singles: list = []
    batches: dict[str, tuple[list[int], datetime]] = {}
    for p in planned:
        if p.batch is None:
            singles.append(((p.row_id,), single_key(p.row_id, p.attempts), p.send_after))
            continue
        ids, at = batches.get(p.batch, ([], p.send_after))
        ids.append(p.row_id)
        batches[p.batch] = (ids, max(at, p.send_after))
    return singles, [((ids,), batch_key(batch), at) for batch, (ids, at) in batches.items()]


def job_key(batch: str | None, row_id: int, attempts: int) -> str:
    """The key of the job a pending row waits in."""
    return batch_key(batch) if batch else single_key(row_id, attempts)


def lost(rows: list, live: set[str]) -> list:
    """The due pending rows ``(id, send_after, attempts, batch)`` whose job is not in ``live``: the
    sweeper queues these again, in new batches."""
    return [r for r in rows if job_key(r[3], r[0], r[2]) not in live]


def enqueue_rows(queue: JobQueue, planned: Iterable[Planned]) -> int:
    """Queues the send jobs of planned rows; rows the queue cannot take wait for the sweeper.

    A row of its own that its transaction just inserted (``Planned.fresh``) has a key no job can hold
    yet: its job is queued without first asking Redis for one (a round trip less for every relay, issue
    31). Were a job there after all (a sweeper's, or one left by an earlier database in the same
    namespace), the row would be queued twice, and ``send_outbox``'s atomic claim sends it once.

    Returns how many jobs were new.
    """
    planned = list(planned)
    fresh, _ = job_items(p for p in planned if p.fresh and p.batch is None)
    singles, batched = job_items(p for p in planned if not (p.fresh and p.batch is None))
    try:
        new = queue.enqueue_many(SEND_ONE, fresh, fresh=True) if fresh else 0
        new += queue.enqueue_many(SEND_ONE, singles) if singles else 0
        return new + (queue.enqueue_many(SEND_BATCH, batched, retry=False, timeout=BATCH_TIMEOUT) if batched else 0)
    except QueueDown as exc:
        jobs = len(fresh) + len(singles) + len(batched)
        log.warning("queue down, %s outbox jobs wait for the sweeper: %s", jobs, exc)
        return 0


def scrub_after_erasure(queue: JobQueue, erased: Erased) -> bool:
    """Queues the scrub that removes what an erasure left on disk; False when the queue is down."""
    try:
        return bool(queue.enqueue(SCRUB, key=f"scrub-{erased.at:%Y%m%d%H%M%S%f}"))
    except QueueDown as exc:
        log.warning("queue down: the post-erasure scrub waits for the next erasure: %s", exc)
        return False


class HasQueue(Protocol):
    """What the publisher needs of the process: its queue (the runtime)."""

    queue: JobQueue


def publisher(process: HasQueue) -> Callable[[Sequence[Any]], None]:
    """The ``UnitOfWork.publish`` of a process: the queue is read from ``process`` at publish time, so a
    test that replaces the runtime's queue is obeyed."""

    def publish(items: Sequence[Any]) -> None:
        planned = [item for item in items if isinstance(item, Planned)]
        if planned:
            enqueue_rows(process.queue, planned)
        for item in items:
            if isinstance(item, Erased):
                scrub_after_erasure(process.queue, item)

    return publish
