"""Writing messages to the outbox: each ``dedupe_key`` at most once (DESIGN.md §3).

A row says *what* to say (replies: message keys, parameters and choices) and *to whom* (an address);
the send job renders it for the address's channel, in the contact's language, when it sends.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import StrEnum
from typing import cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.domain import batches as dispatch
from bot.render import codec
from bot.store.db import collect
from bot.store.models import Outbox
from flows.results import Reply


class OutboxStatus(StrEnum):
    """Where an outbox row is on its way, as stored in ``outbox.status``."""

    PENDING = "pending"  # waits for its send job (from ``send_after``)
    SENDING = "sending"  # claimed by a send job; the sweeper asks the provider if a crash left it here
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"  # withdrawn before it went (its meeting changed, the learner left or was erased)
    HELD = "held"  # a learner's message to a facilitator who opted out: kept, sent if they opt in again (START)


# The statuses by their short names (``outbox.SENT``), as the send jobs and the sweeper use them.
PENDING, SENDING, SENT, FAILED, CANCELLED, HELD = (
    OutboxStatus.PENDING,
    OutboxStatus.SENDING,
    OutboxStatus.SENT,
    OutboxStatus.FAILED,
    OutboxStatus.CANCELLED,
    OutboxStatus.HELD,
)


class OutboxKind(StrEnum):
    """What an outbox row is, as stored in ``outbox.kind``."""

    # Planned on the bot's own schedule (``flows.planner``, which names them with these same words).
    REMINDER = "reminder"
    TALLY = "tally"  # the facilitator's RSVP count; its replies are counted when it is sent
    CHECKIN = "checkin"
    MISSYOU = "missyou"
    SURVEY = "survey"
    OFFER = "offer"  # a freed place offered to the waiting list
    # Said because someone did something.
    NOTICE = "notice"  # to a facilitator (someone joined) or a learner (added, promoted)
    CHANGE = "change"  # a meeting moved or cancelled, a new schedule
    BROADCAST = "broadcast"  # the facilitator's message to the whole circle
    RELAY = "relay"  # between a learner and their facilitator
    REPLY = "reply"  # the answer to an inbound text handled after a failure
    LOGIN = "login"  # a sign-in code for the facilitator pages
    CALL = "call"  # a CALL ME call into a meeting's conference
    # A moved meeting's earlier reminders and tally, kept on record (``bot.domain.meetings``).
    REMINDER_OLD = "reminder-old"
    TALLY_OLD = "tally-old"


# The rows about one meeting's time: withdrawn when it changes, dropped when it is over or cancelled.
ABOUT_MEETING = (OutboxKind.REMINDER, OutboxKind.TALLY)
CHUNK = 5000
UTC = timezone.utc


@dataclass(frozen=True)
class Recipient:
    """Where one message goes."""

    contact_id: int
    address_id: int | None  # None only for a planner's address that is no row (``flows.plans.To``)
    channel: str
    address: str
    language: str | None
    timezone: str | None = None


@dataclass(frozen=True)
class Planned:
    """An outbox row that was just created and must be queued."""

    row_id: int
    send_after: datetime
    attempts: int = 0
    batch: str | None = None  # the batch job it waits in (bot/domain/batches.py), or None for a job of its own
    fresh: bool = False  # inserted by this transaction: no job can wait under its key yet (bot.outbound.publish)


def row(
    key: str,
    kind: OutboxKind,
    to: Recipient,
    replies: tuple[Reply, ...] | list,
    send_after: datetime,
    now: datetime,
    *,
    language: str | None = None,
    timezone: str | None = None,
    meeting_id: int | None = None,
    conversation: dict | None = None,
    about: int | None = None,
) -> dict:
    """One outbox row (for ``insert_new``) that says ``replies`` to recipient ``to``. ``replies`` may be
    ``codec.dump``'s list already, shared by the rows of a fan-out."""
    return {
        "dedupe_key": key,
        "kind": kind,
        "contact_id": to.contact_id,
        "address_id": to.address_id,
        "channel": to.channel,
        "address": to.address,
        "replies": replies if isinstance(replies, list) else codec.dump(replies),
        "language": to.language or language,
        "timezone": to.timezone or timezone,
        "body": None,
        "send_after": send_after,
        "status": PENDING,
        "attempts": 0,
        "meeting_id": meeting_id,
        "conversation": conversation,
        "about_contact_id": about,
        "created_at": now,
    }


_INSERTS: dict = {}  # the INSERT … ON CONFLICT DO NOTHING RETURNING statement per dialect, built once


def insert_new(session: Session, rows: list[dict]) -> list[Planned]:
    """Inserts outbox rows whose dedupe key is new, in chunks; returns the inserted ones.

    ``ON CONFLICT DO NOTHING`` makes a concurrent insert of the same key lose quietly, without an
    error that would roll back the caller's transaction. Several rows written together are put in
    batch send jobs, in sending order (bot/domain/batches.py); a lone row gets a job of its own.
    """
    if len(rows) > 1:
        dispatch.assign(rows)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    planned = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        if dialect == "postgresql" and len(chunk) > 1 and _same_columns(chunk):
            planned.extend(_insert_unnest(session, chunk))
            continue
        if dialect not in _INSERTS:
            # Core, not the ORM's bulk-insert path (a relay's row is on the webhook's hot path)
            table = cast(Table, Outbox.__table__)
            _INSERTS[dialect] = (
                insert(table)
                .on_conflict_do_nothing(index_elements=["dedupe_key"])
                .returning(table.c.id, table.c.send_after, table.c.batch)
            )
        planned.extend(
            Planned(row_id, at, 0, batch, fresh=True) for row_id, at, batch in session.execute(_INSERTS[dialect], chunk)
        )
    if any(r.get("status", PENDING) == PENDING for r in rows):
        collect(session, *planned)  # queued when the transaction commits (a held row waits for START)
    return planned


# PostgreSQL array type of each outbox column that rows carry, for one INSERT … SELECT FROM unnest(…).
_ARRAY_TYPES = {
    "dedupe_key": "text",
    "kind": "text",
    "contact_id": "int8",
    "address_id": "int8",
    "channel": "text",
    "address": "text",
    "replies": "json",
    "language": "text",
    "timezone": "text",
    "body": "text",
    "send_after": "timestamptz",
    "status": "text",
    "attempts": "int4",
    "meeting_id": "int8",
    "conversation": "json",
    "about_contact_id": "int8",
    "created_at": "timestamptz",
    "batch": "text",
}
_JSON = {"replies", "conversation"}


def _same_columns(chunk: list[dict]) -> bool:
    keys = chunk[0].keys()
    return all(key in _ARRAY_TYPES for key in keys) and all(row.keys() == keys for row in chunk)


def _insert_unnest(session: Session, chunk: list[dict]) -> list[Planned]:
    """One statement for the whole chunk, one array per column (PostgreSQL).

    An executemany with RETURNING is sent as batches of 1,000 rows whose SQL text holds a placeholder
    per value, which psycopg re-parses in Python every time; ``unnest`` keeps one placeholder per
    column whatever the chunk size, and the arrays go in psycopg's binary format (``%(name)b``), which
    needs no quoting of each element (bench/fanout.py: text-format arrays spent more time escaping
    than the INSERT took).
    """
    columns = list(chunk[0].keys())
    params = {}
    for i, column in enumerate(columns):
        values = [row[column] for row in chunk]
        if column in _JSON:  # rows of a fan-out share one value: dumped once
            dumped: dict[int, str | None] = {}
            values = [
                dumped[id(v)] if id(v) in dumped else dumped.setdefault(id(v), None if v is None else json.dumps(v))
                for v in values
            ]
            kind = "text"
        else:
            kind = _ARRAY_TYPES[column]
        params[f"c{i}"] = values
        columns[i] = (column, kind)
    source = ", ".join(f"CAST(%(c{i})b AS {kind}[])" for i, (_, kind) in enumerate(columns))
    picked = ", ".join(
        f"CAST(u.c{i} AS json)" if column in _JSON else f"u.c{i}" for i, (column, _) in enumerate(columns)
    )
    names = ", ".join(column for column, _ in columns)
    aliases = ", ".join(f"c{i}" for i in range(len(columns)))
    statement = (
        f"INSERT INTO outbox ({names}) SELECT {picked} FROM unnest({source}) AS u({aliases}) "
        "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, send_after, batch"
    )
    rows = session.connection().exec_driver_sql(statement, params)
    return [Planned(row_id, at.astimezone(UTC), 0, batch, fresh=True) for row_id, at, batch in rows]
