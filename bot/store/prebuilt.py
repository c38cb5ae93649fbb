"""Statements compiled once and sent as the driver's own SQL (the inbound hot path on PostgreSQL, issue 31).

``connection.execute(statement)`` pays, on every call, for the statement's cache key, the compiled-cache
lookup, an execution context, binding every parameter by name and a result object over every column
(about 390 µs of CPU for the sender's lock-and-load, against 120 µs for the driver's own cursor; measured
in ``bench/webhook.py --profile``'s set-up). A ``Prebuilt`` compiles once: its SQL text, the values the
statement carries itself (enum literals, limits) already bound, and the bind processor of each parameter a
call supplies. ``run`` executes it on a cursor of the session's own DBAPI connection (so inside the
session's transaction), fires SQLAlchemy's ``before/after_cursor_execute`` events for it (the statement
budget tests and the benches count it like any other), and raises a driver error as SQLAlchemy would
(``IntegrityError``, ``OperationalError``…, the connection invalidated when it was lost), so the inbound
service's retries see the same exceptions either way.

Only for PostgreSQL through psycopg, whose rows need no result processing here: it returns aware
datetimes and decoded JSON itself (``tests/integration/test_prebuilt.py`` compares the rows with the
compiled path's). Expanding ``IN`` parameters have no fixed text: write ``= ANY(array)`` instead.

A ``generic`` statement runs under PostgreSQL's generic plan for its parameters (``plan_cache_mode``), set
for that statement alone: ``SET LOCAL``, the statement, and the setting put back, queued in psycopg's
pipeline and sent in one round trip (with the transaction's ``BEGIN`` when it is the first). The sender's
lock-and-load is one: its shape never changes and its lookups go by key, but PostgreSQL judges every
generic plan of it dearer than a custom one and re-plans it for each text (about 3 ms of its CPU on a
small database, against 0.5 ms to run it; ``bench/README.md``). Set for the whole connection instead,
the generic plans of the worker's other statements slowed it (same page).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import exc
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class Prebuilt:
    """One statement's SQL for one dialect, its own values bound, and the processors of the rest."""

    sql: str
    fixed: Mapping[str, Any]
    processors: Mapping[str, Callable[[Any], Any] | None]
    generic: bool = False  # run under PostgreSQL's generic plan (the module's docstring)


_GENERIC = "SET LOCAL plan_cache_mode = force_generic_plan"
_RESTORE = "SET LOCAL plan_cache_mode TO DEFAULT"  # the connection's own setting again


def prebuild(statement: ClauseElement, dialect: Dialect, *, generic: bool = False) -> Prebuilt:
    """Compiles ``statement`` once for ``dialect``; refuses a statement whose SQL depends on its values."""
    compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
    sql = str(compiled)
    if "POSTCOMPILE" in sql:
        raise ValueError("an expanding IN has no fixed SQL: use = ANY(array) on PostgreSQL")
    fixed: dict[str, Any] = {}
    processors: dict[str, Callable[[Any], Any] | None] = {}
    for bind, name in compiled.bind_names.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if bind.callable is None and not bind.required:  # a value the statement carries itself
            value = bind.value.value if isinstance(bind.value, enum.Enum) else bind.value
            fixed[name] = process(value) if process is not None else value
        else:
            processors[name] = process
    return Prebuilt(sql, fixed, processors, generic)


def run(connection: Connection, prebuilt: Prebuilt, params: Mapping[str, Any]) -> Sequence[Any]:
    """Executes ``prebuilt`` with ``params`` (every parameter it names, by its bind name); returns its rows.
    The statement must return rows (a SELECT, or a write with RETURNING)."""
    values = dict(prebuilt.fixed)
    for name, process in prebuilt.processors.items():
        value = params[name]
        values[name] = process(value) if process is not None else value  # None too, as SQLAlchemy does
    dbapi = connection.connection
    dispatch = connection.dispatch
    cursor = None
    try:
        cursor = dbapi.cursor()
        dispatch.before_cursor_execute(connection, cursor, prebuilt.sql, values, None, False)
        if prebuilt.generic:
            with dbapi.driver_connection.pipeline():  # type: ignore[union-attr]  # one round trip for the three
                setting = dbapi.cursor()
                setting.execute(_GENERIC)
                cursor.execute(prebuilt.sql, values)
                setting.execute(_RESTORE)
            setting.close()
        else:
            cursor.execute(prebuilt.sql, values)
        rows = cursor.fetchall()  # rows always (asking ``description`` first costs an object per column)
        dispatch.after_cursor_execute(connection, cursor, prebuilt.sql, values, None, False)
        cursor.close()
    except connection.dialect.loaded_dbapi.Error as error:
        lost = connection.dialect.is_disconnect(error, dbapi, cursor)
        if lost:
            connection.invalidate(error)
        raise exc.DBAPIError.instance(
            prebuilt.sql, values, error, connection.dialect.loaded_dbapi.Error, connection_invalidated=lost
        ) from error
    return rows


_CACHE: dict[Hashable, Prebuilt] = {}
_CACHE_MAX = 256  # statements are few (one per shape of write): a bound, not an eviction policy


def for_psycopg(
    dialect: Dialect, key: Hashable, statement: Callable[[], ClauseElement], *, generic: bool = False
) -> Prebuilt | None:
    """The ``Prebuilt`` of ``statement()`` under ``key``, compiled on first use; None unless ``dialect`` is
    PostgreSQL through psycopg (elsewhere the caller executes the statement itself)."""
    if dialect.name != "postgresql" or dialect.driver != "psycopg":
        return None
    found = _CACHE.get((key, generic))
    if found is None:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        found = _CACHE[(key, generic)] = prebuild(statement(), dialect, generic=generic)
    return found
