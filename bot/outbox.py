"""Writing messages to the outbox: each ``dedupe_key`` at most once (DESIGN.md §3)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import segments
from bot.models import Outbox

PENDING, SENDING, SENT, FAILED, CANCELLED = "pending", "sending", "sent", "failed", "cancelled"
MAX_SEGMENTS = 3


def add(session: Session, key: str, channel: str, address: str, body: str, send_after: datetime,
        now: datetime) -> Outbox | None:
    """Adds an outbox row unless ``key`` is already there; returns the new row or None.

    Uses a savepoint so a concurrent insert of the same key loses cleanly.
    """
    if session.scalar(select(Outbox.id).where(Outbox.dedupe_key == key)) is not None:
        return None
    if segments.count(body).segments > MAX_SEGMENTS:
        raise ValueError(f"outbox body over {MAX_SEGMENTS} segments: {key}")
    row = Outbox(dedupe_key=key, channel=channel, address=address, body=body, send_after=send_after,
                 status=PENDING, attempts=0, created_at=now)
    from sqlalchemy.exc import IntegrityError

    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None
    return row
