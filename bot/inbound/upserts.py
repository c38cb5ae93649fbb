"""Writes built once per shape and dialect (upserts, updates, deletes), and the ones an inbound text keeps to
send in one statement."""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

from sqlalchemy import Delete, Insert, Table, Update, and_, bindparam
from sqlalchemy.dialects import postgresql, sqlite

UPSERT, UPDATE, DELETE = "upsert", "update", "delete"  # a shape's kind


class Shape(NamedTuple):
    """What a write looks like: its table, its unique (or key) columns, the columns it changes and all it sets.

    ``kind``: ``upsert`` (``INSERT … ON CONFLICT (unique) DO UPDATE``), ``update`` (``UPDATE … SET changes,
    increments = increments + 1 WHERE unique``) or ``delete`` (``DELETE … WHERE unique``).
    """

    table: Table
    unique: tuple[str, ...]
    changes: tuple[str, ...]
    columns: tuple[str, ...]
    kind: str = UPSERT
    increments: tuple[str, ...] = ()


class Deferred(NamedTuple):
    """A write kept for later: its shape, its statement (for this dialect) and its values."""

    shape: Shape
    statement: Insert | Update | Delete
    values: dict[str, Any]


def bound(deferred: Deferred) -> dict[str, Any]:
    """A deferred write's values keyed by its statement's bind names, to send it on its own."""
    if deferred.shape.kind == UPSERT:
        return deferred.values
    return dict(zip(_own_names(deferred.shape), (deferred.values[c] for c in deferred.shape.columns), strict=True))


def _own_names(shape: Shape) -> tuple[str, ...]:
    # SQLAlchemy keeps a column's own name for its SET clause: an UPDATE's binds are named apart.
    return tuple(f"w_{column}" for column in shape.columns)


def build(shape: Shape, dialect: str, names: tuple[str, ...] | None = None) -> Insert | Update | Delete:
    """The statement of ``shape`` for ``dialect``, built once (see ``upsert``, ``_keyed``)."""
    if shape.kind == UPSERT:
        return upsert(shape, dialect, names)
    return _keyed(shape, names)


@functools.lru_cache(maxsize=64)
def _keyed(shape: Shape, names: tuple[str, ...] | None = None) -> Update | Delete:
    """``UPDATE … SET … WHERE unique = …`` or ``DELETE … WHERE unique = …`` on a Core table, built once."""
    table = shape.table
    name = dict(zip(shape.columns, names or _own_names(shape), strict=True))
    where = and_(*(table.c[c] == bindparam(name[c], type_=table.c[c].type) for c in shape.unique))
    if shape.kind == DELETE:
        return table.delete().where(where)
    values: dict[str, Any] = {c: bindparam(name[c], type_=table.c[c].type) for c in shape.changes}
    values.update({c: table.c[c] + 1 for c in shape.increments})
    return table.update().where(where).values(values)


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
