"""Telegram flood-limit bench: 100 texts to one chat and 300 to 300 chats, 3 worker processes, one bot.

    .venv/bin/python -m bench.telegram_pacing                  # the issue's figures
    .venv/bin/python -m bench.telegram_pacing --one-chat 20    # a quicker run
    .venv/bin/python -m bench.telegram_pacing --pacer-only     # the pacer alone, 3 processes, no HTTP:
                                                               # shows the 30/s grid binding

Everything is real but Telegram: ``circlebot worker`` processes (RQ with its scheduler; each job runs
``bot.outbound.jobs.send_outbox`` in the worker's own process, on its one PTB bridge) on Redis and
PostgreSQL, sending with python-telegram-bot's ``Bot`` to ``tests.standin.telegram_api`` run as its own
process with ``--record``. The figures come from the stand-in's record (when each message was
*received*), not from the workers.

Targets (Telegram's limits): no 1-second window holds more than 1 message to one chat or more than
30 messages in all; every message arrives exactly once.
"""

from __future__ import annotations

import argparse
import json
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench._common import DEFAULT_REDIS, create_database, drop_database, flush_redis, load, machine
from bench.pacing import Processes, wait_for_workers, window_stats, worker_command

DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/circlebot_bench_telegram"
TOKEN = "123456789:AAtest-token-for-the-stand-in"
BUSY_CHAT = 42_000_001
CHAT_LIMIT, BOT_LIMIT = 1, 30


def start_standin(procs: Processes, record: Path, timeout: float = 15.0) -> str:
    """Runs the Bot API stand-in as its own process; returns its base URL (the first line it prints)."""
    proc = procs.start(
        [sys.executable, "-m", "tests.standin.telegram_api", "--port", "0", "--record", str(record)],
        stdout=subprocess.PIPE,
        text=True,
    )
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    if not selector.select(timeout):
        raise RuntimeError("the Telegram stand-in did not start")
    return proc.stdout.readline().strip()


def read_record(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as fp:
        return [json.loads(line) for line in fp if line.strip()]


def add_rows(rt, one_chat: int, many: int) -> list:
    """The busy chat's rows spread evenly among the others', all due now, in one INSERT."""
    from bot.domain import outbox
    from bot.domain.outbox import insert_new

    now = datetime.now(timezone.utc)
    chats = [str(42_100_000 + i) for i in range(many)]
    every = max(1, (one_chat + many) // max(one_chat, 1))
    order, busy_left = [], one_chat
    for i, chat in enumerate(chats):
        if busy_left and i % max(1, many // max(one_chat, 1)) == 0:
            order.append(str(BUSY_CHAT))
            busy_left -= 1
        order.append(chat)
    order += [str(BUSY_CHAT)] * busy_left
    del every
    rows = [
        {
            "dedupe_key": f"bench:tg:{i}",
            "kind": "notice",
            "channel": "telegram",
            "address": chat,
            "body": f"bench text {i + 1}",
            "send_after": now - timedelta(seconds=1),
            "status": outbox.PENDING,
            "attempts": 0,
            "contact_id": None,
            "meeting_id": None,
            "created_at": now,
        }
        for i, chat in enumerate(order)
    ]
    with rt.uow() as session:
        planned = insert_new(session, rows)
        session.commit()
    return planned


def _pacer_worker(redis_url: str, chats: list[str], out) -> None:
    """One process taking turns for ``chats`` in order, as fast as the pacer lets it; sends nothing."""
    from redis import Redis

    from bot.outbound.channels.telegram_pacing import RedisTelegramPacer

    pacer = RedisTelegramPacer(Redis.from_url(redis_url), "bench")
    stamps = []
    for chat in chats:
        with pacer.turn(chat):
            stamps.append((chat, time.time()))
    out.put(stamps)


def pacer_only(args) -> int:
    """``--workers`` processes take turns for ``--many`` chats and ``--one-chat`` turns on one chat."""
    import multiprocessing

    flush_redis(args.redis_url)
    chats = [str(42_100_000 + i) for i in range(args.many)] + [str(BUSY_CHAT)] * args.one_chat
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    shares = [chats[i :: args.workers] for i in range(args.workers)]
    procs = [ctx.Process(target=_pacer_worker, args=(args.redis_url, share, out)) for share in shares]
    started = time.time()
    for proc in procs:
        proc.start()
    stamps = [s for _ in procs for s in out.get(timeout=600)]
    for proc in procs:
        proc.join(10)
    flush_redis(args.redis_url)
    times = sorted(t for _, t in stamps)
    busy = sorted(t for c, t in stamps if c == str(BUSY_CHAT))
    overall = window_stats(times, BOT_LIMIT)
    print(f"pacer only: {len(times)} turns by {args.workers} processes in {times[-1] - started:.1f} s ({load()})")
    print(
        f"  all chats: most in any 1 s {overall['max_window']} (limit {BOT_LIMIT}); "
        f"overall {overall['rate']:.1f}/s; min gap {overall['min_gap'] * 1000:.1f} ms"
    )
    if busy:
        one = window_stats(busy, CHAT_LIMIT)
        print(
            f"  the busy chat: most in any 1 s {one['max_window']} (limit {CHAT_LIMIT}); "
            f"min gap {one['min_gap'] * 1000:.0f} ms"
        )
    ok = overall["max_window"] <= BOT_LIMIT and (not busy or window_stats(busy, CHAT_LIMIT)["max_window"] <= 1)
    print(f"target: ≤ {BOT_LIMIT}/s per bot and ≤ {CHAT_LIMIT}/s per chat: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one-chat", type=int, default=100)
    parser.add_argument("--many", type=int, default=300)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--worker-kind", choices=("cli", "simple"), default="cli")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--pacer-only", action="store_true", help="time the pacer alone (no HTTP, no database)")
    args = parser.parse_args(argv)
    if args.pacer_only:
        return pacer_only(args)
    import os

    from redis import Redis

    from bot.runtime import Runtime, install
    from bot.settings import Settings

    total = args.one_chat + args.many
    print(f"bench.telegram_pacing  {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC  {machine()}")
    print(
        f"  {args.one_chat} texts to one chat + {args.many} to {args.many} chats, {args.workers} "
        f"`{'circlebot worker' if args.worker_kind == 'cli' else 'rq SimpleWorker'}` processes, one bot"
    )
    tmp = Path(tempfile.mkdtemp(prefix="circlebot-bench-telegram-"))
    record = tmp / "record.jsonl"
    procs = Processes()
    redis = Redis.from_url(args.redis_url)
    try:
        flush_redis(args.redis_url)
        create_database(args.database_url)
        url = start_standin(procs, record)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TWILIO_"))}
        env.update(
            {
                "DATABASE_URL": args.database_url,
                "REDIS_URL": args.redis_url,
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE": url,
                "TELEGRAM_WEBHOOK_SECRET": "bench",
                "QUIET_HOURS": "",
                "CIRCLEBOT_INSTANCE": str(tmp),
                "LOG_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
            }
        )
        from bot.store.migrate import upgrade

        upgrade(args.database_url)
        workers = []
        for n in range(args.workers):
            with open(tmp / f"worker{n}.log", "w") as log:
                workers.append(
                    procs.start(
                        worker_command(args.worker_kind, args.redis_url), env=env, stdout=log, stderr=subprocess.STDOUT
                    )
                )
        wait_for_workers(redis, {w.pid for w in workers}, workers)
        rt = install(Runtime.build(Settings.from_env(env=env), str(tmp)))
        queued = time.time()
        add_rows(rt, args.one_chat, args.many)  # its commit queues the send jobs
        deadline = time.monotonic() + args.one_chat * 1.2 + args.many / 10 + 120
        while time.monotonic() < deadline and len(read_record(record)) < total:
            time.sleep(0.5)
        got = read_record(record)
        rt.uow.engine.dispose()
    finally:
        procs.stop()
    try:
        times = sorted(m["at"] for m in got)
        busy = sorted(m["at"] for m in got if m["chat_id"] == BUSY_CHAT)
        per_chat: dict[int, list[float]] = {}
        for m in got:
            per_chat.setdefault(m["chat_id"], []).append(m["at"])
        worst_chat = max(window_stats(sorted(ts), CHAT_LIMIT)["max_window"] for ts in per_chat.values())
        overall, one = window_stats(times, BOT_LIMIT), window_stats(busy, CHAT_LIMIT)
        duplicates = len(got) - len({(m["chat_id"], m["at"]) for m in got})
        print(f"  {load()}; received {len(got)} of {total} in {times[-1] - queued:.1f} s after queueing")
        print(
            f"  all chats: most in any 1 s {overall['max_window']} (limit {BOT_LIMIT}); "
            f"overall {overall['rate']:.1f}/s; min gap {overall['min_gap'] * 1000:.1f} ms"
        )
        print(
            f"  the busy chat: {one['count']} texts, most in any 1 s {one['max_window']} (limit {CHAT_LIMIT}); "
            f"min gap {one['min_gap'] * 1000:.0f} ms, median {one['median_gap'] * 1000:.0f} ms"
        )
        print(f"  any one chat: most in any 1 s {worst_chat}")
        ok = len(got) == total and overall["max_window"] <= BOT_LIMIT and worst_chat <= CHAT_LIMIT and not duplicates
        print(
            f"target: ≤ {CHAT_LIMIT}/s per chat and ≤ {BOT_LIMIT}/s per bot, every text once: "
            f"{'met' if ok else 'MISSED'}"
        )
        return 0 if ok else 1
    finally:
        redis.close()
        drop_database(args.database_url)
        flush_redis(args.redis_url)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
