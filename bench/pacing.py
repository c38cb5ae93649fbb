"""Pacing bench: 300 texts through 3 real worker processes to a local Twilio stand-in, one sending number.

    .venv/bin/python -m bench.pacing                      # 300 texts, 3 workers, limit 5/s
    .venv/bin/python -m bench.pacing --messages 60        # a quicker run

Everything is real but Twilio: ``circlebot worker`` processes (RQ with its scheduler; each job runs
``bot.outbound.jobs.send_batch``, up to 50 rows in sending order, in the worker's own process) on Redis and
PostgreSQL, sending with the twilio SDK to ``tests.standin.twilio_api`` run as its own process with
``--record``. The figures come from the stand-in's record (the time each message was *received*), not
from the workers. With 300 texts in 6 batches, all three workers send at once and share the pace.

Two phases, with the same workers, rows and sender number:

* baseline: ``SEND_RATE_PER_SECOND=1000``, so pacing is effectively off and the workers go as fast as
  they can. This shows what the limiter holds back.
* paced: ``SEND_RATE_PER_SECOND=5`` (``--rate``).

Targets for the paced phase: no 1-second window holds more than the limit, and the overall rate is
within 5% of it. The bench creates its own database and uses its own Redis db; it drops and flushes
them at the end, and kills every process it started (by process group).
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench._common import (
    BENCH_NAMESPACE,
    DEFAULT_REDIS,
    create_database,
    drop_database,
    flush_redis,
    load,
    machine,
    postgres_version,
    redis_version,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/circlebot_bench_pacing"
SENDER = "+18165550100"
ACCOUNT_SID = "AC" + "0" * 32
TOLERANCE = 0.05


class Processes:
    """Child processes, each in its own session, ended by process group."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []

    def start(self, args, **kwargs) -> subprocess.Popen:
        proc = subprocess.Popen(args, start_new_session=True, cwd=ROOT, **kwargs)
        self.procs.append(proc)
        return proc

    def stop(self, procs=None, grace: float = 10.0) -> None:
        """SIGTERM each group (RQ finishes its job and unregisters), then SIGKILL what is left."""
        procs = list(self.procs if procs is None else procs)
        for proc in procs:
            if proc.poll() is None:
                with _quiet():
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in procs:
            try:
                proc.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                pass
        for proc in procs:
            with _quiet():  # the group may still hold a work horse even when the leader is gone
                os.killpg(proc.pid, signal.SIGKILL)
            with _quiet():
                proc.wait(5)
            if proc in self.procs:
                self.procs.remove(proc)


class _quiet:
    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        return kind is not None and issubclass(kind, (ProcessLookupError, PermissionError, subprocess.TimeoutExpired))


def start_standin(procs: Processes, record: Path, timeout: float = 15.0) -> str:
    """Runs the Twilio stand-in as its own process; returns its URL (the first line it prints)."""
    proc = procs.start(
        [sys.executable, "-m", "tests.standin.twilio_api", "--port", "0", "--record", str(record)],
        stdout=subprocess.PIPE,
        text=True,
    )
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    if not selector.select(timeout):
        raise RuntimeError("the Twilio stand-in did not start")
    url = proc.stdout.readline().strip()
    if not url.startswith("http://"):
        raise RuntimeError(f"the Twilio stand-in printed {url!r}")
    return url


def worker_env(args, standin_url: str, rate: float, instance: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TWILIO_"))}
    env.update(
        {
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": "x",
            "TWILIO_FROM": SENDER,
            "TWILIO_API_BASE": standin_url,
            "SEND_RATE_PER_SECOND": str(rate),
            "QUIET_HOURS": "",
            "CIRCLEBOT_INSTANCE": str(instance),
            "PUBLIC_BASE_URL": "http://127.0.0.1:9",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            "CIRCLEBOT_QUEUE": BENCH_NAMESPACE,
        }
    )
    return env


def worker_command(kind: str, redis_url: str) -> list[str]:
    if kind == "simple":  # no fork per job: the runtime and its connections live as long as the process
        return [
            str(Path(sys.executable).parent / "rq"),
            "worker",
            "--url",
            redis_url,
            "--worker-class",
            "rq.worker.SimpleWorker",
            "--with-scheduler",
            "--logging_level",
            "WARNING",
            BENCH_NAMESPACE,
        ]
    script = Path(sys.executable).parent / "circlebot"
    return [str(script), "worker"] if script.exists() else [sys.executable, "-m", "bot.cli", "worker"]


def wait_for_workers(redis, pids: set[int], procs: list[subprocess.Popen], timeout: float = 60.0) -> float:
    """Waits until every worker process has registered with RQ; returns the seconds it took."""
    from rq import Worker

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        dead = [p for p in procs if p.poll() is not None]
        if dead:
            raise RuntimeError(f"a worker exited with {dead[0].returncode} before it registered")
        if pids <= {w.pid for w in Worker.all(connection=redis)}:
            return time.monotonic() - started
        time.sleep(0.1)
    raise RuntimeError(f"workers did not register within {timeout:.0f} s")


def read_record(path: Path, tag: str) -> list[dict]:
    """The stand-in's accepted messages whose body starts with ``tag``, oldest first."""
    if not path.exists():
        return []
    out = []
    with open(path, encoding="utf-8") as fp:
        for line in fp:
            if line.strip():
                msg = json.loads(line)
                if msg["body"].startswith(tag):
                    out.append(msg)
    return out


def add_rows(rt, tag: str, count: int, first_number: int) -> list:
    """``count`` due outbox rows (distinct learners), stored in one INSERT; returns them as Planned."""
    from bot.domain import outbox
    from bot.domain.outbox import insert_new

    now = datetime.now(timezone.utc)
    rows = [
        {
            "dedupe_key": f"bench:{tag}:{i}",
            "kind": "notice",
            "channel": "sms",
            "address": f"+1816{first_number + i:07d}",
            "body": f"{tag} text {i + 1} of {count}",
            "send_after": now - timedelta(seconds=1),
            "status": outbox.PENDING,
            "attempts": 0,
            "contact_id": None,
            "meeting_id": None,
            "created_at": now,
        }
        for i in range(count)
    ]
    with rt.uow() as session:
        planned = insert_new(session, rows)
        session.commit()
    return planned


def window_stats(times: list[float], limit: float) -> dict:
    """Rates from receive times (seconds, sorted): overall, the most in any 1-second window, gaps."""
    n = len(times)
    span = times[-1] - times[0] if n > 1 else 0.0
    most, j, over = 0, 0, []
    for i in range(n):  # windows [t_i, t_i + 1 s): one starting at a send is as full as any can be
        while j < n and times[j] < times[i] + 1.0:
            j += 1
        most = max(most, j - i)
        if j - i > limit:
            over.append(i)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    k = int(limit) + 1  # the tightest span holding one more send than the limit allows per second
    tightest = min((times[i + k - 1] - times[i] for i in range(n - k + 1)), default=None) if limit >= 1 else None
    # Lag of each send behind an even grid from the first send to the last (the pacer's slots, while it is
    # saturated): the spread of this lag is the jitter between taking a slot and the provider receiving the text.
    step = span / (n - 1) if n > 1 else 0.0
    lag = sorted(t - times[0] - idx * step for idx, t in enumerate(times)) if limit < 100 else []
    return {
        "count": n,
        "span": span,
        "over": over,
        "lag": lag,
        "rate": (n - 1) / span if span > 0 else float("inf"),
        "max_window": most,
        "min_gap": min(gaps) if gaps else None,
        "median_gap": statistics.median(gaps) if gaps else None,
        "tightest": tightest,
        "k": k,
    }


def run_phase(
    args, procs: Processes, redis, standin_url: str, record: Path, tag: str, rate: float, first_number: int, tmp: Path
) -> dict:
    """Starts the workers with ``rate``, queues ``args.messages`` rows and waits until all are received."""
    from bot.outbound.pacing import KEY_FORMAT
    from bot.runtime import Runtime, install
    from bot.settings import Settings

    redis.delete(KEY_FORMAT.format(namespace=BENCH_NAMESPACE, sender=SENDER))
    env = worker_env(args, standin_url, rate, tmp)
    workers = []
    for n in range(args.workers):
        log = open(tmp / f"{tag}-worker{n}.log", "w")
        workers.append(
            procs.start(worker_command(args.worker_kind, args.redis_url), env=env, stdout=log, stderr=subprocess.STDOUT)
        )
        log.close()
    try:
        ready = wait_for_workers(redis, {w.pid for w in workers}, workers)
        rt = install(Runtime.build(Settings.from_env(env=env), str(tmp)))
        queued_at = time.time()
        planned = add_rows(rt, tag, args.messages, first_number)  # its commit queues the batch jobs
        enqueued = len({p.batch or p.row_id for p in planned})
        budget = args.messages / min(rate, 50.0) * 1.5 + args.timeout_margin
        deadline = time.monotonic() + budget
        got = []
        while time.monotonic() < deadline:
            got = read_record(record, tag)
            if len(got) >= args.messages:
                break
            if any(w.poll() is not None for w in workers):
                raise RuntimeError(f"a worker died during the {tag} phase (logs in {tmp})")
            time.sleep(0.2)
        finished = time.time()
        time.sleep(0.5)  # let the last jobs mark their rows sent
        got = read_record(record, tag)
        from sqlalchemy import text

        with rt.uow.engine.connect() as conn:
            statuses = dict(
                conn.execute(
                    text("SELECT status, count(*) FROM outbox WHERE dedupe_key LIKE :p GROUP BY status"),
                    {"p": f"bench:{tag}:%"},
                ).all()
            )
        rt.uow.engine.dispose()
    finally:
        procs.stop(workers)
    times = sorted(datetime.fromisoformat(m["received_at"]).timestamp() for m in got)
    stats = window_stats(times, rate) if times else {"count": 0}
    per_address: dict[str, int] = {}
    for m in got:
        per_address[m["to"]] = per_address.get(m["to"], 0) + 1
    return {
        **stats,
        "tag": tag,
        "limit": rate,
        "load": load(),
        "ready": ready,
        "enqueued": enqueued,
        "first_after": (times[0] - queued_at) if times else None,
        "wall": finished - queued_at,
        "timed_out": len(got) < args.messages,
        "duplicates": sum(c - 1 for c in per_address.values()),
        "statuses": statuses,
        "from": sorted({m["from"] for m in got}),
    }


def print_phase(p: dict) -> None:
    print(f"{p['tag']}: SEND_RATE_PER_SECOND={p['limit']:g}  ({p['load']} at the end)")
    if not p["count"]:
        print("  nothing was received")
        return
    print(
        f"  received            {p['count']} texts (in {p['enqueued']} batch jobs), from {', '.join(p['from'])}; "
        f"duplicates {p['duplicates']}; outbox {p['statuses']}"
    )
    print(f"  workers registered  {p['ready']:.1f} s after start; first text {p['first_after']:.2f} s after queueing")
    print(f"  first → last        {p['span']:.2f} s")
    print(f"  overall rate        {p['rate']:.3f} /s   = {p['rate'] / p['limit']:.3f} × limit")
    print(f"  most in any 1 s     {p['max_window']}      = {p['max_window'] / p['limit']:.2f} × limit")
    if p["min_gap"] is not None:
        print(
            f"  gap between sends   min {p['min_gap'] * 1000:.1f} ms, median {p['median_gap'] * 1000:.1f} ms "
            f"(slot interval {1000 / p['limit']:.1f} ms)"
        )
    if p.get("tightest") is not None:
        print(
            f"  tightest {p['k']} consecutive sends span {p['tightest'] * 1000:.1f} ms; 1 s windows over the limit: "
            f"{len(p['over'])} (starting at send #{', #'.join(str(i + 1) for i in p['over'][:12])}"
            f"{' …' if len(p['over']) > 12 else ''})"
            if p["over"]
            else f"  tightest {p['k']} consecutive sends span {p['tightest'] * 1000:.1f} ms; "
            "no 1 s window over the limit"
        )
    if p.get("lag"):
        lag = p["lag"]
        base = lag[0]
        pick = lambda q: (lag[min(int(q * len(lag)), len(lag) - 1)] - base) * 1000  # noqa: E731
        print(
            f"  jitter vs the slot grid: median {pick(0.5):.1f} ms, p95 {pick(0.95):.1f} ms, "
            f"max {(lag[-1] - base) * 1000:.1f} ms (0 = the earliest send)"
        )
    if p["timed_out"]:
        print("  TIMED OUT before every text was received")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--rate", type=float, default=5.0, help="SEND_RATE_PER_SECOND of the paced phase")
    parser.add_argument("--baseline-rate", type=float, default=1000.0, help="pacing effectively off")
    parser.add_argument(
        "--worker-kind",
        choices=("cli", "simple"),
        default="cli",
        help="cli: `circlebot worker` (SimpleWorker since issue 31); simple: `rq worker` with SimpleWorker",
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE,
        help="PostgreSQL URL of a database the bench creates and drops (default: %(default)s)",
    )
    parser.add_argument(
        "--redis-url", default=DEFAULT_REDIS, help="a Redis db the bench may flush (default: %(default)s)"
    )
    parser.add_argument("--timeout-margin", type=float, default=60.0, help="extra seconds allowed per phase")
    parser.add_argument("--keep-logs", action="store_true", help="keep the workers' logs and the record")
    args = parser.parse_args(argv)

    from redis import Redis

    print(f"bench.pacing  {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC  {machine()}")
    print(
        f"  PostgreSQL {postgres_version(args.database_url.rsplit('/', 1)[0] + '/postgres')}, "
        f"Redis {redis_version(args.redis_url)}; {args.messages} texts, {args.workers} `"
        f"{'circlebot worker' if args.worker_kind == 'cli' else 'rq worker (SimpleWorker)'}` processes, "
        f"one sending number {SENDER}"
    )
    tmp = Path(tempfile.mkdtemp(prefix="circlebot-bench-pacing-"))
    record = tmp / "standin-record.jsonl"
    procs = Processes()
    redis = Redis.from_url(args.redis_url)
    failed = True
    try:
        flush_redis(args.redis_url)
        create_database(args.database_url)
        url = start_standin(procs, record)
        print(f"  Twilio stand-in {url} (own process), record {record}")
        print()
        base = run_phase(args, procs, redis, url, record, "baseline", args.baseline_rate, 0, tmp)
        print_phase(base)
        paced = run_phase(args, procs, redis, url, record, "paced", args.rate, 1_000_000, tmp)
        print_phase(paced)
        print()
        ok_window = paced["count"] and paced["max_window"] <= args.rate
        ok_rate = paced["count"] and abs(paced["rate"] / args.rate - 1) <= TOLERANCE
        complete = (
            not base["timed_out"] and not paced["timed_out"] and not base["duplicates"] and not paced["duplicates"]
        )
        if base["count"] and paced["count"]:
            print(
                f"ratio baseline rate / paced rate: {base['rate'] / paced['rate']:.1f}×  "
                f"(the limiter, not the workers, holds the paced rate)"
            )
        print(
            f"target: never more than {args.rate:g} in any 1 s window: {'met' if ok_window else 'MISSED'} "
            f"(most {paced.get('max_window')})"
        )
        if not ok_window and paced.get("tightest") is not None:
            print(
                f"  why: bot/outbound/pacing.py spaces slots exactly 1/rate apart, so send k+{paced['k'] - 1} is due "
                f"exactly 1 s after send k; any jitter between taking a slot and the provider receiving the text lets "
                f"{paced['k']} texts into some 1 s window (tightest {paced['tightest'] * 1000:.0f} ms)"
            )
        print(
            f"target: overall within {TOLERANCE:.0%} of {args.rate:g}/s: {'met' if ok_rate else 'MISSED'} "
            f"({paced.get('rate', 0):.3f}/s)"
        )
        print(f"every text received exactly once in both phases: {'yes' if complete else 'NO'}")
        failed = not complete
        return 0 if complete else 1
    finally:
        procs.stop()
        redis.close()
        drop_database(args.database_url)
        flush_redis(args.redis_url)
        if args.keep_logs or failed:
            print(f"logs and record kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
