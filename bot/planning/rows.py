"""Between the pure planner (``flows.planner``) and the outbox: addresses in, outbox rows out."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from bot import outbox
from bot.contacts import Recipient
from flows.plans import PlannedMessage, To


def to_of(contact_id: int, address_id: int, channel: str, value: str, language: str | None,
          tz: str | None) -> To:
    """A deliverable address read from the database (an opted-out one is never loaded)."""
    return To(contact_id, address_id, channel, value, language, tz)


def outbox_rows(planned: Iterable[PlannedMessage], now: datetime) -> list[dict]:
    """One ``bot.outbox.row`` per planned message, for ``bot.outbox.insert_new``."""
    rows = []
    for message in planned:
        to = message.to
        recipient = Recipient(to.contact_id, to.address_id, to.channel, to.address, to.language, to.timezone)
        rows.append(outbox.row(message.key, message.kind, recipient, tuple(message.replies), message.send_after, now,
                               meeting_id=message.meeting_id,
                               conversation=dict(message.conversation) if message.conversation is not None else None))
    return rows
