"""``POST /twilio/status``: delivery status callbacks for outbound messages."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, request

from bot.inbound import delivery
from webhooks.text import form_field
from webhooks.twilio_signature import verified

bp = Blueprint("twilio_status", __name__)
SID_MAX, STATUS_MAX = 64, 16  # the columns' sizes


@bp.post("/twilio/status")
@verified
def status_callback():
    """Records the status once per (MessageSid, status); 204, also for a replay; 400 for an unknown status."""
    sid = form_field(request.form, "MessageSid", "SmsSid")
    status = form_field(request.form, "MessageStatus", "SmsStatus", lower=True)
    if not sid or not status:
        abort(400, description="MessageSid and MessageStatus are required")
    if len(sid) > SID_MAX or len(status) > STATUS_MAX:  # checked after cleaning and lower-casing
        abort(400, description="MessageSid or MessageStatus is too long")
    if status not in delivery.STATUSES:  # "huh" is no status: refused, not stored
        abort(400, description="MessageStatus is not a Twilio message status")
    error = form_field(request.form, "ErrorCode")[:STATUS_MAX] or None
    runtime = current_app.extensions["circlebot"]
    delivery.record(runtime.uow, sid, status, error, datetime.now(timezone.utc))
    return "", 204
