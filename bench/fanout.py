"""Fan-out bench: plan, store and queue one reminder per learner, on PostgreSQL + Redis.

    .venv/bin/python -m bench.fanout --learners 100000
    .venv/bin/python -m bench.fanout --learners 1200          # quick smoke run

It creates its own database (``--database-url``, dropped at the end) and uses its own Redis namespace
(``--redis-url``; only that namespace's keys are deleted). The set-up (about learners/12 circles of 12
learners, one meeting each about 12 h ahead, facilitators with phones, six languages, a dozen time
zones) is done with set-based SQL and is not timed. The timed part is the production path of
``bot.outbound.jobs.plan_now`` for reminders: ``bot.domain.planning.reminders.plan`` (the meetings in reach, then their
learners a group of meetings at a time, INSERT … ON CONFLICT DO NOTHING RETURNING per group), the
commit, and ``bot.outbound.publish.enqueue_rows``, which the unit of work's commit runs (one RQ job per
batch of ≤ 50 rows, bot/domain/batches.py).

Baseline, measured in the same run on the same empty table: a plain bulk INSERT of as many rows of
the same shape (no SELECT, no ON CONFLICT, no RETURNING, no queue). The bench also times one
steady-state ``bot.outbound.jobs.tick`` afterwards (every reminder already planned and queued), since the
worker runs that every minute.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import math
import pstats
import sys
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, text

from bench._common import (
    BENCH_NAMESPACE,
    DEFAULT_REDIS,
    RedisLatencyProbe,
    RssSampler,
    StatementCounter,
    create_database,
    drop_database,
    flush_redis,
    load,
    machine,
    postgres_version,
    redis_version,
)

DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/circlebot_bench"
PER_CIRCLE = 12
TARGET_SECONDS = 60.0
TARGET_RATIO = 2.0
TARGET_RSS_GROWTH = 64.0
TARGET_LEARNERS = 100_000
LANGUAGES = ("en", "es", "fr", "pt", "pl", "sw")
ZONES = (
    "America/Chicago",
    "America/New_York",
    "America/Denver",
    "America/Los_Angeles",
    "America/Mexico_City",
    "America/Sao_Paulo",
    "Europe/Madrid",
    "Europe/Paris",
    "Europe/Warsaw",
    "Europe/Lisbon",
    "Africa/Nairobi",
    "Africa/Dar_es_Salaam",
)
QUEUE_NAME = BENCH_NAMESPACE


def _sql_array(values) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]"


def set_up(engine, learners: int, now: datetime) -> int:
    """Facilitators, circles, one meeting each (12 h ahead ± 1 h), contacts and active enrollments."""
    circles = math.ceil(learners / PER_CIRCLE)
    langs, zones = _sql_array(LANGUAGES), _sql_array(ZONES)
    statements = [
        # Facilitators are contacts :learners + 1 … with an SMS address each.
        """INSERT INTO contact (id, name, language, created_at)
           SELECT :learners + g, 'Facilitator ' || g, 'en', :now FROM generate_series(1, :circles) g""",
        """INSERT INTO address (contact_id, channel, value, preferred, consent_at, consent_source, created_at)
           SELECT :learners + g, 'sms', '+1913' || lpad(g::text, 7, '0'), true, :now, 'cli', :now
           FROM generate_series(1, :circles) g""",
        """INSERT INTO facilitator (id, name, contact_id, created_at)
           SELECT g, 'Facilitator ' || g, :learners + g, :now FROM generate_series(1, :circles) g""",
        f"""INSERT INTO circle (id, code, phone_code, name, course, venue, city, postal_code, language, timezone,
                                capacity, weekday, start_time, starts_on, weeks, facilitator_id, created_at)
            SELECT g, 'B' || lpad(g::text, 7, '0'), lpad(g::text, 8, '0'), 'Circle ' || g || ': Intro to Computers',
                   'Digital literacy', 'Branch Library ' || g || ', Room 2', 'Kansas City', '64105',
                   ({langs})[1 + g % 6], z.tz, {PER_CIRCLE},
                   extract(isodow FROM (s.at AT TIME ZONE z.tz))::int - 1,
                   (s.at AT TIME ZONE z.tz)::time, (s.at AT TIME ZONE z.tz)::date, 6, g, :now
            FROM generate_series(1, :circles) g
            CROSS JOIN LATERAL (SELECT ({zones})[1 + g % {len(ZONES)}] AS tz) z
            CROSS JOIN LATERAL (SELECT :now + interval '11 hours' + (g % 120) * interval '1 minute' AS at) s""",
        """INSERT INTO meeting (id, circle_id, seq, starts_at, ends_at, status)
           SELECT g, g, 1, :now + interval '11 hours' + (g % 120) * interval '1 minute',
                  :now + interval '13 hours' + (g % 120) * interval '1 minute', 'scheduled'
           FROM generate_series(1, :circles) g""",
        # Two learners in three speak the circle's language; the rest another one, or none set (→ the circle's).
        f"""INSERT INTO contact (id, name, language, created_at)
            SELECT i, 'Learner ' || i,
                   CASE WHEN i % 3 = 0 THEN ({langs})[1 + (i / 3) % 6]
                        WHEN i % 11 = 0 THEN NULL
                        ELSE ({langs})[1 + ((i - 1) / {PER_CIRCLE} + 1) % 6] END,
                   :now
            FROM generate_series(1, :learners) i""",
        """INSERT INTO address (contact_id, channel, value, preferred, consent_at, consent_source, created_at)
           SELECT i, 'sms', '+1816' || lpad(i::text, 7, '0'), true, :now, 'sms', :now
           FROM generate_series(1, :learners) i""",
        f"""INSERT INTO enrollment (id, contact_id, circle_id, status, created_at)
            SELECT i, i, (i - 1) / {PER_CIRCLE} + 1, 'active', :now FROM generate_series(1, :learners) i""",
    ]
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), {"now": now, "circles": circles, "learners": learners})
        for table in ("facilitator", "circle", "meeting", "contact", "address", "enrollment"):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))
    return circles


def baseline_insert(rt, learners: int, circles: int, now: datetime) -> tuple[float, int]:
    """Seconds for a plain bulk INSERT of ``learners`` outbox rows shaped as the fan-out's (same columns:
    replies, language, time zone, address, batch), 5,000 per statement: no SELECT, no ``ON CONFLICT``,
    no ``RETURNING``, no queue. Only the INSERTs and the commit are timed; the rows are built a chunk
    at a time beforehand, so the baseline's memory stays small."""
    from bot.domain.outbox import CHUNK
    from bot.domain.planning.reminders import reminder_reply
    from bot.render import codec
    from bot.store.models import Outbox

    with rt.uow.engine.connect() as conn:
        first_address = conn.execute(text("SELECT min(id) FROM address WHERE contact_id = 1")).scalar_one()
    counter = StatementCounter(rt.uow.engine)
    seconds = 0.0
    with counter.watching(), rt.uow() as session:
        for start in range(1, learners + 1, CHUNK):
            said = {}
            rows = []
            for i in range(start, min(start + CHUNK, learners + 1)):
                meeting = (i - 1) // PER_CIRCLE + 1
                if meeting not in said:
                    said[meeting] = codec.dump(
                        (
                            reminder_reply(
                                f"Circle {meeting}: Intro to Computers",
                                f"Branch Library {meeting}, Room 2",
                                now + timedelta(hours=12),
                                ZONES[meeting % len(ZONES)],
                            ),
                        )
                    )
                rows.append(
                    {
                        "dedupe_key": f"baseline:{i}",
                        "kind": "reminder",
                        "contact_id": i,
                        "address_id": first_address + i - 1,
                        "channel": "sms",
                        "address": "+1816" + str(i).zfill(7),
                        "replies": said[meeting],
                        "language": LANGUAGES[i % len(LANGUAGES)],
                        "timezone": ZONES[meeting % len(ZONES)],
                        "body": None,
                        "send_after": now,
                        "status": "pending",
                        "attempts": 0,
                        "meeting_id": meeting,
                        "created_at": now,
                        "batch": f"baseline-{i // 50}",
                    }
                )
            started = time.perf_counter()
            session.execute(insert(Outbox), rows)
            seconds += time.perf_counter() - started
        started = time.perf_counter()
        session.commit()
        seconds += time.perf_counter() - started
    with rt.uow.engine.begin() as conn:
        conn.execute(text("TRUNCATE outbox RESTART IDENTITY"))
    return seconds, counter.count


class Timer:
    """Adds up the time spent in one function (wrapped for the timed run only)."""

    def __init__(self, func):
        self.func, self.seconds, self.calls = func, 0.0, 0

    def __call__(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return self.func(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started
            self.calls += 1


def fan_out(rt, now: datetime, profile: cProfile.Profile | None) -> dict:
    """The timed production path of ``jobs.plan_now`` for reminders: plan (select + rows + insert),
    commit, enqueue the batch jobs."""
    from bot.domain.planning import reminders
    from bot.outbound import publish
    from flows import planner

    counter = StatementCounter(rt.uow.engine)
    probe = RedisLatencyProbe(rt.settings.redis_url)
    schedule = Timer(planner.reminder_time)
    planner.reminder_time = schedule
    try:
        with probe, RssSampler() as rss:  # the probe starts outside the timing: a process start is no part of it
            if profile:
                profile.enable()
            publishing, rt.uow.publish = rt.uow.publish, None  # the enqueue is timed on its own below
            t0 = time.perf_counter()
            with rt.uow() as session:
                with counter.watching():
                    planned = reminders.plan(session, rt.settings, now)
                t1 = time.perf_counter()
                session.commit()
            t2 = time.perf_counter()
            enqueued = publish.enqueue_rows(rt.queue, planned)  # what the unit of work's commit does
            t3 = time.perf_counter()
            rt.uow.publish = publishing
            if profile:
                profile.disable()
            batches = len({p.batch for p in planned})
            del planned
    finally:
        planner.reminder_time = schedule.func
    return {
        "batches": batches,
        "enqueued": enqueued,
        "plan": t1 - t0,
        "commit": t2 - t1,
        "enqueue": t3 - t2,
        "total": t3 - t0,
        "statements": counter.count,
        "by_verb": counter.by_verb,
        "sql_seconds": counter.seconds,
        "sql_by_verb": counter.seconds_by_verb,
        "rss": rss,
        "redis_worst": probe.worst,
        "schedule_seconds": schedule.seconds,
    }


def steady_tick(rt) -> dict:
    """One worker tick after the fan-out (``jobs.tick`` = ``plan_now`` + ``sweep``), timed part by part.

    Every reminder is planned and queued already, so a tick should find nothing to do.
    """
    from bot.outbound import jobs

    counter = StatementCounter(rt.uow.engine)
    with counter.watching():
        t0 = time.perf_counter()
        planned = jobs.plan_now()
        t1 = time.perf_counter()
        swept = jobs.sweep()
        t2 = time.perf_counter()
    return {
        "planned": planned,
        "swept": swept,
        "plan": t1 - t0,
        "sweep": t2 - t1,
        "seconds": t2 - t0,
        "statements": counter.count,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=TARGET_LEARNERS)
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE,
        help="PostgreSQL URL of a database the bench creates and drops (default: %(default)s)",
    )
    parser.add_argument(
        "--redis-url", default=DEFAULT_REDIS, help="a Redis db the bench may flush (default: %(default)s)"
    )
    parser.add_argument("--profile", action="store_true", help="run the timed part under cProfile and print the top")
    parser.add_argument("--no-tick", action="store_true", help="skip the steady-state tick")
    parser.add_argument("--keep", action="store_true", help="keep the database and Redis data afterwards")
    args = parser.parse_args(argv)

    import logging

    logging.basicConfig(level=logging.WARNING)
    from bot.runtime import Runtime, install
    from bot.settings import Settings

    print(f"bench.fanout  {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC  {machine()}")
    print(
        f"  PostgreSQL {postgres_version(args.database_url.rsplit('/', 1)[0] + '/postgres')}, "
        f"Redis {redis_version(args.redis_url)}"
    )
    flush_redis(args.redis_url)
    create_database(args.database_url)
    settings = Settings.from_env(
        env={},
        overrides={
            "database_url": args.database_url,
            "redis_url": args.redis_url,
            "queue_name": QUEUE_NAME,
            "quiet_hours": "",  # every reminder is due now, whatever the hour of the run
            "QUIET_HOURS_BY_COUNTRY": "KE=",  # Kenya's circles too (its default is 18:00-08:00)
        },
    )
    rt = install(Runtime.build(settings, "/tmp/circlebot-bench-instance"))
    try:
        now = datetime.now(timezone.utc)
        started = time.perf_counter()
        circles = set_up(rt.uow.engine, args.learners, now)
        print(
            f"  set-up (not timed): {circles:,} circles × ≤{PER_CIRCLE} learners = {args.learners:,} learners, "
            f"{len(LANGUAGES)} languages, {len(ZONES)} time zones, meetings 11–13 h ahead "
            f"({time.perf_counter() - started:.1f} s)"
        )

        base, base_statements = baseline_insert(rt, args.learners, circles, now)
        profile = cProfile.Profile() if args.profile else None
        r = fan_out(rt, now, profile)

        with rt.uow.engine.connect() as conn:
            stored = conn.execute(text("SELECT count(*) FROM outbox WHERE kind = 'reminder'")).scalar_one()
            in_batches = conn.execute(
                text("SELECT count(DISTINCT batch) FROM outbox WHERE kind = 'reminder'")
            ).scalar_one()
        from rq.registry import ScheduledJobRegistry

        from bot.domain import batches as dispatch

        queued, scheduled = len(rt.queue.rq), ScheduledJobRegistry(queue=rt.queue.rq).count
        other = r["plan"] - r["sql_seconds"] - r["schedule_seconds"]
        print()
        print(f"fan-out of {args.learners:,} reminders ({circles:,} circles; {load()} afterwards)")
        print(f"  total               {r['total']:8.2f} s   {stored / r['total']:10,.0f} rows/s")
        print(
            f"  plan                {r['plan']:8.2f} s   (select + rows + insert, bot.domain.planning.reminders.plan)"
        )
        print(f"    SQL (cursor time) {r['sql_seconds']:8.2f} s   {r['statements']} statements {r['by_verb']}")
        for verb, seconds in sorted(r["sql_by_verb"].items()):
            print(f"      {verb:<15} {seconds:8.2f} s")
        print(f"    reminder_time     {r['schedule_seconds']:8.2f} s")
        print(f"    rest (rows, dicts){other:8.2f} s")
        print(f"  commit              {r['commit']:8.2f} s")
        print(
            f"  enqueue             {r['enqueue']:8.2f} s   {r['enqueued']:,} RQ batch jobs "
            f"(≤{dispatch.BATCH_SIZE} rows each, in sending order; bot/domain/batches.py)"
        )
        if r["redis_worst"] is not None:
            print(f"    Redis busy: another client's slowest PING during the enqueue {r['redis_worst'] * 1000:.0f} ms")
        print(f"  SQL statements while planning: {r['statements']} in all, {r['statements'] / circles:.4f} per circle")
        rss = r["rss"]
        print(
            f"  peak RSS            {rss.peak:8.1f} MiB  (at the start {rss.start:.1f} MiB: growth "
            f"+{rss.growth:.1f} MiB, sampled every 5 ms; target ≤ {TARGET_RSS_GROWTH:.0f} MiB: "
            f"{'met' if rss.growth <= TARGET_RSS_GROWTH else 'MISSED'})"
        )
        print(
            f"  check: outbox reminder rows {stored:,} in {in_batches:,} batches; RQ queued {queued:,} "
            f"+ scheduled {scheduled:,} jobs"
        )
        print(
            f"baseline: plain bulk INSERT of {args.learners:,} rows of the same shape  {base:8.2f} s   "
            f"{args.learners / base:10,.0f} rows/s   ({base_statements} statements)"
        )
        ratio = r["total"] / base
        print(
            f"  ratio fan-out / baseline: {ratio:.2f}×   (plan alone {r['plan'] / base:.2f}×, "
            f"enqueue alone {r['enqueue'] / base:.2f}×); target ≤ {TARGET_RATIO:g}×: "
            f"{'met' if ratio <= TARGET_RATIO else 'MISSED'}"
        )
        if args.learners >= TARGET_LEARNERS:
            verdict = "met" if r["total"] <= TARGET_SECONDS else "MISSED"
            print(f"  target ≤ {TARGET_SECONDS:.0f} s for {TARGET_LEARNERS:,} learners: {verdict}")
        ok = args.learners == stored and r["batches"] == in_batches == r["enqueued"] == queued + scheduled

        if not args.no_tick:
            t = steady_tick(rt)
            print(
                f"steady-state worker tick afterwards (all planned, all queued; the worker runs one a minute): "
                f"{t['seconds']:.2f} s"
            )
            print(f"  plan_now            {t['plan']:8.2f} s   new rows {t['planned']}")
            print(
                f"  sweep               {t['sweep']:8.2f} s   re-queued {t['swept']} "
                f"(looks at every pending due row's RQ job)"
            )
            print(f"  {t['statements']} SQL statements; ratio tick / fan-out {t['seconds'] / r['total']:.2f}")
        if profile:
            out = io.StringIO()
            stats = pstats.Stats(profile, stream=out).strip_dirs()
            stats.sort_stats("cumulative").print_stats(30)
            stats.sort_stats("tottime").print_stats(20)
            print(out.getvalue())
        if not ok:
            print("FAILED: counts differ (planned, stored, enqueued, queued+scheduled)", file=sys.stderr)
            return 1
        return 0
    finally:
        rt.uow.engine.dispose()
        if not args.keep:
            drop_database(args.database_url)
            flush_redis(args.redis_url)


if __name__ == "__main__":
    raise SystemExit(main())
