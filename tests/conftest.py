"""Shared fixtures: ``app``, ``client`` and ``runner``, on every backend.

Tests that take ``app`` (or ``uow``) run twice: on the embedded default (SQLite file + in-process
queue) and on the real services (PostgreSQL + Redis, from ``CIRCLEBOT_TEST_POSTGRES`` and
``CIRCLEBOT_TEST_REDIS``, by default this machine's local services). The schema is built by the Alembic
migrations, once per session per backend; each test starts from empty tables (ids from 1) and an empty
Redis namespace.
If the real services are not configured or unreachable, those tests fail, never skip, unless
``CIRCLEBOT_BACKENDS=sqlite`` is set on purpose.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, inspect, text

from bot.store.migrate import upgrade
from tests.helpers import RUN_QUEUE, test_app

BACKENDS = [b for b in os.environ.get("CIRCLEBOT_BACKENDS", "sqlite,postgres").split(",") if b]
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/circlebot_test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"
TABLES = (
    "voice_prompt",
    "held_meeting",
    "call_mute",
    "sent_message",
    "whatsapp_template",
    "attendance",
    "conference_event",
    "voice_call",
    "link_code",
    "login_code",
    "web_session",
    "login_guard",
    "circle_facilitator",
    "organizer",
    "answer",
    "relay_handle",
    "delivery_event",
    "rsvp",
    "message",
    "conversation",
    "outbox",
    "enrollment",
    "meeting",
    "circle",
    "facilitator",
    "team",
    "address",
    "contact",
)
# Empties every table (children first) and restarts every id sequence, then VACUUMs the emptied pages
# away: what TRUNCATE … RESTART IDENTITY leaves, in ~40 ms instead of ~150 ms (21 tables' new files).
EMPTY_POSTGRES = "; ".join(f"DELETE FROM {table}" for table in TABLES) + (
    "; SELECT setval(oid, 1, false) FROM pg_class WHERE relkind = 'S'"
)
VACUUM_POSTGRES = "VACUUM " + ", ".join(TABLES)


def _admin_url(url: str) -> tuple[str, str]:
    base, _, name = url.rpartition("/")
    return base + "/postgres", name


def _fresh_postgres(url: str) -> str:
    """Creates a new database for this run (named after the configured one plus the pid)."""
    admin, name = _admin_url(url)
    name = f"{name}_{os.getpid()}"
    url = f"{admin.rpartition('/')[0]}/{name}"
    engine = create_engine(admin.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    """One migrated database per backend for the whole session."""
    made = {}

    def get(backend: str) -> dict:
        if backend in made:
            return made[backend]
        if backend == "sqlite":
            url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "circlebot.sqlite3")
            info = {"DATABASE_URL": url, "REDIS_URL": None}
        else:
            pg = os.environ.get("CIRCLEBOT_TEST_POSTGRES", DEFAULT_POSTGRES)
            redis_url = os.environ.get("CIRCLEBOT_TEST_REDIS", DEFAULT_REDIS)
            info = {"DATABASE_URL": _fresh_postgres(pg), "REDIS_URL": redis_url}
        upgrade(info["DATABASE_URL"])
        _check_tables(info["DATABASE_URL"])
        made[backend] = info
        return info

    yield get
    for backend, info in made.items():
        if backend == "postgres":
            _drop_postgres(info["DATABASE_URL"])


def _check_tables(url: str) -> None:
    """``TABLES`` must name every table the migrations make: the per-test reset empties only those."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        made = set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()
    assert made == set(TABLES), f"TABLES in tests/conftest.py: add {made - set(TABLES)}, drop {set(TABLES) - made}"


def _drop_postgres(url: str) -> None:
    admin, name = _admin_url(url)
    engine = create_engine(admin.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request, databases):
    """The backend settings for this test, with empty tables and an empty Redis database."""
    info = databases(request.param)
    engine = create_engine(info["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(EMPTY_POSTGRES)  # one round trip
        else:
            for table in TABLES:
                conn.execute(text(f"DELETE FROM {table}"))
    if engine.dialect.name == "postgresql":  # frees the deleted rows' pages (as TRUNCATE would): new rows are
        # stored in insertion order again, not in reused space, so a query without ORDER BY sees what it did
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(VACUUM_POSTGRES)
    engine.dispose()
    if info["REDIS_URL"]:  # only this run's keys: another run may share the Redis db
        from redis import Redis

        from bot.outbound.queue import clear_namespace

        with Redis.from_url(info["REDIS_URL"]) as redis:
            clear_namespace(redis, RUN_QUEUE)
    return {"name": request.param, **info, "CIRCLEBOT_QUEUE": RUN_QUEUE}


@pytest.fixture
def app(backend, tmp_path):
    """The app on this test's backend, with a known Twilio auth token and public URL."""
    app = test_app(backend, tmp_path)
    yield app
    app.extensions["circlebot"].uow.engine.dispose()


@pytest.fixture
def runtime(app):
    """The app's runtime (settings, unit of work, queue, channel)."""
    return app.extensions["circlebot"]


@pytest.fixture
def uow(runtime):
    """The unit of work on this test's database."""
    return runtime.uow


@pytest.fixture
def client(app):
    """Flask's test client."""
    return app.test_client()


@pytest.fixture
def cli_env(backend, tmp_path, monkeypatch):
    """Environment for running ``circlebot`` commands against this test's backend."""
    monkeypatch.setenv("DATABASE_URL", backend["DATABASE_URL"])
    if backend["REDIS_URL"]:
        monkeypatch.setenv("REDIS_URL", backend["REDIS_URL"])
    else:
        monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("CIRCLEBOT_INSTANCE", str(tmp_path))
    monkeypatch.setenv("CIRCLEBOT_QUEUE", RUN_QUEUE)
    return backend


@pytest.fixture
def standin():
    """A Twilio REST stand-in on 127.0.0.1 (tests/standin), stopped after the test."""
    from tests.standin import TwilioStandIn

    with TwilioStandIn() as running:
        yield running


@pytest.fixture
def procs(tmp_path):
    """Starts subprocesses (workers, gunicorn) and kills every one of them after the test."""
    from tests.processes import Processes

    with Processes(tmp_path / "logs") as started:
        yield started
