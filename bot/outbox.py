"""Writing messages to the outbox: each ``dedupe_key`` at most once (DESIGN.md §3).

A row says *what* to say (replies: message keys, parameters and choices) and *to whom* (an address);
the send job renders it for the address's channel, in the contact's language, when it sends.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot import segments
from bot.contacts import Recipient
from bot.models import Outbox
from bot.render import codec
from flows.results import Reply

PENDING, SENDING, SENT, FAILED, CANCELLED = "pending", "sending", "sent", "failed", "cancelled"
# A learner's message to a facilitator who opted out: kept, and sent if they opt in again (START).
HELD = "held"
MAX_SEGMENTS = 3
CHUNK = 5000


@dataclass(frozen=True)
class Planned:
    """An outbox row that was just created and must be queued."""

    row_id: int
    send_after: datetime
    attempts: int = 0


def row(key: str, kind: str, to: Recipient, replies: tuple[Reply, ...], send_after: datetime, now: datetime, *,
        language: str | None = None, timezone: str | None = None, meeting_id: int | None = None,
        conversation: dict | None = None, about: int | None = None) -> dict:
    """One outbox row (for ``insert_new``) that says ``replies`` to recipient ``to``."""
    return {"dedupe_key": key, "kind": kind, "contact_id": to.contact_id, "address_id": to.address_id,
            "channel": to.channel, "address": to.address, "replies": codec.dump(replies),
            "language": to.language or language, "timezone": to.timezone or timezone, "body": None,
            "send_after": send_after, "status": PENDING, "attempts": 0, "meeting_id": meeting_id,
            "conversation": conversation, "about_contact_id": about, "created_at": now}


def insert_new(session: Session, rows: list[dict]) -> list[Planned]:
    """Inserts outbox rows whose dedupe key is new, in chunks; returns the inserted ones.

    ``ON CONFLICT DO NOTHING`` makes a concurrent insert of the same key lose quietly, without an
    error that would roll back the caller's transaction.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    planned = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        statement = (insert(Outbox).on_conflict_do_nothing(index_elements=["dedupe_key"])
                     .returning(Outbox.id, Outbox.send_after))
        planned.extend(Planned(row_id, at) for row_id, at in session.execute(statement, chunk))
    return planned


def add(session: Session, key: str, channel: str, address: str, body: str, send_after: datetime,
        now: datetime) -> Outbox | None:
    """Adds a row with a finished ``body`` unless ``key`` is already there; returns the new row or None."""
    if segments.count(body).segments > MAX_SEGMENTS:
        raise ValueError(f"outbox body over {MAX_SEGMENTS} segments: {key}")
    planned = insert_new(session, [{
        "dedupe_key": key, "kind": "notice", "channel": channel, "address": address, "body": body,
        "send_after": send_after, "status": PENDING, "attempts": 0, "created_at": now}])
    return session.get(Outbox, planned[0].row_id) if planned else None
