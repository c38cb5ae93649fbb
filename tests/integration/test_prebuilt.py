"""Statements compiled once and run on the driver's cursor (``bot/store/prebuilt.py``, issue 31).

On PostgreSQL the sender's lock-and-load and the inbound row's write skip SQLAlchemy's execution path:
these tests hold them to what that path gave (the same rows, the same exceptions, counted as statements).
On SQLite ``for_psycopg`` says "not here" and the compiled path runs.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import bindparam, event, insert, select
from sqlalchemy.exc import IntegrityError

from bot.inbound import load
from bot.inbound.service import MESSAGE_COLUMNS
from bot.store import prebuilt
from bot.store.models import Circle, Message
from tests.helpers import make_circle
from tests.integration.sim import Sim

AMINA = "+18165550123"


def _postgres_only(uow):
    if uow.engine.dialect.name != "postgresql":
        pytest.skip("the driver's own SQL is used on PostgreSQL through psycopg only")


def test_sqlite_keeps_the_compiled_path(uow):
    if uow.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's case")
    assert prebuilt.for_psycopg(uow.engine.dialect, "any", lambda: select(Circle.id)) is None


def test_the_lock_and_load_reads_the_same_rows_either_way(runtime, uow):
    _postgres_only(uow)
    make_circle(uow)
    sim = Sim(runtime)
    sim.text(AMINA, "JOIN KC42"), sim.text(AMINA, "Amina"), sim.text(AMINA, "1"), sim.text(AMINA, "hello")
    params = {"channel": "sms", "value": AMINA, "provider_id": "SMnew", "codes": ["KC42", "ZZ99"], "now": sim.now}
    with uow() as session:
        connection = session.connection()
        compiled = [tuple(row) for row in connection.execute(load._statement("postgresql"), params).all()]
        statement = prebuilt.for_psycopg(connection.dialect, "test-lock", lambda: load._statement("postgresql"))
        assert statement is not None
        driver = [tuple(row) for row in prebuilt.run(connection, statement, params)]
        session.rollback()
    assert compiled and driver == compiled
    assert all(type(a) is type(b) for a, b in zip(driver[0], compiled[0], strict=True))
    found = load._read(driver, sim.now)
    assert found is not None and found.contact.name == "Amina" and "KC42" in found.loaded.circles


def test_values_are_bound_as_sqlalchemy_binds_them_and_errors_are_sqlalchemys(uow):
    _postgres_only(uow)
    table = Message.__table__
    write = (
        insert(table)
        .values(
            {
                column: bindparam(f"m_{column}", type_=table.c[column].type)
                for column in MESSAGE_COLUMNS
                if column != "contact_id"  # a message from no known sender
            }
        )
        .returning(table.c.id, table.c.replies, table.c.created_at)
    )
    now = datetime(2027, 1, 5, 18, 0, tzinfo=timezone.utc)
    values = {
        "m_direction": "in",
        "m_channel": "sms",
        "m_provider_id": "SMonce",
        "m_address": AMINA,
        "m_body": "hi",
        "m_segments": 1,
        "m_status": "handled",
        "m_replies": {"language": "es", "replies": []},
        "m_created_at": now,
    }
    counted: list[str] = []
    listener = lambda *args: counted.append(args[2])  # noqa: E731 - the statement budget test's way
    event.listen(uow.engine, "before_cursor_execute", listener)
    try:
        with uow() as session:
            connection = session.connection()
            statement = prebuilt.for_psycopg(connection.dialect, "test-insert", lambda: write)
            assert statement is not None
            (row,) = prebuilt.run(connection, statement, values)
            assert row[1] == {"language": "es", "replies": []} and row[2] == now  # JSON and UTC, as stored
            session.commit()
        with uow() as session, pytest.raises(IntegrityError):  # the same provider id: SQLAlchemy's exception
            prebuilt.run(session.connection(), statement, values)
    finally:
        event.remove(uow.engine, "before_cursor_execute", listener)
    assert counted == [statement.sql, statement.sql]  # each run is one statement to the listeners


def test_an_expanding_in_is_refused(uow):
    _postgres_only(uow)
    statement = select(Circle.id).where(Circle.code.in_(bindparam("codes", expanding=True)))
    with pytest.raises(ValueError, match="ANY"):
        prebuilt.prebuild(statement, uow.engine.dialect)
