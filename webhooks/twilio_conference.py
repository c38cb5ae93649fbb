"""``POST /twilio/conference``: conference status callbacks; participant join and leave → attendance."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, request

from bot.inbound import calls
from webhooks.text import clean_text, number
from webhooks.twilio_signature import verified

bp = Blueprint("twilio_conference", __name__)


@bp.post("/twilio/conference")
@verified
def conference_event():
    """Stores the event once and updates the attendance of its calls; 204, also for a replay."""
    form = request.form
    conference_sid = clean_text(form.get("ConferenceSid")).strip()[:64]
    event = clean_text(form.get("StatusCallbackEvent")).strip()[:32]
    if not conference_sid or not event:
        abort(400, description="ConferenceSid and StatusCallbackEvent are required")
    runtime = current_app.extensions["circlebot"]
    calls.conference_event(
        runtime.uow,
        conference_sid,
        clean_text(form.get("FriendlyName")).strip()[:64] or None,
        event,
        clean_text(form.get("CallSid")).strip()[:64],
        number(clean_text(form.get("SequenceNumber")).strip()) or 0,
        form.get("Timestamp"),
        runtime.clock(),
    )
    return "", 204
