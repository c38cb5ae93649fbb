"""Batch send jobs (bot/domain/batches.py): rows written together go out in batches, in sending order, each once.

On both backends against the Twilio stand-in: the embedded queue, and RQ on a real Redis run by a
real ``SimpleWorker``. Before issue 15 every planned row had its own RQ job; these tests fail there.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from bot.domain import batches as dispatch
from bot.domain import outbox
from bot.domain.outbox import Recipient
from bot.outbound import jobs, publish
from bot.store.models import Outbox
from flows import keys
from flows.results import Reply
from tests.helpers import twilio_runtime_for, work_burst


@pytest.fixture
def twilio_runtime(backend, tmp_path):
    with twilio_runtime_for(backend, tmp_path, TWILIO_TIMEOUT="1", OUTBOX_STUCK_AFTER="5m") as running:
        yield running


def phone(i: int) -> str:
    return f"+1816300{i:04d}"


def plan(rt, times: list[datetime]) -> list[outbox.Planned]:
    """One row per send time, written together as a planner does (listed latest first, to be sorted)."""
    now = datetime.now(timezone.utc)
    rows = [
        outbox.row(
            f"batch-test:{i}",
            "notice",
            Recipient(None, None, "sms", phone(i), "en", "America/Chicago"),
            (Reply(keys.START_CONFIRMED),),
            at,
            now,
        )
        for i, at in enumerate(times)
    ]
    rows.reverse()
    with rt.uow() as session:
        planned = outbox.insert_new(session, rows)
        session.commit()
    return planned


def drain(rt) -> None:
    """Runs every due job, as ``circlebot worker --burst`` does."""
    if rt.queue.backend == "embedded":
        rt.queue.run_due()
        return
    work_burst(rt.queue.rq, rt.queue.redis, with_scheduler=True)


def lose_the_queue(rt) -> None:
    """Every waiting job is gone: a flushed Redis, or a restarted process's in-process queue."""
    rt.queue.clear()


def jobs_waiting(rt) -> int:
    """How many jobs wait in the queue, due now or later."""
    if rt.queue.backend == "embedded":
        return rt.queue.pending()
    return rt.queue.rq.count + rt.queue.rq.scheduled_job_registry.count


def batches_of(rt) -> dict[str, list[tuple[int, datetime]]]:
    with rt.uow() as session:
        rows = session.execute(select(Outbox.batch, Outbox.id, Outbox.send_after).order_by(Outbox.id)).all()
    out: dict[str, list] = {}
    for batch, row_id, at in rows:
        out.setdefault(batch, []).append((row_id, at))
    return out


def test_rows_written_together_go_out_in_batches_in_sending_order_each_once(twilio_runtime):
    rt, standin = twilio_runtime
    now = datetime.now(timezone.utc) - timedelta(seconds=10)
    later = now + timedelta(hours=2)
    planned = plan(rt, [now + timedelta(seconds=i % 7) for i in range(110)] + [later] * 10)
    assert len(planned) == 120 and all(p.batch for p in planned)
    found = batches_of(rt)
    assert sorted(len(rows) for rows in found.values()) == [10, 10, 50, 50]
    for rows in found.values():  # each batch in sending order, within the span
        times = [at for _, at in rows]
        assert times == sorted(times) and times[-1] - times[0] <= dispatch.BATCH_SPAN
    assert jobs_waiting(rt) == 4  # the commit queued one job per batch, not one per row
    assert publish.enqueue_rows(rt.queue, planned) == 0  # queued already
    drain(rt)

    messages = standin.messages
    assert len(messages) == 110 and len({m["to"] for m in messages}) == 110
    with rt.uow() as session:
        statuses = Counter(session.scalars(select(Outbox.status)))
        sent = session.execute(
            select(Outbox.address, Outbox.send_after, Outbox.provider_id).where(Outbox.status == outbox.SENT)
        ).all()
    assert statuses == Counter({outbox.SENT: 110, outbox.PENDING: 10})
    order = {m["to"]: n for n, m in enumerate(messages)}
    by_time = sorted(sent, key=lambda r: order[r.address])
    assert [r.send_after for r in by_time] == sorted(r.send_after for r in sent), "sent out of order"
    assert {r.provider_id for r in sent} == {m["sid"] for m in messages}
    assert jobs.sweep(now + timedelta(seconds=10)) == 0  # the later batch's job still waits: nothing to re-queue


def test_a_row_written_alone_keeps_a_job_of_its_own(twilio_runtime):
    rt, standin = twilio_runtime
    planned = plan(rt, [datetime.now(timezone.utc)])
    assert [p.batch for p in planned] == [None]
    singles, batches = publish.job_items(planned)
    assert [key for _, key, _ in singles] == [f"outbox-{planned[0].row_id}-0"] and batches == []
    assert jobs_waiting(rt) == 1  # queued by the commit
    drain(rt)
    assert len(standin.messages) == 1


def test_a_transient_failure_takes_the_row_out_of_its_batch_with_a_job_of_its_own(twilio_runtime):
    rt, standin = twilio_runtime
    planned = plan(rt, [datetime.now(timezone.utc) - timedelta(seconds=1)] * 3)
    first = sorted(planned, key=lambda p: p.row_id)
    standin.fail_next(1, status=503)  # the first row's send: Twilio is down for a moment
    ids = [p.row_id for p in first]
    assert jobs.send_batch(ids) == {outbox.PENDING: 1, outbox.SENT: 2}
    with rt.uow() as session:
        failed = session.execute(select(Outbox).where(Outbox.status == outbox.PENDING)).scalar_one()
        assert failed.batch is None and failed.attempts == 1 and failed.send_after > datetime.now(timezone.utc)
        own = publish.single_key(failed.id, 1)
    assert rt.queue.live({own}, datetime.now(timezone.utc) - timedelta(minutes=5)) == {own}
    assert jobs.send_batch(ids) == {outbox.PENDING: 1, outbox.SENT: 2}  # the batch again: nothing twice
    assert len(standin.messages) == 2


def test_sweep_requeues_only_rows_whose_job_was_lost(twilio_runtime):
    rt, standin = twilio_runtime
    now = datetime.now(timezone.utc)
    plan(rt, [now - timedelta(seconds=1)] * 60)
    assert jobs.sweep(now) == 0, "a waiting batch's rows were queued twice"
    before = set(batches_of(rt))

    lose_the_queue(rt)
    assert jobs.sweep(now) == 60
    after = batches_of(rt)
    assert not before & set(after) and sorted(len(rows) for rows in after.values()) == [10, 50]
    assert jobs.sweep(now) == 0  # the new batches wait
    drain(rt)
    assert len(standin.messages) == 60 and len({m["to"] for m in standin.messages}) == 60


def test_a_batch_started_before_the_stuck_time_counts_as_lost(twilio_runtime):
    """A worker killed mid-batch leaves its job "started" until RQ's time-out; the sweeper does not wait."""
    rt, _ = twilio_runtime
    if rt.queue.backend == "embedded":  # its jobs run in this process and die with it: running is live
        seen = []
        rt.queue.enqueue(lambda: seen.append(rt.queue.live({"probe"}, datetime.now(timezone.utc))), key="probe")
        assert rt.queue.live({"probe"}, datetime.now(timezone.utc)) == {"probe"}  # waiting
        rt.queue.run_due()
        assert seen == [{"probe"}] and rt.queue.live({"probe"}, datetime.now(timezone.utc)) == set()
        return
    from rq.job import Job, JobStatus
    from rq.utils import utcformat

    now = datetime.now(timezone.utc)
    planned = plan(rt, [now - timedelta(seconds=1)] * 2)
    key = publish.batch_key(planned[0].batch)
    job = Job.fetch(f"{rt.queue.namespace}_{key}", connection=rt.queue.redis)
    rt.queue.redis.hset(
        job.key, mapping={"status": JobStatus.STARTED.value, "started_at": utcformat(now - timedelta(seconds=30))}
    )
    assert rt.queue.live({key}, now - timedelta(minutes=5)) == {key}  # started 30 s ago: still running
    assert jobs.sweep(now) == 0
    rt.queue.redis.hset(job.key, "started_at", utcformat(now - timedelta(minutes=6)))
    assert rt.queue.live({key}, now - timedelta(minutes=5)) == set()
    assert jobs.sweep(now) == 2
    with rt.uow() as session:
        assert set(session.scalars(select(Outbox.batch))) != {planned[0].batch}
        session.execute(update(Outbox).values(status=outbox.CANCELLED))
        session.commit()
