"""bench/webhook.py: signed inbound texts per second under gunicorn on PostgreSQL, against the durable ceiling.

    .venv/bin/python -m bench.webhook                     # 300 learners, 10 s per closed-loop phase
    .venv/bin/python -m bench.webhook --profile           # and where the time per request goes (in-process)
    # --learners N --seconds S --concurrency C --rate 200 --database-url … --redis-url …

Set-up (not timed): a fresh database, ⌈learners/12⌉ circles, every learner enrolled through the real
signed webhook (JOIN, name, language), every reminder marked sent so that 1/2/YES/NO answer it.
Then, each from a separate load process on loopback, bounded in time, with fresh ``MessageSid``s
(no request is a replay):

1. the durable ceiling (``bench/ceiling.py``: a bare Flask view, one INSERT … ON CONFLICT DO NOTHING
   and a commit through psycopg) under the same gunicorn config, closed loop, before and again after
   phase 2 (the ratio is against their mean: the machine is shared and its load moves);
2. circlebot (``gunicorn --workers 2 'bot:create_app()'``, the Procfile's web process), closed loop,
   with a mix of RSVPs, HELP and free text (relayed to the facilitator);
3. circlebot, open loop at a fixed ``--rate`` (200/s): latency counted from each request's scheduled
   time, so a slow answer delays nothing it should not;
4. a national network (``--network 500``): the database grows to 500 enrolled circles × 12 learners (the
   circles and learners beyond the first are written in bulk SQL, as the signup leaves them, reminders
   planned and marked sent), then the same mix over all of them, closed loop, between two more ceiling
   runs, with its own ratio. ``--network 0`` leaves it out.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import text

from bench._common import (
    BENCH_NAMESPACE,
    DEFAULT_REDIS,
    create_database,
    drop_database,
    flush_redis,
    machine,
    postgres_version,
)
from bench.webhook_load import closed_loop, drive, gunicorn, learner, measured, open_loop, signed, summary, traffic
from bench.webhook_profile import profile
from bench.webhook_setup import PER_CIRCLE, analyze, enroll, grow, remind

DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/circlebot_bench_webhook"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=10.0, help="per closed-loop phase")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rate", type=float, default=200.0, help="the open-loop phase's fixed rate")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--profile-only", action="store_true", help="set up, then only the in-process profile")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--network", type=int, default=500, help="then the same mix at this many circles × 12 learners (0: no)"
    )
    args = parser.parse_args(argv)

    from bench.ceiling import TABLE
    from bot.store.db import UnitOfWork, make_engine
    from tests.helpers import AUTH_TOKEN, BASE_URL, make_circle
    from tests.processes import Processes, free_port, wait_http_ok

    print(f"bench.webhook  {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC  {machine()}")
    create_database(args.database_url)
    print(
        f"  PostgreSQL {postgres_version(args.database_url)}; gunicorn --workers 2 (sync) for both apps; "
        f"load from a separate process, {args.concurrency} connections, loopback"
    )
    flush_redis(args.redis_url)
    uow = UnitOfWork(make_engine(args.database_url))
    circles = -(-args.learners // PER_CIRCLE)
    codes = [f"W{i:03d}" for i in range(circles)]
    for i, code in enumerate(codes):
        make_circle(uow, code=code, capacity=PER_CIRCLE, facilitator=f"+1816555{i:04d}")
    with uow.engine.begin() as conn:
        conn.execute(text(TABLE))
    workdir = Path(tempfile.mkdtemp(prefix="circlebot-bench-webhook-"))
    env = {k: v for k, v in os.environ.items() if k not in ("TWILIO_ACCOUNT_SID", "TWILIO_FROM")}
    env.update(
        {
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "PUBLIC_BASE_URL": BASE_URL,
            "SECRET_KEY": "bench",
            "QUIET_HOURS": "",
            "LOG_LEVEL": "WARNING",
            "CIRCLEBOT_INSTANCE": str(workdir / "instance"),
            "CEILING_DATABASE_URL": args.database_url,
            "CIRCLEBOT_QUEUE": BENCH_NAMESPACE,
        }
    )
    phases = {}
    try:
        with Processes(workdir / "logs") as procs:
            port = free_port()
            web = procs.start("web", gunicorn(port, "bot:create_app()"), env)
            wait_http_ok(f"http://127.0.0.1:{port}/healthz", 60, web)
            started = time.perf_counter()
            bad = enroll(port, codes, args.learners)
            enrolled, reminded = remind(uow)
            print(
                f"  set-up (not timed): {circles} circles, {enrolled} learners enrolled through the signed webhook "
                f"({3 * args.learners} requests, {bad} non-2xx, {time.perf_counter() - started:.1f} s); "
                f"{reminded} reminders planned and marked sent"
            )
            wanted = int(args.seconds * 3000) + 1000
            print(
                f"  preparing {3 * wanted + int(args.rate * args.seconds):,} signed requests (fresh MessageSids) …",
                flush=True,
            )
            if args.profile_only:
                web.stop()
                profile(args.database_url, args.redis_url, args.learners, 500)
                return 0
            ours = traffic(args.learners, wanted)
            paced = traffic(args.learners, int(args.rate * args.seconds), seed=8)
            ceiling_requests = [signed("HELP", learner(i % args.learners)) for i in range(2 * wanted)]
            print(
                f"\nclosed loop, {args.seconds:.0f} s each (mix: RSVP 1/2/YES/NO 6, HELP 2, free text 2); the "
                f"ceiling before and after circlebot (the machine is shared: its load moves)"
            )
            cport = free_port()
            ceiling = procs.start("ceiling", gunicorn(cport, "bench.ceiling:app"), env)
            wait_http_ok(f"http://127.0.0.1:{cport}/healthz", 60, ceiling)
            drive(closed_loop, cport, ceiling_requests[-500:], 1.0, args.concurrency)  # warm-up
            phases["ceiling"] = measured(
                "durable ceiling",
                ceiling,
                closed_loop,
                cport,
                ceiling_requests[:wanted],
                args.seconds,
                args.concurrency,
            )
            warm = len(drive(closed_loop, port, traffic(args.learners, 300, seed=9), 1.0, args.concurrency)[1])
            phases["ours"] = measured("circlebot", web, closed_loop, port, ours, args.seconds, args.concurrency)
            phases["ceiling2"] = measured(
                "durable ceiling, again",
                ceiling,
                closed_loop,
                cport,
                ceiling_requests[wanted:-500],
                args.seconds,
                args.concurrency,
            )
            ceiling.stop()
            print(f"\nopen loop at {args.rate:.0f} req/s for {args.seconds:.0f} s (latency from the scheduled time)")
            phases["open"] = summary(
                f"circlebot at {args.rate:.0f}/s", *drive(open_loop, port, paced, args.rate, args.seconds)
            )
            network = 0
            if args.network > circles:
                started = time.perf_counter()
                network = grow(uow, args.network, args.learners)
                analyze(uow.engine)
                print(
                    f"\nnational network: {args.network} circles × {PER_CIRCLE} learners ({network:,} enrolled; the "
                    f"{network - args.learners:,} added in bulk SQL, then VACUUM ANALYZE, in "
                    f"{time.perf_counter() - started:.1f} s, not timed), the same mix over all of them, closed loop, "
                    f"between two more ceiling runs",
                    flush=True,
                )
                big = traffic(network, wanted, seed=10)
                ceiling = procs.start("ceiling-network", gunicorn(cport, "bench.ceiling:app"), env)
                wait_http_ok(f"http://127.0.0.1:{cport}/healthz", 60, ceiling)
                more = [signed("HELP", learner(i % network)) for i in range(2 * wanted)]
                drive(closed_loop, cport, more[-500:], 1.0, args.concurrency)  # warm-up
                phases["nceiling"] = measured(
                    "durable ceiling", ceiling, closed_loop, cport, more[:wanted], args.seconds, args.concurrency
                )
                warm += len(drive(closed_loop, port, traffic(network, 300, seed=12), 1.0, args.concurrency)[1])
                phases["network"] = measured(
                    f"circlebot, {args.network} circles", web, closed_loop, port, big, args.seconds, args.concurrency
                )
                phases["nceiling2"] = measured(
                    "durable ceiling, again",
                    ceiling,
                    closed_loop,
                    cport,
                    more[wanted:-500],
                    args.seconds,
                    args.concurrency,
                )
                ceiling.stop()
            web.stop()
        with uow() as session:
            stored = session.scalar(text("SELECT count(*) FROM message WHERE direction = 'in'"))
            failed = session.scalar(text("SELECT count(*) FROM message WHERE status = 'failed'"))
            rsvps = session.scalar(text("SELECT count(*) FROM rsvp"))
            relays = session.scalar(text("SELECT count(*) FROM outbox WHERE kind = 'relay'"))
        sent = 3 * args.learners + warm + phases["ours"]["n"] + phases["open"]["n"]
        sent += phases["network"]["n"] if "network" in phases else 0
        ceiling_rps = (phases["ceiling"]["rps"] + phases["ceiling2"]["rps"]) / 2
        ratio = phases["ours"]["rps"] / ceiling_rps if ceiling_rps else 0.0
        print(
            f"\nratio circlebot / ceiling: {ratio:.2f}   (target ≥ 0.6: {'met' if ratio >= 0.6 else 'MISSED'}; "
            f"ceiling {ceiling_rps:.1f} req/s, the mean of {phases['ceiling']['rps']:.1f} before and "
            f"{phases['ceiling2']['rps']:.1f} after)"
        )
        if "network" in phases:
            nceiling = (phases["nceiling"]["rps"] + phases["nceiling2"]["rps"]) / 2
            nratio = phases["network"]["rps"] / nceiling if nceiling else 0.0
            print(
                f"ratio at {args.network} circles × {PER_CIRCLE}: {nratio:.2f}   (target ≥ 0.6: "
                f"{'met' if nratio >= 0.6 else 'MISSED'}; ceiling {nceiling:.1f} req/s, the mean of "
                f"{phases['nceiling']['rps']:.1f} before and {phases['nceiling2']['rps']:.1f} after)"
            )
        p99 = phases["open"]["p99"]
        print(f"p99 at {args.rate:.0f} req/s: {p99:.1f} ms   (target < 50 ms: {'met' if p99 < 50 else 'MISSED'})")
        nonok = phases["ours"]["bad"] + phases["open"]["bad"] + phases.get("network", {"bad": 0})["bad"]
        print(
            f"non-2xx: {nonok}   (target 0: {'met' if nonok == 0 else 'MISSED'}); inbound rows stored {stored:,} "
            f"of {sent:,} sent to circlebot, {failed} kept as failed; {rsvps} learners' RSVPs recorded, "
            f"{relays:,} relays to facilitators queued"
        )
        if args.profile:
            profile(args.database_url, args.redis_url, args.learners, 500)
    finally:
        uow.engine.dispose()
        if not args.keep:
            drop_database(args.database_url)
            flush_redis(args.redis_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
