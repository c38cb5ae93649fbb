"""Engine and sessions; the unit of work commits explicitly and rolls back by default."""
from __future__ import annotations

import contextlib
import os
from typing import Iterator

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker


def default_sqlite_url(instance_path: str) -> str:
    """The embedded default: a SQLite file in the instance folder."""
    os.makedirs(instance_path, exist_ok=True)
    return "sqlite:///" + os.path.join(instance_path, "circlebot.sqlite3")


def make_engine(url: str) -> Engine:
    """Creates an engine; SQLite gets WAL, a busy timeout, enforced foreign keys and secure deletion."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # pysqlite's own transaction handling would let the outermost SAVEPOINT's RELEASE
            # commit early; SQLAlchemy's documented recipe: no driver BEGIN, emit our own.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA secure_delete=ON")  # freed space is zeroed: an erased number leaves no bytes
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # IMMEDIATE takes the write lock up front, so two writers queue instead of failing
            # with SQLITE_BUSY when one upgrades a stale read snapshot.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # No pre-ping: it is one more round trip on every checkout (issue 15). A connection found dead is
    # invalidated with its whole pool, and the inbound service runs its message again on a new one.
    return create_engine(url, pool_pre_ping=False, pool_recycle=3600, pool_size=5, max_overflow=5)


class UnitOfWork:
    """Opens a session per use; ``commit()`` must be called, anything else rolls back."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.sessions = sessionmaker(bind=engine, expire_on_commit=False)

    @contextlib.contextmanager
    def __call__(self) -> Iterator[Session]:
        session = self.sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def ping(self) -> bool:
        """True when the database answers ``SELECT 1``."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
