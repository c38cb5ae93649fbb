"""Between the pure planner (``flows.planner``) and the outbox: addresses in, outbox rows out."""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

from bot.domain import outbox
from bot.domain.outbox import Recipient
from bot.render import codec
from flows.plans import PlannedMessage


def outbox_rows(planned: Iterable[PlannedMessage], now: datetime) -> list[dict]:
    """One ``bot.domain.outbox.row`` per planned message, for ``bot.domain.outbox.insert_new``. Messages that share
    their replies (a meeting's reminders) share one dumped copy."""
    rows = []
    dumped: dict[int, list] = {}
    for message in planned:
        if message.send_after is None:
            raise ValueError(f"a planned message without a send time: {message.key}")
        to = message.to
        recipient = Recipient(to.contact_id, to.address_id, to.channel, to.address, to.language, to.timezone)
        replies = dumped.get(id(message.replies))
        if replies is None:
            replies = dumped[id(message.replies)] = codec.dump(tuple(message.replies))
        rows.append(
            outbox.row(
                message.key,
                outbox.OutboxKind(message.kind),
                recipient,
                replies,
                message.send_after,
                now,
                meeting_id=message.meeting_id,
                conversation=dict(message.conversation) if message.conversation is not None else None,
            )
        )
    return rows
