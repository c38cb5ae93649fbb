"""The channel-neutral inbound message every webhook produces."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

SMS, WHATSAPP, TELEGRAM, VOICE, SIMULATOR = "sms", "whatsapp", "telegram", "voice", "simulator"


@dataclass(frozen=True)
class Inbound:
    """One message from a learner or facilitator, whatever the channel.

    Attributes:
        channel: ``sms``, ``whatsapp``, ``telegram`` or ``voice``.
        address: E.164 phone number, or a Telegram chat id; the raw sender when
            ``address_ok`` is False.
        text: the text or keypad digits, as sent (may be empty).
        provider_id: the provider's unique id (Twilio MessageSid, Telegram update_id).
        received_at: when it arrived, in UTC.
        address_ok: False when the sender could not be read as a phone number.
        language: the language the sender's app is set to (Telegram's ``language_code``), when
            shipped: a hint for a first reply, never a choice made for them.
        username: the sender's Telegram username, lower-case without ``@`` (None elsewhere, or when
            they have none); kept on their address so a facilitator can sign in as ``@username``.
        media: how many pictures or files came with it (Twilio's ``NumMedia``, MMS and WhatsApp); they
            are never read or passed on (``flows.media``).
        asked: for a button tap, the topic of the question its keyboard asked (``flows.asked``); None for
            a typed text and for a button that names no question.
    """

    channel: str
    address: str
    text: str
    provider_id: str
    received_at: datetime
    address_ok: bool = True
    language: str | None = None
    username: str | None = None
    media: int = 0
    asked: str | None = None
