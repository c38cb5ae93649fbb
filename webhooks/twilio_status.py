"""``POST /twilio/status``: delivery status callbacks for outbound messages."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, request

from bot import delivery
from webhooks.text import clean_text
from webhooks.twilio_signature import verified

bp = Blueprint("twilio_status", __name__)


@bp.post("/twilio/status")
@verified
def status_callback():
    """Records the status once per (MessageSid, status); 204, also for a replay."""
    sid = clean_text(request.form.get("MessageSid") or request.form.get("SmsSid"))[:64]
    status = clean_text(request.form.get("MessageStatus") or request.form.get("SmsStatus"))[:16]
    if not sid or not status:
        abort(400, description="MessageSid and MessageStatus are required")
    error = clean_text(request.form.get("ErrorCode"))[:16] or None
    runtime = current_app.extensions["circlebot"]
    delivery.record(runtime.uow, sid, status, error, datetime.now(timezone.utc))
    return "", 204
