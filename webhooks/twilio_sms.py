"""``POST /twilio/sms``: inbound SMS, MMS and WhatsApp; the reply is TwiML.

Pictures and files (``NumMedia``, ``MediaUrl0``…) are counted, never fetched: ``flows.media`` says so.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, abort, current_app, request
from twilio.twiml.messaging_response import MessagingResponse

from bot.domain.phone import WHATSAPP_PREFIX, to_e164
from bot.inbound.service import Handled, handle_inbound
from bot.render import sms
from flows.inbound import SMS, WHATSAPP, Inbound
from webhooks.text import clean_text, form_field, number
from webhooks.twilio_signature import verified

bp = Blueprint("twilio_sms", __name__)
SID_MAX = 64
MEDIA_MAX = 10  # Twilio takes at most 10 pictures or files in one message


def parse(form, now: datetime) -> Inbound:
    """Turns Twilio's form fields into an ``Inbound``; 400 when a required field is missing."""
    sid = form_field(form, "MessageSid", "SmsMessageSid")
    sender = form_field(form, "From")
    if not sid or len(sid) > SID_MAX or not sender:
        abort(400, description="MessageSid and From are required")
    channel = WHATSAPP if sender.lower().startswith(WHATSAPP_PREFIX) else SMS
    e164 = to_e164(sender, form_field(form, "FromCountry") or None)
    return Inbound(
        channel=channel,
        address=e164 or sender[:64],
        text=clean_text(button_payload(form) if channel == WHATSAPP else None) or clean_text(form.get("Body")),
        provider_id=sid,
        received_at=now,
        address_ok=e164 is not None,
        media=media_count(form),
    )


def button_payload(form) -> str | None:
    """A WhatsApp template's quick-reply tap: its ``ButtonPayload`` is the answer's number (``1``, ``2``…),
    the same as typing it; the ``Body`` is the button's title in the reader's language."""
    payload = (form.get("ButtonPayload") or "").strip()
    return payload if payload.isdigit() and len(payload) <= 2 else None


def media_count(form) -> int:
    """How many pictures or files came with the message: ``NumMedia``, or the ``MediaUrl<n>`` fields
    present when it is missing or unreadable (at most ``MEDIA_MAX``, Twilio's own limit)."""
    said = number(form.get("NumMedia"))
    urls = sum(1 for i in range(MEDIA_MAX) if form.get(f"MediaUrl{i}"))
    return min(max(said or 0, urls), MEDIA_MAX)


@bp.post("/twilio/sms")
@verified
def inbound_sms():
    """Stores the message once, runs the flows, and answers with TwiML."""
    runtime = current_app.extensions["circlebot"]
    inbound = parse(request.form, runtime.clock())
    handled = handle_inbound(runtime.uow, inbound, runtime.settings)
    return Response(twiml_of(handled, inbound.channel), mimetype="application/xml")


def twiml_of(handled: Handled, channel: str) -> str:
    """The TwiML answer: one ``<Message>`` per reply; SMS folded to GSM-7 within its budget, WhatsApp as written."""
    twiml = MessagingResponse()
    if handled.texts is not None:  # a replay of a message answered before replies were kept as keys
        said = list(handled.texts)
    else:
        said = [sms.render((reply,), handled.language, fold=channel == SMS) for reply in handled.replies]
    for body in said:
        twiml.message(body)
    return str(twiml)
