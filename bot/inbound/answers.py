"""The answer to an inbound text on a channel that takes none inline (Africa's Talking, and a text the
worker retries): an outbox row, written in the message's own transaction (``service.handle_inbound``'s
``answer_later``).

Written before the effects' rows, its send job is queued first: a late joiner's welcome goes before the
reminder her JOIN planned. Its key, ``reply:<channel>:<provider id>``, makes it once per inbound id. An
erasure's confirmation is not written: the erasure removes the sender's rows, and with them this one.
"""

from __future__ import annotations

from bot.domain import outbox
from bot.inbound.effects import Applier
from flows.inbound import Inbound
from flows.results import Erase, Reply, Result


def erases(result: Result) -> bool:
    """True when ``result`` erases the sender (FORGET, confirmed)."""
    return any(isinstance(effect, Erase) for effect in result.effects)


def key(channel: str, provider_id: str) -> str:
    """The outbox key of the answer to the inbound text ``provider_id``."""
    return f"reply:{channel}:{provider_id}"


def queue(applier: Applier, inbound: Inbound, replies: tuple[Reply, ...], language: str) -> None:
    """Writes the answer to ``inbound`` to the outbox (once per inbound id), in the current transaction."""
    contact = applier.sender  # the ORM contact, for its time zone (no inline answer: not the hot path)
    to = outbox.Recipient(contact.id, applier.address_id, inbound.channel, inbound.address, language, contact.timezone)
    now = inbound.received_at
    row = outbox.row(key(inbound.channel, inbound.provider_id), outbox.OutboxKind.REPLY, to, replies, now, now)
    outbox.insert_new(applier.session, [row])
