"""WhatsApp's 24-hour window and the Content Templates a row needs outside it (issue 28).

WhatsApp lets a business send free-form text only within 24 hours of the learner's last message; later a
message goes as an approved Content Template, else once by SMS to the same number.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.render import whatsapp as wording
from bot.store.models import Address, WhatsAppTemplate
from flows import languages

WINDOW = timedelta(hours=24)
MISSING, PENDING, APPROVED, REJECTED = "missing", "pending", "approved", "rejected"
OUTSIDE_WINDOW = 63016
FALLBACK_NOTE = "sent by SMS: WhatsApp templates not approved yet"


def in_window(session, address_id: int | None, now: datetime) -> bool:
    """True when the learner wrote on this WhatsApp address less than 24 hours ago."""
    if address_id is None:
        return False
    last = session.scalar(select(Address.last_inbound_at).where(Address.id == address_id))
    return last is not None and now - last < WINDOW


def approved_sid(session, name: str, language: str | None) -> str | None:
    """The ``HX`` sid of the approved template ``name`` (``bot.render.whatsapp.name_of``) in ``language``."""
    if name not in wording.NAMES:
        return None
    found = session.scalar(
        select(WhatsAppTemplate).where(
            WhatsAppTemplate.name == name, WhatsAppTemplate.language == languages.pick(language)
        )
    )
    return found.sid if found is not None and found.state == APPROVED else None


def sms_opted_out(session, number: str) -> bool:
    """True when the SMS address of this number said STOP (the fallback must not text it)."""
    found = session.scalar(select(Address.opted_out_at).where(Address.channel == "sms", Address.value == number))
    return found is not None


def needed(session, language: str | None = None) -> list[tuple[str, str, str, str | None]]:
    """Every template the bot needs, as (name, language, state, sid); ``missing`` when never created."""
    stored = {(t.name, t.language): t for t in session.scalars(select(WhatsAppTemplate))}
    out = []
    for lang in [language] if language else list(languages.SHIPPED):
        for name in wording.NAMES:
            found = stored.get((name, lang))
            out.append((name, lang, found.state if found else MISSING, found.sid if found else None))
    return out


def record(session, name: str, language: str, sid: str | None, state: str, now: datetime) -> None:
    """Stores a template's sid and state."""
    found = session.scalar(
        select(WhatsAppTemplate).where(WhatsAppTemplate.name == name, WhatsAppTemplate.language == language)
    )
    if found is None:
        session.add(WhatsAppTemplate(name=name, language=language, sid=sid, state=state, updated_at=now))
        return
    found.sid, found.state, found.updated_at = sid or found.sid, state, now


def fell_back(session, contact_ids: list[int]) -> bool:
    """True when a message to one of these contacts went by SMS for want of an approved template."""
    from bot.store.models import Outbox

    if not contact_ids:
        return False
    return (
        session.scalar(
            select(Outbox.id).where(Outbox.contact_id.in_(contact_ids), Outbox.last_error == FALLBACK_NOTE).limit(1)
        )
        is not None
    )
