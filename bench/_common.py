"""Helpers shared by the benches: a throw-away PostgreSQL database, a Redis db, statement counting."""

from __future__ import annotations

import contextlib
import os
import platform
import resource
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import create_engine, event, text

DEFAULT_REDIS = "redis://127.0.0.1:6379/12"


def psycopg_url(url: str) -> str:
    """``postgresql://…`` with SQLAlchemy's psycopg 3 driver, as bot.store.db does."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _admin(url: str) -> tuple[str, str]:
    base, _, name = url.rpartition("/")
    if not name or "?" in name:
        raise SystemExit(f"bench: need a database URL that ends in /NAME, got {url!r}")
    return psycopg_url(base + "/postgres"), name


def create_database(url: str) -> None:
    """Drops (if there) and creates the database named in ``url``, then builds the schema with Alembic."""
    from bot.store.migrate import upgrade

    admin, name = _admin(url)
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    upgrade(url)


def drop_database(url: str) -> None:
    """Drops the database named in ``url`` (connections to it are closed by force)."""
    admin, name = _admin(url)
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


# This run's queue namespace (CIRCLEBOT_QUEUE): its job ids and Redis keys are its own, so two benches
# (or a bench and a test run) on one Redis db never disturb each other.
BENCH_NAMESPACE = f"circlebot-bench-{os.getpid()}"


def flush_redis(url: str, namespace: str = BENCH_NAMESPACE) -> None:
    """Deletes this run's keys (``namespace``) from the Redis database in ``url``; other keys stay."""
    from redis import Redis

    from bot.outbound.queue import clear_namespace

    client = Redis.from_url(url)
    clear_namespace(client, namespace)
    client.close()


@dataclass
class StatementCounter:
    """Counts the SQL statements an engine sends (one per cursor execute, so per insertmanyvalues batch)."""

    engine: object
    count: int = 0
    seconds: float = 0.0
    by_verb: dict = field(default_factory=dict)
    seconds_by_verb: dict = field(default_factory=dict)
    _started: list = field(default_factory=list)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self.count += 1
        verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "?"
        self.by_verb[verb] = self.by_verb.get(verb, 0) + 1
        self._started.append((verb, time.perf_counter()))

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        if self._started:
            verb, started = self._started.pop()
            spent = time.perf_counter() - started
            self.seconds += spent
            self.seconds_by_verb[verb] = self.seconds_by_verb.get(verb, 0.0) + spent

    @contextlib.contextmanager
    def watching(self):
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        try:
            yield self
        finally:
            event.remove(self.engine, "before_cursor_execute", self._before)
            event.remove(self.engine, "after_cursor_execute", self._after)


def maxrss_mib() -> float:
    """This process's peak resident set size so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mib() -> float:
    """This process's resident set size now, in MiB (from /proc/self/statm)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


class RssSampler:
    """The highest resident set size seen while the ``with`` block ran, sampled every ``every`` seconds.

    ``ru_maxrss`` is a peak since the process started, so a bigger peak earlier (a baseline) hides a
    later one; this samples the current size instead. ``growth`` is the peak less the size at entry.
    """

    def __init__(self, every: float = 0.005):
        self.every, self.start, self.peak = every, 0.0, 0.0
        self._stop = threading.Event()

    def __enter__(self) -> "RssSampler":
        self.start = self.peak = rss_mib()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.peak = max(self.peak, rss_mib())

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mib())

    @property
    def growth(self) -> float:
        return self.peak - self.start


def sms_addresses(contact_ids, phones, now) -> list[dict]:
    """``address`` rows as the signup leaves them: each contact's consented, preferred SMS number (bulk set-up)."""
    return [
        {
            "contact_id": contact_id,
            "channel": "sms",
            "value": phone,
            "preferred": True,
            "consent_at": now,
            "consent_source": "sms",
            "created_at": now,
        }
        for contact_id, phone in zip(contact_ids, phones, strict=True)
    ]


def machine() -> str:
    """One line about where the figures were measured (with the load: other work on the box skews them)."""
    return (
        f"{platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · {platform.system()} · "
        f"{load()}"
    )


def load() -> str:
    """The 1-minute load average, e.g. ``load 0.42``."""
    return f"load {os.getloadavg()[0]:.2f}"


def postgres_version(url: str) -> str:
    engine = create_engine(psycopg_url(url))
    try:
        with engine.connect() as conn:
            return conn.execute(text("SHOW server_version")).scalar_one()
    finally:
        engine.dispose()


def redis_version(url: str) -> str:
    from redis import Redis

    client = Redis.from_url(url)
    try:
        return str(client.info("server").get("redis_version"))
    finally:
        client.close()


_PROBE = r"""
import sys, threading, time
from redis import Redis
client, worst, count, done = Redis.from_url(sys.argv[1]), 0.0, 0, threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
while not done.is_set():
    started = time.perf_counter()
    client.ping()
    worst, count = max(worst, time.perf_counter() - started), count + 1
    time.sleep(0.005)
print(f"{worst} {count}", flush=True)
"""


class RedisLatencyProbe:
    """Another process PINGs Redis every 5 ms while the block runs; ``worst`` is its slowest answer (s).

    It shows how long a bulk operation keeps Redis busy for everyone else (workers, the pacer).
    """

    def __init__(self, url: str):
        self.url, self.worst, self.pings = url, None, 0

    def __enter__(self) -> "RedisLatencyProbe":
        import subprocess
        import sys

        self._proc = subprocess.Popen(
            [sys.executable, "-c", _PROBE, self.url], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        time.sleep(0.3)  # let it connect
        return self

    def __exit__(self, *exc) -> None:
        try:
            out, _ = self._proc.communicate("", timeout=10)
            worst, pings = out.split()
            self.worst, self.pings = float(worst), int(pings)
        except Exception:  # the probe is a nicety; never fail the bench for it
            self._proc.kill()
            self._proc.wait()


def cpu_seconds(sessions: list[int] = (), command: str | None = None) -> float:
    """CPU seconds so far of every process in the given session ids, or whose name is ``command``
    (``postgres``: the database's backends)."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[3]) in sessions or (command is not None and name == command):
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total
