"""The web phone at ``/simulator``: the page posts *signed* requests to ``/twilio/sms``.

The page asks ``/simulator/sign`` for the X-Twilio-Signature of the form it is about to send
(only the demo has this blueprint), then posts to the real webhook, so the real path runs.
"""
from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from sqlalchemy import or_, select
from twilio.request_validator import RequestValidator

from bot.models import Message
from bot.phone import to_e164
from bot.service import from_stored

bp = Blueprint("simulator", __name__, template_folder="templates")
BOT_NUMBER = "+18165550100"
ACCOUNT_SID = "AC" + "0" * 32


@bp.get("/simulator")
def page():
    """The web phone."""
    return render_template("simulator.html", bot_number=BOT_NUMBER)


@bp.post("/simulator/sign")
def sign():
    """Builds and signs a Twilio-shaped inbound SMS for the page to post to ``/twilio/sms``."""
    data = request.get_json(silent=True) or {}
    sender = str(data.get("from", ""))[:40]
    body = str(data.get("body", ""))[:1600]
    params = {
        "MessageSid": "SM" + secrets.token_hex(16), "SmsMessageSid": "", "AccountSid": ACCOUNT_SID,
        "From": sender, "To": BOT_NUMBER, "Body": body, "NumMedia": "0", "NumSegments": "1",
        "SmsStatus": "received", "ApiVersion": "2010-04-01",
    }
    params["SmsMessageSid"] = params["MessageSid"]
    settings = current_app.extensions["circlebot"].settings
    signature = RequestValidator(settings.twilio_auth_token).compute_signature(
        settings.public_base_url + "/twilio/sms", params
    )
    return jsonify(params=params, signature=signature)


@bp.get("/simulator/messages")
def messages():
    """The conversation of one phone: what it sent, the inline replies, and outbound texts."""
    address = to_e164(request.args.get("phone", "")) or abort(400, description="phone must be an E.164 number")
    runtime = current_app.extensions["circlebot"]
    with runtime.uow() as session:
        rows = session.scalars(
            select(Message).where(or_(Message.address == address, Message.address == "whatsapp:" + address))
            .order_by(Message.created_at, Message.id).limit(500)
        ).all()
        out = []
        for row in rows:
            out.append({"direction": row.direction, "body": row.body, "at": row.created_at.isoformat(),
                        "segments": row.segments})
            if row.direction != "in":
                continue
            for reply in from_stored(row.replies).rendered(row.channel):
                out.append({"direction": "out", "body": reply.text, "at": row.created_at.isoformat(),
                            "inline": True})
    return jsonify(messages=out)
