"""Crash safety of the reminder fan-out: real worker processes, killed for real, on both backends.

A circle of 500 learners has its first meeting 12 hours ahead, so one planning pass (the worker's
tick) writes 500 reminder rows that are due at once. A ``circlebot worker`` process sends them
through the real twilio SDK to the Twilio stand-in, which records what it accepted. The process is
then SIGKILLed (every process of its session at once, RQ's work-horse included) in the middle of
the fan-out, or Redis is flushed under it, and the test checks against the stand-in's record that
in the end every learner got exactly one reminder: 500 messages to 500 distinct numbers.

On "sqlite" the worker uses the SQLite file and its embedded in-process queue (lost when the
process dies: the outbox table is the source of truth, and the restarted worker's tick finds the
rows again); on "postgres" it is an RQ worker with its scheduler on a real Redis.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, insert, select, update

from bot.domain import batches as dispatch
from bot.domain import outbox
from bot.store.models import Enrollment, Meeting, Outbox
from tests.helpers import add_contact, make_circle
from tests.processes import Processes, circlebot_env, wait_until, worker_command

LEARNERS = 500
KILL_AFTER = 100  # accepted messages before the crash (of 500)
RECOVERY_LIMIT = 90.0  # seconds to finish the fan-out after the crash (typically 5-30 s; the machine is shared)
STUCK_AFTER = 2.0  # OUTBOX_STUCK_AFTER given to the workers


def learner_phone(i: int) -> str:
    """Distinct possible NANP numbers: +1 816 200 0000, +1 816 200 0001, …"""
    return f"+1816200{i:04d}"


def big_circle(uow, learners: int = LEARNERS) -> tuple[list[str], int]:
    """A circle of ``learners`` active English-speaking learners whose first meeting is 12 h ahead.

    Contacts and enrollments are bulk-inserted; the reminders are left for the worker to plan.
    Returns the learners' phones and the meeting's id.
    """
    circle_id = make_circle(uow, code="BIG500", capacity=learners, name="Big Fan-out Circle", venue="Main Hall")
    now = datetime.now(timezone.utc)
    phones = [learner_phone(i) for i in range(learners)]
    with uow() as session:
        meeting_id = session.scalar(select(Meeting.id).where(Meeting.circle_id == circle_id, Meeting.seq == 1))
        session.execute(
            update(Meeting)
            .where(Meeting.id == meeting_id)
            .values(starts_at=now + timedelta(hours=12), ends_at=now + timedelta(hours=14))
        )
        ids = [add_contact(session, phone, now, name="Learner", language="en").id for phone in phones]
        session.execute(
            insert(Enrollment),
            [
                {"contact_id": contact_id, "circle_id": circle_id, "status": "active", "created_at": now}
                for contact_id in ids
            ],
        )
        session.commit()
        assert session.scalar(select(func.count()).select_from(Enrollment)) == learners
    return phones, meeting_id


def statuses(uow) -> Counter:
    """How many reminder rows are in each outbox status."""
    with uow() as session:
        return Counter(
            dict(
                session.execute(
                    select(Outbox.status, func.count()).where(Outbox.kind == "reminder").group_by(Outbox.status)
                ).all()
            )
        )


def rows_in(uow, status: str) -> list:
    """The outbox rows in ``status`` (id, address, attempts, provider_id), as plain rows."""
    with uow() as session:
        return session.execute(
            select(Outbox.id, Outbox.address, Outbox.attempts, Outbox.provider_id)
            .where(Outbox.status == status)
            .order_by(Outbox.id)
        ).all()


def all_sent(uow, standin, learners: int = LEARNERS) -> bool:
    return statuses(uow).get(outbox.SENT, 0) == learners and len(standin.messages) >= learners


def progress(uow, standin, procs: Processes) -> str:
    """Where the fan-out stands, for an assertion message."""
    stuck = {status: rows_in(uow, status)[:5] for status in (outbox.PENDING, outbox.SENDING, outbox.FAILED)}
    return (
        f"outbox: {dict(statuses(uow))}; stand-in accepted {len(standin.messages)}; "
        f"first rows not sent: {stuck}\n{procs.logs()}"
    )


def wait_for_accepted(standin, count: int, procs: Processes, timeout: float = 45.0) -> None:
    assert standin.wait_for(count, timeout), f"only {len(standin.messages)} of {count} messages arrived\n{procs.logs()}"


def hold_next_answer(standin, seconds: float = 10.0) -> dict:
    """Makes the stand-in accept the next message but hold its answer; returns that message.

    The worker has then sent the text but waits for the answer before it can mark the row sent.
    Killing it now leaves a row in ``sending`` whose text went out, which only the sweeper's
    reconciliation with the provider (``find_sent``) can settle without sending it twice.
    """
    standin.delay_next(1, seconds=seconds)
    # The delay is taken by the next POST, which records the message before it waits.
    wait_until(lambda: not standin._delays, 10, 0.005, "the worker's next send")
    time.sleep(0.25)
    return standin.messages[-1]


def quiet_for(standin, seconds: float) -> bool:
    """True once the stand-in has accepted nothing new for ``seconds``."""
    before = len(standin.messages)
    time.sleep(seconds)
    return len(standin.messages) == before


def wait_stuck_time(killed_at: float) -> None:
    """Waits until rows claimed before ``killed_at`` count as stuck (OUTBOX_STUCK_AFTER)."""
    time.sleep(max(0.0, killed_at + STUCK_AFTER + 0.3 - time.monotonic()))


def settle_stuck(uow, stuck: list, accepted_at_crash: dict) -> dict:
    """How the rows a crash left in ``sending`` were settled; ``accepted_at_crash`` maps To → sid.

    A row whose text the stand-in had accepted before the crash must end sent under that message's
    sid after no further attempt: only ``find_sent`` can have told the outbox that sid, since the
    dead worker never heard it. A row whose text never arrived must have been sent by a new attempt.
    """
    with uow() as session:
        after = {
            r.id: r
            for r in session.execute(
                select(Outbox.id, Outbox.status, Outbox.attempts, Outbox.provider_id).where(
                    Outbox.id.in_([r.id for r in stuck])
                )
            )
        }
    outcome = {"reconciled": 0, "resent": 0}
    for row in stuck:
        now = after[row.id]
        assert now.status == outbox.SENT, now
        if row.address in accepted_at_crash:
            assert (now.provider_id, now.attempts) == (accepted_at_crash[row.address], row.attempts), (
                f"a row whose text went out before the crash was not reconciled with the provider: {now}"
            )
            outcome["reconciled"] += 1
        else:
            assert now.attempts == row.attempts + 1, now
            outcome["resent"] += 1
    return outcome


def assert_each_learner_got_one_reminder(uow, standin, phones: list[str], procs: Processes) -> None:
    """The stand-in's record: one reminder per learner, nothing else, and the outbox agrees."""
    messages = standin.messages
    per_number = Counter(m["to"] for m in messages)
    duplicated = {to: n for to, n in per_number.items() if n > 1}
    assert not duplicated, f"{len(duplicated)} learners got more than one text: {list(duplicated.items())[:5]}"
    assert len(per_number) == len(phones) and len(messages) == len(phones), (
        f"{len(messages)} messages to {len(per_number)} numbers\n{procs.logs()}"
    )
    assert set(per_number) == set(phones)
    with uow() as session:
        rows = session.execute(
            select(Outbox.address, Outbox.body, Outbox.status, Outbox.provider_id).where(Outbox.kind == "reminder")
        ).all()
    assert len(rows) == len(phones) and {r.status for r in rows} == {outbox.SENT}
    assert {r.body for r in rows} == {m["body"] for m in messages} and len({r.body for r in rows}) == 1
    assert messages[0]["body"].startswith("Big Fan-out Circle: ") and "Reply 1" in messages[0]["body"]
    sid_of = {m["to"]: m["sid"] for m in messages}
    assert all(r.provider_id == sid_of[r.address] for r in rows), "an outbox row names another message's sid"


def test_worker_killed_mid_fan_out_then_restarted_sends_each_reminder_once(backend, uow, standin, procs, tmp_path):
    """SIGKILL while the stand-in holds an accepted message's answer; the restarted worker reconciles it."""
    phones, _ = big_circle(uow)
    # TWILIO_TIMEOUT 5 s: ample time to kill the worker while it waits for the held answer.
    env = circlebot_env(
        backend, tmp_path / "instance", standin.url, OUTBOX_STUCK_AFTER=f"{STUCK_AFTER:g}s", TWILIO_TIMEOUT="5"
    )
    first = procs.start("worker-1", worker_command(), env)
    wait_for_accepted(standin, KILL_AFTER, procs)

    held = hold_next_answer(standin)
    first.kill()
    killed_at = time.monotonic()
    at_kill = len(standin.messages)
    assert KILL_AFTER < at_kill < LEARNERS, f"the crash must come mid-fan-out, not after {at_kill} messages"
    stuck = rows_in(uow, outbox.SENDING)
    assert [r.address for r in stuck] == [held["to"]], "the held message's row must be the one left in sending"
    assert statuses(uow)[outbox.PENDING] > 0
    time.sleep(0.3)
    assert len(standin.messages) == at_kill, "something sent while the only worker was dead"
    accepted_at_crash = {m["to"]: m["sid"] for m in standin.messages}

    # The worker comes back, and an operator's catch-up run (`worker --burst`) joins it: two startup
    # ticks reconcile the stuck row at the same time, then two processes share the rest.
    wait_stuck_time(killed_at)
    procs.start("worker-2", worker_command(), env)
    catch_up = procs.start("burst", worker_command(burst=True), env)
    wait_until(
        lambda: all_sent(uow, standin),
        RECOVERY_LIMIT,
        0.2,
        f"all {LEARNERS} reminders after the restart",
        lambda: progress(uow, standin, procs),
    )
    assert catch_up.wait(RECOVERY_LIMIT) == 0, catch_up.output()
    time.sleep(0.5)  # a late duplicate would arrive now

    assert_each_learner_got_one_reminder(uow, standin, phones, procs)
    outcome = settle_stuck(uow, stuck, accepted_at_crash)
    assert outcome == {"reconciled": 1, "resent": 0}, outcome
    print(
        f"\n[{backend['name']}] killed after {at_kill} accepted; stuck rows settled: {outcome} "
        f"({time.monotonic() - killed_at:.1f}s to recover)"
    )


def test_queue_lost_mid_fan_out_sweeper_recovers_without_duplicates(backend, uow, standin, procs, tmp_path):
    """postgres: FLUSHDB under two running RQ workers; sqlite: the worker dies with its in-process queue.

    With Redis flushed, the queued send jobs, RQ's bookkeeping and the scheduled next tick are all
    gone; the outbox rows are not. The two workers that lived through the flush go idle (their tick
    chain was flushed too), and recovery is what an operator runs for catch-up, ``circlebot worker
    --burst``: its tick sweeps the due rows back into the queue, and all three workers take them,
    still never a text twice. On SQLite the in-process queue dies with the killed worker (at any
    point of a send), and the restarted worker's tick sweeps.
    """
    phones, _ = big_circle(uow)
    env = circlebot_env(backend, tmp_path / "instance", standin.url, OUTBOX_STUCK_AFTER=f"{STUCK_AFTER:g}s")
    on_redis = bool(backend["REDIS_URL"])
    running = [procs.start(f"worker-{i + 1}", worker_command(), env) for i in range(2 if on_redis else 1)]
    wait_for_accepted(standin, KILL_AFTER, procs)

    started = time.monotonic()
    if on_redis:
        from bot.outbound.queue import RedisQueue

        redis_queue = RedisQueue(backend["REDIS_URL"], backend["CIRCLEBOT_QUEUE"])
        queue = redis_queue.rq
        queued_before = len(queue)
        redis_queue.clear()  # as a FLUSHDB would, for this run's keys only
        at_loss = len(standin.messages)
        assert queued_before > 0, "the flush must come while send jobs wait in Redis"
        assert len(queue) == 0, "the flush left the queue in place"
        # Redis lost every job: the batches already running end (each sends at most its own rows),
        # then the workers idle.
        wait_until(lambda: quiet_for(standin, 1.0), 30, 0.05, "the batches in flight to end")
        idle_at = len(standin.messages)
        assert idle_at - at_loss <= len(running) * dispatch.BATCH_SIZE, (
            f"{idle_at - at_loss} texts went out with the queue flushed"
        )
        assert statuses(uow)[outbox.PENDING] > 0
        rounds = 0
        deadline = time.monotonic() + RECOVERY_LIMIT
        while not all_sent(uow, standin) and time.monotonic() < deadline:
            rounds += 1
            code, output = procs.run(
                f"burst-{rounds}", worker_command(burst=True), env, timeout=deadline - time.monotonic() + 5
            )
            assert code == 0, output
        assert all(w.alive() for w in running), f"a worker that lived through the flush died:\n{procs.logs()}"
    else:
        time.sleep(random.uniform(0, 0.05))  # anywhere in a send: claimed, posted, or being marked sent
        running[0].kill()
        killed_at = time.monotonic()
        stuck = rows_in(uow, outbox.SENDING)  # killed at any point of a send: 0 or 1 row
        time.sleep(0.3)  # a request the worker had already sent is recorded by now
        messages = standin.messages
        accepted_at_crash, at_loss = {m["to"]: m["sid"] for m in messages}, len(messages)
        assert len(stuck) <= 1 and statuses(uow)[outbox.PENDING] > 0
        wait_stuck_time(killed_at)
        procs.start("worker-2", worker_command(), env)
    wait_until(
        lambda: all_sent(uow, standin),
        RECOVERY_LIMIT,
        0.2,
        f"all {LEARNERS} reminders after the loss",
        lambda: progress(uow, standin, procs),
    )
    time.sleep(0.5)

    assert LEARNERS - at_loss > 100, f"the queue was lost too late ({at_loss} already sent)"
    assert_each_learner_got_one_reminder(uow, standin, phones, procs)
    outcome = settle_stuck(uow, [], {}) if on_redis else settle_stuck(uow, stuck, accepted_at_crash)
    print(
        f"\n[{backend['name']}] queue lost after {at_loss} accepted; stuck rows settled: {outcome}; "
        f"recovered in {time.monotonic() - started:.1f}s"
    )
