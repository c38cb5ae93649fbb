"""Upserts built once per shape and dialect, and the ones an inbound text keeps to write in one statement."""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

from sqlalchemy import Insert, Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite


class Shape(NamedTuple):
    """What an upsert looks like: its table, its unique columns, the columns it changes and all it sets."""

    table: Table
    unique: tuple[str, ...]
    changes: tuple[str, ...]
    columns: tuple[str, ...]


class Deferred(NamedTuple):
    """An upsert kept for later: its shape, its statement (for this dialect) and its values."""

    shape: Shape
    statement: Insert
    values: dict[str, Any]


@functools.lru_cache(maxsize=64)
def upsert(shape: Shape, dialect: str, names: tuple[str, ...] | None = None) -> Insert:
    """``INSERT … ON CONFLICT (unique) DO UPDATE SET changes = excluded.changes`` on a Core table, built once.

    ``names``: the bind parameter name of each column (to sit beside other statements' parameters in one
    statement, ``bot.inbound.service``); by default the column names themselves.
    """
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(shape.table)
    if names is not None:
        statement = statement.values(
            {
                column: bindparam(name, type_=shape.table.c[column].type)
                for column, name in zip(shape.columns, names, strict=True)
            }
        )
    return statement.on_conflict_do_update(
        index_elements=list(shape.unique), set_={column: statement.excluded[column] for column in shape.changes}
    )
