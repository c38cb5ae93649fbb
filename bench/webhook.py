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
import http.client
import itertools
import multiprocessing
import os
import random
import secrets
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import func, insert, select, text, update

from bench._common import (
    BENCH_NAMESPACE,
    DEFAULT_REDIS,
    cpu_seconds,
    create_database,
    drop_database,
    flush_redis,
    load,
    machine,
    postgres_version,
)

DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/circlebot_bench_webhook"
PER_CIRCLE = 12
MIX = (("1", 3), ("2", 1), ("YES", 1), ("NO", 1), ("HELP", 2), ("free", 2))  # body, weight
FREE = (
    "Is there parking at the library?",
    "I will be a bit late",
    "Thank you for today",
    "Can I bring my daughter?",
    "Where is room 2?",
)


def learner(i: int) -> str:
    return f"+1816{4000000 + i:07d}"


def signed(body: str, sender: str) -> tuple[bytes, str]:
    """A signed Twilio inbound SMS with a fresh MessageSid: (form body, X-Twilio-Signature)."""
    from tests.helpers import sign, sms

    params = sms(body, sender, sid="SM" + secrets.token_hex(16))
    return urlencode(params).encode(), sign("/twilio/sms", params)


def post(port: int, form: bytes, signature: str, timeout: float = 30) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(
            "POST",
            "/twilio/sms",
            form,
            {"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
        )
        answer = conn.getresponse()
        answer.read()
        return answer.status
    except Exception:  # noqa: BLE001 - a refused or timed-out request counts as a non-2xx
        return 599
    finally:
        conn.close()


# -- the load process ------------------------------------------------------------------------------------
def _closed(port: int, requests: list, seconds: float, concurrency: int, out) -> None:
    """``concurrency`` threads post back to back until ``seconds`` pass; sends (latency, status) pairs."""
    results, lock, counter = [], threading.Lock(), itertools.count()
    deadline = time.perf_counter() + seconds

    def run():
        mine = []
        while time.perf_counter() < deadline:
            i = next(counter)
            if i >= len(requests):
                break
            started = time.perf_counter()
            status = post(port, *requests[i])
            mine.append((time.perf_counter() - started, status))
        with lock:
            results.extend(mine)

    began = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put((time.perf_counter() - began, results))


def _open(port: int, requests: list, rate: float, seconds: float, out) -> None:
    """Posts at a fixed ``rate`` for ``seconds``; latency from each request's scheduled time."""
    results, lock = [], threading.Lock()
    n = min(len(requests), int(rate * seconds))
    began = time.perf_counter() + 0.2

    def one(i: int):
        due = began + i / rate
        status = post(port, *requests[i])
        with lock:
            results.append((time.perf_counter() - due, status))

    with ThreadPoolExecutor(max_workers=128) as pool:
        for i in range(n):
            delay = began + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, i)
    out.put((time.perf_counter() - began, results))


def drive(target, *args) -> tuple[float, list]:
    """Runs a load function in its own process (so the client's GIL is not the server's)."""
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, out))
    proc.start()
    result = out.get()
    proc.join()
    return result


def summary(name: str, elapsed: float, results: list) -> dict:
    latencies = sorted(lat for lat, _ in results)
    bad = sum(1 for _, status in results if not 200 <= status < 300)

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000 if latencies else 0.0

    figures = {
        "name": name,
        "n": len(results),
        "rps": len(results) / elapsed if elapsed else 0.0,
        "p50": pct(50),
        "p95": pct(95),
        "p99": pct(99),
        "bad": bad,
    }
    print(
        f"  {name:<34} {figures['n']:>6} req in {elapsed:5.1f} s  {figures['rps']:8.1f} req/s   "
        f"p50 {figures['p50']:6.1f} ms  p95 {figures['p95']:6.1f} ms  p99 {figures['p99']:6.1f} ms   "
        f"non-2xx {bad}   ({load()})",
        flush=True,
    )
    return figures


def measured(name: str, server, target, *args) -> dict:
    """``summary`` of one load phase, and the CPU each request cost the server under test (its gunicorn
    master and workers) and PostgreSQL (every backend on the machine: keep it quiet)."""
    web, database = cpu_seconds([server.pid]), cpu_seconds(command="postgres")
    elapsed, results = drive(target, *args)
    web, database = cpu_seconds([server.pid]) - web, cpu_seconds(command="postgres") - database
    figures = summary(name, elapsed, results)
    n = max(1, figures["n"])
    figures.update(web_cpu=web / n * 1000, db_cpu=database / n * 1000)
    print(f"  {'':<34} CPU per request: web {figures['web_cpu']:.2f} ms, PostgreSQL {figures['db_cpu']:.2f} ms")
    return figures


# -- set-up ----------------------------------------------------------------------------------------------
def gunicorn(port: int, app: str) -> list[str]:
    """The Procfile's web process: gunicorn, 2 sync workers."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        "2",
        "--timeout",
        "30",
        app,
    ]


def enroll(port: int, codes: list[str], learners: int) -> int:
    """JOIN, name and language for every learner through the signed webhook; returns the non-2xx count."""
    names = ("Amina", "Ben", "Chidi", "Dana", "Eva", "Femi", "Gus", "Hana", "Ivo", "Jo", "Kim", "Lea")

    def signup(i: int) -> int:
        phone, bad = learner(i), 0
        for body in (f"JOIN {codes[i // PER_CIRCLE]}", names[i % len(names)], "1"):
            bad += not 200 <= post(port, *signed(body, phone)) < 300
        return bad

    with ThreadPoolExecutor(max_workers=8) as pool:
        return sum(pool.map(signup, range(learners)))


def remind(uow) -> tuple[int, int]:
    """Plans every learner's reminder for the first meeting (as the worker's tick would a day before it)
    and marks them sent now, so that ``1``/``2``/``YES``/``NO`` answer one; returns (enrolled, reminders).

    The circles start in three days, beyond the planning horizon, so set-up plans them as of the moment
    they fall due (``bot.domain.planning.reminders.plan`` with that ``now``).
    """
    from bot.domain.planning import reminders
    from bot.settings import Settings
    from bot.store.models import Meeting, Outbox

    settings = Settings.from_env(overrides={"QUIET_HOURS": ""})
    with uow() as session:
        first = session.scalar(select(func.min(Meeting.starts_at)))
        planned = reminders.plan(session, settings, first - settings.reminder_lead)
        session.execute(update(Outbox).where(Outbox.kind == "reminder").values(status="sent", sent_at=func.now()))
        enrolled = session.scalar(text("SELECT count(*) FROM enrollment WHERE status = 'active'"))
        session.commit()
    if len(planned) < enrolled:
        raise SystemExit(f"bench: {len(planned)} reminders planned for {enrolled} learners; RSVPs would not be RSVPs")
    return enrolled, len(planned)


def grow(uow, circles: int, learners: int) -> int:
    """Adds circles (from ``⌈learners/12⌉`` up to ``circles``) of 12 learners each in bulk SQL, each learner as the
    signup leaves them (a name, English, a consented preferred SMS address, an active place, their ``#N`` with the
    facilitator); then plans every reminder for their first meeting and marks it sent. Returns the learners
    there are now."""
    from bot.domain.planning import reminders
    from bot.settings import Settings
    from bot.store.models import Address, Circle, Contact, Enrollment, Meeting, Outbox, RelayHandle
    from tests.helpers import make_circle

    first = -(-learners // PER_CIRCLE)
    now = datetime.now(timezone.utc)
    ids = [
        make_circle(uow, code=f"W{i:03d}", capacity=PER_CIRCLE, facilitator=f"+1816555{i:04d}")
        for i in range(first, circles)
    ]
    with uow() as session:
        total = learners
        for circle_id in ids:
            people = [learner(total + k) for k in range(PER_CIRCLE)]
            total += PER_CIRCLE
            contact_ids = session.scalars(
                insert(Contact).returning(Contact.id, sort_by_parameter_order=True),
                [{"name": f"L{phone[-4:]}", "language": "en", "created_at": now} for phone in people],
            ).all()
            session.execute(
                insert(Address),
                [
                    {
                        "contact_id": c,
                        "channel": "sms",
                        "value": phone,
                        "preferred": True,
                        "consent_at": now,
                        "consent_source": "sms",
                        "created_at": now,
                    }
                    for c, phone in zip(contact_ids, people, strict=True)
                ],
            )
            session.execute(
                insert(Enrollment),
                [{"contact_id": c, "circle_id": circle_id, "status": "active", "created_at": now} for c in contact_ids],
            )
            facilitator = session.scalar(select(Circle.facilitator_id).where(Circle.id == circle_id))
            session.execute(  # each learner's #N with the facilitator, made at enrollment since issue 24
                insert(RelayHandle),
                [
                    {"facilitator_id": facilitator, "contact_id": c, "number": n, "created_at": now}
                    for n, c in enumerate(contact_ids, start=1)
                ],
            )
        settings = Settings.from_env(overrides={"QUIET_HOURS": ""})
        due = session.scalar(select(func.min(Meeting.starts_at)))
        reminders.plan(session, settings, due - settings.reminder_lead)
        session.execute(
            update(Outbox)
            .where(Outbox.kind == "reminder", Outbox.status != "sent")
            .values(status="sent", sent_at=func.now())
        )
        session.commit()
    return total


def analyze(engine) -> None:
    """``VACUUM ANALYZE`` after the bulk load, as an operator would after an import: without it, autovacuum
    catches up during the timed phase (its CPU counted as PostgreSQL's) and the plans cached in the web's
    connections keep the small database's statistics until it has."""
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))


def traffic(learners: int, n: int, seed: int = 7) -> list:
    rng = random.Random(seed)
    bodies = [body for body, weight in MIX for _ in range(weight)]
    out = []
    for _ in range(n):
        body = rng.choice(bodies)
        out.append(signed(rng.choice(FREE) if body == "free" else body, learner(rng.randrange(learners))))
    return out


def profile(database_url: str, redis_url: str, learners: int, n: int) -> None:
    """In-process: ``n`` signed texts through the Flask test client under cProfile, and SQL per request."""
    import cProfile
    import io
    import pstats

    from bench._common import StatementCounter
    from bot import create_app
    from tests.helpers import AUTH_TOKEN, BASE_URL

    app = create_app(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "PUBLIC_BASE_URL": BASE_URL,
            "QUIET_HOURS": "",
            "CIRCLEBOT_QUEUE": BENCH_NAMESPACE,
        }
    )
    client = app.test_client()
    requests = traffic(learners, n, seed=11)
    counter = StatementCounter(app.extensions["circlebot"].uow.engine)
    prof = cProfile.Profile()
    started = time.perf_counter()
    with counter.watching():
        prof.enable()
        for form, signature in requests:
            client.post(
                "/twilio/sms",
                data=form,
                headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
            )
        prof.disable()
    elapsed = time.perf_counter() - started
    print(f"\nprofile: {n} signed texts in-process (Flask test client, cProfile on), {load()}")
    print(
        f"  {elapsed / n * 1000:.2f} ms per request under the profiler; SQL {counter.count / n:.2f} statements and "
        f"{counter.seconds / n * 1000:.2f} ms cursor time per request {counter.by_verb}"
    )
    stats = pstats.Stats(prof)
    print(
        "  own time by component, ms per request (under the profiler): "
        + ", ".join(f"{name} {seconds / n * 1000:.2f}" for name, seconds in components(stats))
    )
    buf = io.StringIO()
    stats.stream = buf
    stats.sort_stats("cumulative").print_stats(28)
    lines = [line for line in buf.getvalue().splitlines() if line.strip()]
    print("\n".join("  " + line for line in lines[-32:]))


COMPONENTS = (  # (name, what a profiled function's file path contains), first match wins
    ("psycopg (incl. waiting on the database)", "/psycopg/"),
    ("sqlalchemy", "/sqlalchemy/"),
    ("redis+rq", "/redis/"),
    ("redis+rq", "/rq/"),
    ("twilio", "/twilio/"),
    ("babel", "/babel/"),
    ("flask+werkzeug", "/werkzeug/"),
    ("flask+werkzeug", "/flask"),
    ("phonenumbers", "/phonenumbers/"),
    ("circlebot", "/bot/"),
    ("circlebot", "/webhooks/"),
    ("circlebot", "/flows/"),
)


def components(stats) -> list[tuple[str, float]]:
    """Own (not cumulative) profiled time grouped by library, largest first; built-ins go to their caller's
    library (a socket wait called by psycopg counts as psycopg's)."""
    totals: dict[str, float] = {}
    for (path, _line, _name), (_cc, _nc, own, _cum, callers) in stats.stats.items():
        if path == "~" and callers:  # a built-in: charge it to the library of its biggest caller
            path = max(callers.items(), key=lambda item: item[1][2])[0][0]
        name = next((label for label, part in COMPONENTS if part in path), "other (stdlib, json, …)")
        totals[name] = totals.get(name, 0.0) + own
    return sorted(totals.items(), key=lambda item: -item[1])


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
            drive(_closed, cport, ceiling_requests[-500:], 1.0, args.concurrency)  # warm-up
            phases["ceiling"] = measured(
                "durable ceiling", ceiling, _closed, cport, ceiling_requests[:wanted], args.seconds, args.concurrency
            )
            warm = len(drive(_closed, port, traffic(args.learners, 300, seed=9), 1.0, args.concurrency)[1])
            phases["ours"] = measured("circlebot", web, _closed, port, ours, args.seconds, args.concurrency)
            phases["ceiling2"] = measured(
                "durable ceiling, again",
                ceiling,
                _closed,
                cport,
                ceiling_requests[wanted:-500],
                args.seconds,
                args.concurrency,
            )
            ceiling.stop()
            print(f"\nopen loop at {args.rate:.0f} req/s for {args.seconds:.0f} s (latency from the scheduled time)")
            phases["open"] = summary(
                f"circlebot at {args.rate:.0f}/s", *drive(_open, port, paced, args.rate, args.seconds)
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
                drive(_closed, cport, more[-500:], 1.0, args.concurrency)  # warm-up
                phases["nceiling"] = measured(
                    "durable ceiling", ceiling, _closed, cport, more[:wanted], args.seconds, args.concurrency
                )
                warm += len(drive(_closed, port, traffic(network, 300, seed=12), 1.0, args.concurrency)[1])
                phases["network"] = measured(
                    f"circlebot, {args.network} circles", web, _closed, port, big, args.seconds, args.concurrency
                )
                phases["nceiling2"] = measured(
                    "durable ceiling, again", ceiling, _closed, cport, more[wanted:-500], args.seconds, args.concurrency
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
