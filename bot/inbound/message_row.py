"""The inbound ``message`` row's write: one INSERT, with the effects' deferred upserts as CTEs on PostgreSQL
(``bot.inbound.service``, issue 31)."""

from __future__ import annotations

import functools

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.inbound import upserts
from bot.inbound.effects import FAILED, Draft
from bot.render import segments
from bot.store import prebuilt as prebuilt_sql
from bot.store.models import Message


def insert_message(session: Session, draft: Draft, replies, deferred=()) -> int | None:
    """Inserts the inbound row; a ``failed`` row with this provider id is taken over. None: already stored.

    ``deferred``: upserts the effects left to send (``bot.inbound.effects.Applier.apply``). On PostgreSQL they
    go in the same statement, as data-modifying CTEs (``WITH d0 AS (INSERT … ON CONFLICT …) INSERT INTO
    message …``): one round trip for an RSVP's row and the inbound row. Elsewhere they are sent first.
    """
    values = {
        "m_direction": "in",
        "m_channel": draft.channel,
        "m_provider_id": draft.provider_id,
        "m_address": draft.address,
        "m_body": draft.body,
        "m_segments": segments.count(draft.body).segments,
        "m_status": draft.status,
        "m_replies": replies,
        "m_created_at": draft.created_at,
        "m_contact_id": draft.contact_id,
    }
    dialect = session.get_bind().dialect.name
    if deferred and (dialect != "postgresql" or not distinct_rows(deferred)):
        # Two CTEs of one statement may not both upsert one row: those go one by one, in order.
        for each in deferred:
            session.execute(each.statement, upserts.bound(each))
        deferred = ()
    for i, (_shape, _statement, params) in enumerate(deferred):
        values.update({f"d{i}_{column}": value for column, value in params.items()})
    shapes = tuple(d.shape for d in deferred)
    connection = session.connection()
    prebuilt = prebuilt_sql.for_psycopg(
        connection.dialect, ("message", shapes), lambda: message_insert(dialect, shapes)
    )
    if prebuilt is not None:  # PostgreSQL: compiled once, sent as the driver's SQL
        rows = prebuilt_sql.run(connection, prebuilt, values)
        return rows[0][0] if rows else None
    return connection.execute(message_insert(dialect, shapes), values).scalar()


def distinct_rows(deferred) -> bool:
    """True when no two deferred upserts aim at the same row (the same table and unique key)."""
    keys = [(d.shape.table.name, tuple(d.values[column] for column in d.shape.unique)) for d in deferred]
    return len(set(keys)) == len(keys)


@functools.lru_cache(maxsize=64)
def message_insert(dialect: str, deferred: tuple = ()):
    """``[WITH dN AS (upsert) …] INSERT … ON CONFLICT (provider_id) DO UPDATE … WHERE status = 'failed'
    RETURNING id`` on the Core table, built once per dialect and deferred upserts' shapes."""
    table = Message.__table__
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = insert(table).values(
        {column: bindparam(f"m_{column}", type_=table.c[column].type) for column in MESSAGE_COLUMNS}
    )
    statement = values.on_conflict_do_update(
        index_elements=["provider_id"],
        where=table.c.status == FAILED,
        set_={k: values.excluded[k] for k in ("contact_id", "address", "body", "status", "replies")},
    ).returning(table.c.id)
    for i, shape in enumerate(deferred):
        names = tuple(f"d{i}_{column}" for column in shape.columns)
        statement = statement.add_cte(upserts.build(shape, dialect, names).cte(f"d{i}"))
    return statement


MESSAGE_COLUMNS = (
    "direction",
    "channel",
    "provider_id",
    "address",
    "body",
    "segments",
    "status",
    "replies",
    "created_at",
    "contact_id",
)
