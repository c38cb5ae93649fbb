"""Which send job an outbox row waits in: one of its own, or a batch of rows planned together.

A reminder fan-out plans thousands of rows in one pass. One RQ job per row made the enqueue alone
cost three times the INSERT of the rows (issue 15). So rows written together (``outbox.insert_new``
with several rows) are put in batches, in the order they are to go out: at most ``BATCH_SIZE`` rows
whose send times lie within ``BATCH_SPAN``, one job each (``jobs.send_batch``), due when the batch's
last row is. The batch's name is stored on the row (``outbox.batch``) in the same INSERT, so the
sweeper can tell a due row whose batch job is still waiting (or running) from one whose job was lost,
and queues only the latter again. A reply to someone's own text is a single row: it gets its own job,
as before, and never waits behind a fan-out's batch.

Exactly once does not rest on the jobs: ``send_outbox`` claims each row atomically, so a batch that
runs twice (a sweep racing a slow worker) sends nothing twice.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta

BATCH_SIZE = 50  # rows per batch job: a fan-out of 100,000 is 2,000 jobs, and no batch holds a worker long
BATCH_SPAN = timedelta(seconds=60)  # the first row of a batch goes at most this much after its own time


def assign(rows: list[dict], run: str | None = None) -> list[dict]:
    """Puts ``rows`` (``outbox.row`` dicts) in sending order and names each row's batch, in place.

    Rows are ordered by their send time (stable, so rows due together keep the planner's order, circle
    by circle); a new batch starts every ``BATCH_SIZE`` rows and wherever the send time moves on by
    more than ``BATCH_SPAN``. A batch is named after its rows' dedupe keys, so the same rows always make
    the same batch (a replayed text plans the same outbox, byte for byte) and rows with other keys
    never share a name. ``run`` names them ``<run>-<n>`` instead (the sweeper's fresh batches).
    """
    rows.sort(key=_send_after)
    groups: list[list[dict]] = []
    first = None
    for row in rows:
        if first is None or len(groups[-1]) >= BATCH_SIZE or row["send_after"] - first > BATCH_SPAN:
            groups.append([])
            first = row["send_after"]
        groups[-1].append(row)
    for number, group in enumerate(groups, 1):
        name = f"{run}-{number}" if run else _digest(group)
        for row in group:
            row["batch"] = name
    return rows


def _digest(group: list[dict]) -> str:
    keys = "\n".join(row["dedupe_key"] for row in group)
    return hashlib.blake2b(keys.encode(), digest_size=12).hexdigest()


def _send_after(row: dict) -> datetime:
    return row["send_after"]


def rebatch(rows: list, run: str | None = None) -> dict[int, str]:
    """New batch names for rows ``(id, send_after, attempts, batch)`` whose job was lost, in send order:
    ``run`` (a fresh random one by default) makes them differ from every earlier name."""
    named = assign([{"id": r[0], "send_after": r[1]} for r in rows], run or uuid.uuid4().hex[:16])
    return {row["id"]: row["batch"] for row in named}
