"""Which provider carries a text: Africa's Talking or Twilio (issue 29).

A phone number of a country in ``AFRICASTALKING_COUNTRIES`` (default ``KE``) goes through Africa's
Talking, and so does any number whose latest text came in through it (its inbound row's provider id
starts with ``at-``, ``webhooks/africastalking.py``): it is answered where it wrote. Everything else
goes through Twilio as before.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.africastalking import AfricasTalking
from bot.store.models import Message
from flows.inbound import SMS

INBOUND_PREFIX = "at-"  # the provider id of a text that came in through Africa's Talking


def through_africastalking(uow, config: AfricasTalking, address: str) -> bool:
    """True when a text to ``address`` goes through Africa's Talking."""
    if config.carries(address):
        return True
    with uow() as session:
        return wrote_through_africastalking(session, address)


def wrote_through_africastalking(session, address: str) -> bool:
    """True when the latest text from ``address`` came in through Africa's Talking."""
    latest = session.scalar(
        select(Message.provider_id)
        .where(Message.direction == "in", Message.channel == SMS, Message.address == address)
        .order_by(Message.id.desc())
        .limit(1)
    )
    return bool(latest and latest.startswith(INBOUND_PREFIX))
