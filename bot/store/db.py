"""Engine and sessions; the unit of work commits explicitly, rolls back by default, and publishes
what its transaction collected once it has committed (cosmicpython's ``collect_new_events``).

Code that writes an outbox row (``bot.domain.outbox.insert_new``) or needs a job after its change
(an erasure's scrub) calls ``collect(session, item)``; when that session's transaction commits, the
unit of work hands the items to its ``publish`` (wired at bootstrap to queue send jobs), and a
rollback drops them. So no caller has to remember to enqueue, and nothing is queued for a row that
was never committed.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any, Callable, Iterator

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
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
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


COLLECTED = "circlebot.collected"  # session.info key: what the open transaction will publish on commit


def collect(session: Session, *items: Any) -> None:
    """Registers ``items`` (outbox rows to queue, jobs to start) to be published when ``session``'s
    transaction commits; a rollback drops them."""
    session.info.setdefault(COLLECTED, []).extend(items)


class UnitOfWork:
    """Opens a session per use; ``commit()`` must be called, anything else rolls back.

    ``publish`` receives, after each commit, the items the transaction collected (``collect``).
    """

    def __init__(self, engine: Engine, publish: Callable[[list], Any] | None = None):
        self.engine = engine
        self.publish = publish
        self.sessions = sessionmaker(bind=engine, expire_on_commit=False)
        event.listen(self.sessions, "after_commit", self._committed)
        event.listen(self.sessions, "after_soft_rollback", self._rolled_back)

    def _committed(self, session: Session) -> None:
        items = session.info.pop(COLLECTED, None)
        if items and self.publish is not None:
            self.publish(items)

    @staticmethod
    def _rolled_back(session: Session, previous_transaction) -> None:
        if previous_transaction.parent is None:  # the whole transaction: a savepoint keeps the rest
            session.info.pop(COLLECTED, None)

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
