"""How a WhatsApp row goes out (issue 28): as free-form text within 24 hours of the learner's last message,
else as an approved Content Template, else once by SMS to the same number.

A row that falls back to SMS changes its channel to ``sms`` before anything is sent, so a retry, or the
sweeper's check after a crash, goes on by SMS and never sends twice; its ``last_error`` keeps the note.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.domain import outbox, whatsapp
from bot.domain.whatsapp import OUTSIDE_WINDOW
from bot.render import codec
from bot.render.whatsapp import name_of
from bot.store.models import Address, Contact, Outbox
from flows.inbound import SMS, WHATSAPP

BODY, TEMPLATE, FALLBACK, REFUSED = "body", "template", "sms", "refused"


def decide(session, row: Outbox, now: datetime, enforce: bool) -> tuple[str, str | None]:
    """(how, template sid) for a WhatsApp row: ``body``, ``template`` or ``sms``; ``refused`` when the SMS
    fallback is needed but that number said STOP by SMS. ``enforce`` is False in the simulator, where a
    row without a template still goes as text."""
    if row.channel != WHATSAPP or whatsapp.in_window(session, row.address_id, now):
        return BODY, None
    language = session.scalar(select(Contact.language).where(Contact.id == row.contact_id)) if row.contact_id else None
    replies = codec.load(row.replies) if row.replies is not None else ()
    sid = whatsapp.approved_sid(session, name_of(replies), language or row.language)
    if sid is not None:
        return TEMPLATE, sid
    if not enforce:
        return BODY, None
    return fall_back(session, row), None


def fall_back(session, row: Outbox) -> str:
    """Turns the row into an SMS to the same number, or ``refused`` when that number opted out by SMS."""
    if whatsapp.sms_opted_out(session, row.address):
        row.last_error = "no approved WhatsApp template; SMS opted out"
        return REFUSED
    row.channel, row.last_error = SMS, whatsapp.FALLBACK_NOTE
    return FALLBACK


def fell_back(session, row: Outbox) -> bool:
    """True when this SMS row was meant for WhatsApp (its address is the learner's WhatsApp one)."""
    if row.channel != SMS or row.address_id is None:
        return False
    address = session.get(Address, row.address_id)
    return address is not None and address.channel == WHATSAPP


def refused_again(session, row: Outbox) -> bool:
    """True when a row already turned into an SMS must not go: that number opted out by SMS since."""
    return fell_back(session, row) and whatsapp.sms_opted_out(session, row.address)


def after_sent(session, row_id: int) -> None:
    """A sent row that fell back to SMS keeps saying so (the roster's "WhatsApp templates not approved yet")."""
    row = session.get(Outbox, row_id)
    if row is not None and fell_back(session, row):
        row.last_error = whatsapp.FALLBACK_NOTE


def by_sms_instead(uow, row_id: int, send) -> str:
    """Twilio answered 63016 (outside WhatsApp's window): the row goes once by SMS to the same number."""
    with uow() as session:
        row = session.get(Outbox, row_id)
        how = fall_back(session, row)
        row.status = outbox.CANCELLED if how == REFUSED else outbox.PENDING
        session.commit()
    return outbox.CANCELLED if how == REFUSED else send(row_id)


__all__ = ["OUTSIDE_WINDOW", "by_sms_instead", "decide"]
