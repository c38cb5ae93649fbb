"""After FORGET: what an erasure left on disk is removed (issue 12), by a job of its own."""

from __future__ import annotations

import logging

from bot import runtime

log = logging.getLogger(__name__)


# Tables an erasure rewrites: their old row versions must leave the disk too.
ERASED_TABLES = ("message", "outbox", "address", "contact", "answer", "conversation", "relay_handle", "link_code")


def scrub() -> str:
    """After FORGET: SQLite moves every page out of its write-ahead log and truncates it (freed space is
    already zeroed by ``secure_delete``); PostgreSQL VACUUMs the tables the erasure rewrote, so their
    dead row versions are removed. Backups and PostgreSQL's own WAL keep old bytes until they age out
    (README: "What FORGET leaves")."""
    engine = runtime.current().uow.engine
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            driver = conn.connection.driver_connection
            assert driver is not None  # None only once the connection is closed
            driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return "checkpointed"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ERASED_TABLES:
            conn.exec_driver_sql(f"VACUUM {table}")
    return "vacuumed"
