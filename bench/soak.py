"""Soak bench: minutes of mixed signed traffic on gunicorn + PostgreSQL + Redis, with a worker sending.

    .venv/bin/python -m bench.soak                  # the issue's run: 10 minutes at 100 requests/s
    .venv/bin/python -m bench.soak --minutes 1      # a quick run

Everything is real but Twilio: gunicorn (``--web-workers``, default 2) on ``bot:create_app()``, one
``circlebot worker`` (RQ with its scheduler) and the Twilio stand-in as its own process
(``tests.standin.twilio_api --record``). Set-up, not timed: ``--circles`` circles of ``--per-circle``
learners, one meeting 12 h ahead whose reminder every RSVP learner has already had (inserted as sent),
and an open learner survey for a pool of survey learners (inserted after the reminders, so a digit
answers the survey, not the reminder).

Traffic, open loop at ``--rate`` requests/s spread over ``--threads`` threads, each thread owning its
learners (so one learner's texts never overtake each other), every request a signed Twilio SMS
webhook with a new MessageSid:

* RSVP (40%): ``1`` or ``2`` from an RSVP learner; changes their RSVP, sends nothing;
* HELP (25%): answered inline, sends nothing;
* relay (10%): free text, relayed to the circle's facilitator: one outbox row and one text each;
* survey (25%): the next answer of a survey learner (5 questions, the last free text); when the pool is
  used up, HELP instead.

Before it, for a baseline, 10 s of ``GET /healthz`` at the same rate: the web stack's floor.

It prints errors (non-200, non-TwiML, exceptions), latency percentiles, the achieved rate per minute,
the RSS of every long-lived process (gunicorn master and workers, the worker and its RQ scheduler,
the stand-in) at launch, after a warm-up and at the end, and the row counts against what the traffic
implies: inbound messages, answers, RSVP rows, relay outbox rows, texts the stand-in received and
the provider ids one to one. Targets: 0 errors, RSS growth under 10% (warm-up → end), exact counts.
The bench creates its own database and flushes its Redis db at the start and the end.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from bench._common import (
    DEFAULT_REDIS,
    create_database,
    drop_database,
    flush_redis,
    load,
    machine,
    postgres_version,
    redis_version,
)
from bench.pacing import ACCOUNT_SID, SENDER, Processes, start_standin, worker_command
from bench.procstats import snapshot
from bench.soak_setup import open_surveys, set_up
from bench.soak_traffic import AUTH_TOKEN, BASE_URL, MIX, SURVEY_ANSWERS, Traffic, baseline, percentiles

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/circlebot_bench_soak"
BASELINE_SECONDS = 10.0


# -- set-up --------------------------------------------------------------------------------------


def env_for(args, standin_url: str, instance: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TWILIO_"))}
    env.update(
        {
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM": SENDER,
            "TWILIO_API_BASE": standin_url,
            "SEND_RATE_PER_SECOND": str(args.send_rate),
            "QUIET_HOURS": "",
            "CIRCLEBOT_INSTANCE": str(instance),
            "PUBLIC_BASE_URL": BASE_URL,
            "LOG_LEVEL": "WARNING",
            "SECRET_KEY": "soak-bench",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


# -- counts --------------------------------------------------------------------------------------


def counts(rt) -> dict:
    from sqlalchemy import func, select

    from bot.store.models import Answer, Message, Outbox, Rsvp

    with rt.uow() as session:
        scalar = session.scalar
        return {
            "inbound": scalar(select(func.count()).select_from(Message).where(Message.direction == "in")),
            "answers": scalar(select(func.count()).select_from(Answer)),
            "rsvps": scalar(select(func.count()).select_from(Rsvp)),
            "outbox": {
                f"{k}/{st}": n
                for k, st, n in session.execute(
                    select(Outbox.kind, Outbox.status, func.count())
                    .where(Outbox.kind != "reminder")
                    .group_by(Outbox.kind, Outbox.status)
                ).all()
            },
            "provider_ids": set(
                session.scalars(
                    select(Outbox.provider_id).where(Outbox.kind != "reminder", Outbox.provider_id.is_not(None))
                ).all()
            ),
            "unsent": scalar(
                select(func.count())
                .select_from(Outbox)
                .where(Outbox.kind != "reminder", Outbox.status.in_(("pending", "sending")))
            ),
        }


def read_record(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def error_lines(log: Path) -> list[str]:
    """Lines of a process log that report an error (tracebacks, ERROR records, gunicorn's worker timeouts)."""
    if not log.exists():
        return []
    marks = ("Traceback", "ERROR", "CRITICAL", "WORKER TIMEOUT", "Exception")
    return [line for line in log.read_text(errors="replace").splitlines() if any(m in line for m in marks)]


# -- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=100.0, help="requests per second (open loop)")
    parser.add_argument("--threads", type=int, default=32, help="client threads")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--circles", type=int, default=20)
    parser.add_argument(
        "--per-circle",
        type=int,
        default=0,
        help="learners per circle (default: enough survey learners for the whole run)",
    )
    parser.add_argument("--send-rate", type=float, default=1000.0, help="SEND_RATE_PER_SECOND of the worker")
    parser.add_argument("--warm-up", type=float, default=20.0, help="seconds of traffic before the RSS 'start' sample")
    parser.add_argument("--drain", type=float, default=300.0, help="most seconds to wait for the worker afterwards")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE,
        help="PostgreSQL URL of a database the bench creates and drops (default: %(default)s)",
    )
    parser.add_argument(
        "--redis-url", default=DEFAULT_REDIS, help="a Redis db the bench may flush (default: %(default)s)"
    )
    parser.add_argument("--keep-logs", action="store_true")
    args = parser.parse_args(argv)

    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up (processes, database) on SIGTERM too
    from bot.domain.circles import CAPACITY_MAX
    from bot.runtime import Runtime
    from bot.settings import Settings
    from tests.processes import free_port, wait_http_ok

    seconds = args.minutes * 60
    survey_share = dict(MIX)["survey"] / 100
    if not args.per_circle:  # every survey answer needs a learner with answers left, plus RSVP learners
        survey_learners = args.rate * seconds * survey_share / len(SURVEY_ANSWERS) * 1.2 + args.threads
        # A circle holds at most CAPACITY_MAX learners: a long or fast run gets more circles instead
        # (10 minutes at 200/s asked 724 a circle of 20 circles, and stopped at the set-up).
        args.circles = max(args.circles, int(math.ceil(survey_learners / 0.5 / CAPACITY_MAX)))
        args.per_circle = max(20, int(math.ceil(survey_learners / args.circles / 0.5)))
    if args.per_circle > CAPACITY_MAX:
        parser.error(f"--per-circle: a circle holds at most {CAPACITY_MAX} learners")
    share = 0.5  # half of each circle are survey learners

    print(f"bench.soak  {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC  {machine()}")
    print(
        f"  PostgreSQL {postgres_version(args.database_url.rsplit('/', 1)[0] + '/postgres')}, "
        f"Redis {redis_version(args.redis_url)}; gunicorn {args.web_workers} workers, 1 `circlebot worker`"
    )
    print(
        f"  {args.minutes:g} min at {args.rate:g} req/s = {int(args.rate * seconds):,} signed texts from "
        f"{args.threads} threads; mix {', '.join(f'{k} {w}%' for k, w in MIX)}; "
        f"{args.circles} circles × {args.per_circle} learners"
    )
    tmp = Path(tempfile.mkdtemp(prefix="circlebot-bench-soak-"))
    record = tmp / "standin-record.jsonl"
    procs = Processes()
    failed = True
    try:
        flush_redis(args.redis_url)
        create_database(args.database_url)
        standin_url = start_standin(procs, record)
        standin_proc = procs.procs[-1]
        env = env_for(args, standin_url, tmp / "instance")
        (tmp / "instance").mkdir()
        settings = Settings.from_env({**env})
        rt = Runtime.build(settings, str(tmp / "instance"))
        started = time.monotonic()
        people = set_up(rt, args.circles, args.per_circle, share)
        open_surveys(rt, people)
        print(
            f"  set-up {time.monotonic() - started:.1f} s: {len(people['rsvp'])} RSVP learners, "
            f"{len(people['survey'])} survey learners (all reminded); stand-in {standin_url}; logs in {tmp}"
        )

        port = free_port()
        web_log, worker_log = open(tmp / "web.log", "wb"), open(tmp / "worker.log", "wb")
        web = procs.start(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(args.web_workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "30",
                "bot:create_app()",
            ],
            env=env,
            stdout=web_log,
            stderr=web_log,
        )
        worker = procs.start(worker_command("cli", args.redis_url), env=env, stdout=worker_log, stderr=worker_log)
        wait_http_ok(f"http://127.0.0.1:{port}/healthz", 60)
        time.sleep(3)  # the worker's first tick
        roles = {"web": web, "worker": worker, "standin": standin_proc}
        launch = snapshot(roles)

        base = baseline(port, args.rate, BASELINE_SECONDS, args.threads)
        print(
            f"baseline: GET /healthz at {args.rate:g}/s for {BASELINE_SECONDS:g} s: "
            f"{len(base)}/{int(args.rate * BASELINE_SECONDS)} ok; {percentiles(base)}  ({load()})"
        )

        traffic = Traffic(port, people, args.rate, seconds, args.threads)
        warm: dict = {}

        def sample_after_warm_up() -> None:
            time.sleep(args.warm_up)
            warm.update(snapshot(roles))

        sampler = threading.Thread(target=sample_after_warm_up, daemon=True)
        sampler.start()
        elapsed = traffic.run()
        sampler.join()
        end_traffic = snapshot(roles)
        results = traffic.results
        errors = [r for r in results if r[3] != 200 or r[4] is not None]
        print(
            f"soak: {len(results):,} texts in {elapsed:.1f} s = {len(results) / elapsed:.1f}/s "
            f"(asked {args.rate:g}/s; {traffic.skipped:,} not sent when the time was up)  ({load()})"
        )
        per_minute = Counter(int(max(r[5], 0) // 60) for r in results)
        late = sorted(max(r[5] - r[1], 0) for r in results)
        print(
            f"  sent per minute: {', '.join(str(per_minute[m]) for m in sorted(per_minute))}; "
            f"behind schedule: median {late[len(late) // 2]:.2f} s, max {late[-1]:.2f} s"
            if late
            else ""
        )
        print(f"  latency all: {percentiles([r[2] for r in results])}")
        for kind, _ in MIX:
            lat = [r[2] for r in results if r[0] == kind]
            print(f"    {kind:<7} {len(lat):>7,}  {percentiles(lat)}")
        kinds = Counter((r[3], r[4]) for r in errors)
        print(f"  errors: {len(errors)}" + (f"  {dict(kinds.most_common(5))}" if errors else ""))

        # The worker drains the relays; then the counts.
        expected_relays = traffic.sent["relay"]
        drain_started = time.monotonic()
        while time.monotonic() - drain_started < args.drain:
            if len(read_record(record)) >= expected_relays and counts(rt)["unsent"] == 0:
                break
            time.sleep(1)
        drained = time.monotonic() - drain_started
        end = snapshot(roles)
        got = counts(rt)
        messages = read_record(record)
        sids = Counter(m["sid"] for m in messages)
        expected = {
            "inbound": sum(1 for r in results if r[3] == 200),
            "answers": traffic.sent["survey"],
            "rsvps": len(traffic.rsvp_learners),
        }
        print(f"worker drained the outbox {drained:.1f} s after the traffic ended")
        print("counts (got / expected):")
        checks = []
        for name in ("inbound", "answers", "rsvps"):
            checks.append(got[name] == expected[name])
            print(f"  {name:<22} {got[name]:>7,} / {expected[name]:>7,}  {'ok' if checks[-1] else 'MISMATCH'}")
        relay_sent = got["outbox"].get("relay/sent", 0)
        checks.append(relay_sent == expected_relays and set(got["outbox"]) <= {"relay/sent"})
        print(
            f"  relay outbox rows sent {relay_sent:>7,} / {expected_relays:>7,}  {'ok' if checks[-1] else 'MISMATCH'}"
            f"   (outbox by kind/status, reminders set up aside: {got['outbox']})"
        )
        checks.append(len(messages) == expected_relays and max(sids.values(), default=1) == 1)
        print(
            f"  texts at the stand-in  {len(messages):>7,} / {expected_relays:>7,}  "
            f"{'ok' if checks[-1] else 'MISMATCH'}"
            f"   (duplicate sids {sum(n - 1 for n in sids.values())}, duplicate to+body "
            f"{len(messages) - len({(m['to'], m['body']) for m in messages})})"
        )
        checks.append(set(sids) == got["provider_ids"])
        print(f"  stand-in sids == outbox provider ids: {'yes' if checks[-1] else 'NO'}")

        print("RSS (MiB)            pid      launch  warm-up      end   growth warm-up→end")
        worst = 0.0
        for pid in sorted(
            set(launch) | set(warm) | set(end), key=lambda p: ((launch.get(p) or warm.get(p) or end.get(p))[0], p)
        ):
            label = (launch.get(pid) or warm.get(pid) or end.get(pid))[0]
            a, w, e = (s.get(pid, (None, None))[1] for s in (launch, warm, end))
            growth = (e / w - 1) if (w and e) else None
            if growth is not None and label != "Twilio stand-in" and label != "worker child":
                worst = max(worst, growth)
            fmt = lambda v: f"{v:8.1f}" if v is not None else "       -"  # noqa: E731
            print(
                f"  {label:<19}{pid:>7} {fmt(a)} {fmt(w)} {fmt(e)}   "
                f"{f'{growth:+.1%}' if growth is not None else 'n/a (not alive at both)'}"
            )
        print("  (the stand-in keeps every message it accepted in memory by design: it is not a target)")
        print(
            f"  RSS right after the traffic, before the drain: "
            f"{', '.join(f'{lbl} {v:.1f}' for lbl, v in sorted(end_traffic.values()))}"
        )

        log_errors = {name: error_lines(tmp / f"{name}.log") for name in ("web", "worker")}
        for name, lines in log_errors.items():
            print(f"  {name} log: {len(lines)} error lines" + (f", first: {lines[0][:160]}" if lines else ""))
        ok_errors = not errors and not any(log_errors.values())
        ok_rss = worst < 0.10
        ok_counts = all(checks)
        print(
            f"target: 0 errors: {'met' if ok_errors else 'MISSED'} ({len(errors)} requests, "
            f"{sum(len(v) for v in log_errors.values())} log lines)"
        )
        print(
            f"target: RSS growth < 10% (warm-up → end, web and worker processes): "
            f"{'met' if ok_rss else 'MISSED'} (worst {worst:+.1%})"
        )
        print(f"target: exact counts: {'met' if ok_counts else 'MISSED'}")
        rate_ok = len(results) / elapsed >= args.rate * 0.95
        print(
            f"achieved rate {len(results) / elapsed:.1f}/s of {args.rate:g}/s asked: "
            f"{'met' if rate_ok else 'MISSED (the client or the server fell behind; see latency)'}"
        )
        failed = not (ok_errors and ok_rss and ok_counts)
        return 1 if failed else 0
    finally:
        procs.stop()
        drop_database(args.database_url)
        flush_redis(args.redis_url)
        if args.keep_logs or failed:
            print(f"logs and record kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
