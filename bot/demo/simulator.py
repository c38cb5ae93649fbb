"""The web phones at ``/simulator``: learners and the facilitator side by side, on the demo clock.

Each phone asks ``/simulator/sign`` for a Twilio-shaped inbound SMS and its X-Twilio-Signature,
then posts it to the real ``/twilio/sms`` webhook, so the real path runs. A phone polls
``/simulator/messages`` for its conversation. ``/simulator/fast-forward`` moves the demo clock to
the next text the bot will send and sends it; ``/simulator/reset`` starts the demo again.
Only the demo registers this blueprint.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from sqlalchemy import or_, select
from twilio.request_validator import RequestValidator

from bot.africastalking import AfricasTalking
from bot.demo import seed as demo
from bot.demo import simulator_clock, simulator_state
from bot.domain.phone import to_e164
from bot.inbound.service import from_stored
from bot.render import render
from bot.settings import SIMULATOR_NUMBER
from bot.store.models import Message, Outbox

bp = Blueprint(
    "simulator",
    __name__,
    template_folder="../templates",
    static_folder="../static",
    static_url_path="/simulator/static",
)
bp.register_blueprint(simulator_clock.bp)  # the zone and "Go to…"
bp.register_blueprint(simulator_state.bp)  # each phone's state panel and "Reset this phone"
BOT_NUMBER = SIMULATOR_NUMBER
ACCOUNT_SID = "AC" + "0" * 32
MAX_MESSAGES = 500


@bp.record_once
def _use_demo_clock(state) -> None:
    """The simulator runs on the demo clock, which fast-forward moves."""
    demo.install_clock(state.app.extensions["circlebot"], state.app.instance_path)


def _runtime():
    return current_app.extensions["circlebot"]


@bp.app_context_processor
def _demo_clock() -> dict:
    """The facilitator pages of a demo show the demo clock's time, marked as such (``pages/base.html``)."""
    from bot.web.i18n import when

    runtime = _runtime()
    if not isinstance(runtime.clock, demo.DemoClock):
        return {}
    return {"demo_clock_now": when(runtime.clock(), demo.timezone_of(runtime))}


def _phone(raw: str) -> str:
    """The E.164 form of what was typed, read as the server reads numbers; 400 when it is none."""
    region = getattr(_runtime().settings, "default_region", None) or "US"
    return to_e164(raw, region) or abort(400, description="Enter a phone number, like +18165550123 or (816) 555-0123")


def _json_only() -> None:
    """A state-changing call must be JSON, which a cross-site form cannot send without asking first."""
    if not request.is_json:
        abort(415, description="send JSON")


@bp.get("/simulator")
def page():
    """The web phones."""
    return render_template(
        "simulator.html",
        bot_number=BOT_NUMBER,
        facilitator=demo.FACILITATOR_PHONE,
        code=demo.DEMO_CODE,
        timezone=demo.timezone_of(_runtime()),
    )


@bp.get("/simulator/clock")
def clock():
    """The demo clock's time."""
    return jsonify(**simulator_clock.clock_state(_runtime()))


@bp.post("/simulator/sign")
def sign():
    """Builds and signs a Twilio-shaped inbound SMS for the page to post to ``/twilio/sms``; a Kenyan phone's
    text is Africa's Talking's callback instead (``url``: ``/africastalking/sms?key=…``, no signature)."""
    _json_only()
    data = request.get_json(silent=True) or {}
    sender = _phone(str(data.get("from", ""))[:40])
    body = str(data.get("body", ""))[:1600]
    if not body.strip():
        abort(400, description="a text message cannot be empty")
    params = {
        "MessageSid": "SM" + secrets.token_hex(16),
        "SmsMessageSid": "",
        "AccountSid": ACCOUNT_SID,
        "From": sender,
        "To": BOT_NUMBER,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }
    params["SmsMessageSid"] = params["MessageSid"]
    settings = _runtime().settings
    at = AfricasTalking.of(settings)
    if at.carries(sender):  # a Kenyan phone texts the Africa's Talking short code (issue 29)
        at_params = {"from": sender, "to": at.sender or "20880", "text": body, "id": "ATXid_" + secrets.token_hex(16)}
        at_params.update(date=_runtime().clock().strftime("%Y-%m-%d %H:%M:%S"), linkId="", networkCode="63902")
        url = "/africastalking/sms?" + urlencode({"key": at.callback_key or ""})
        return jsonify(url=url, params=at_params, signature="", now=_runtime().clock().isoformat())
    signature = RequestValidator(settings.twilio_auth_token).compute_signature(
        settings.public_base_url + "/twilio/sms", params
    )
    return jsonify(params=params, signature=signature, now=_runtime().clock().isoformat())


@bp.post("/simulator/voice/sign")
def sign_voice():
    """Builds and signs a Twilio-shaped voice request (a call coming in, the keys pressed, the words said) for
    the page to post to ``path`` (``/twilio/voice`` or one of its gather URLs), so the real voice path runs."""
    _json_only()
    data = request.get_json(silent=True) or {}
    path = str(data.get("path", ""))[:300]
    if not path.startswith("/twilio/voice"):
        abort(400, description="a voice request goes to /twilio/voice")
    phone = _phone(str(data.get("from", ""))[:40])
    placed = bool(data.get("placed"))  # a call the bot placed, answered (or not) on this phone
    params = {
        "CallSid": str(data.get("call_sid") or "")[:40] or "CA" + secrets.token_hex(16),
        "AccountSid": ACCOUNT_SID,
        "From": BOT_NUMBER if placed else phone,
        "To": phone if placed else BOT_NUMBER,
        "CallStatus": str(data.get("status") or "in-progress")[:16],
        "Direction": "outbound-api" if placed else "inbound",
        "ApiVersion": "2010-04-01",
    }
    if data.get("answered_by") in ("human", "machine_end_beep"):
        params["AnsweredBy"] = data["answered_by"]
    if data.get("speech"):  # words said at a <Gather input="speech dtmf">: Twilio sends what it recognised
        params.update(SpeechResult=str(data["speech"])[:200], Confidence="0.9")
    elif data.get("digits") is not None:
        params["Digits"] = "".join(ch for ch in str(data["digits"]) if ch in "0123456789*#")[:24]
    return jsonify(params=params, signature=_signature(path, params), now=_runtime().clock().isoformat())


@bp.post("/simulator/conference/sign")
def sign_conference():
    """Signs a pretend conference's status callback (a participant joins or leaves, the conference starts
    or ends) for the page to post to ``/twilio/conference``, so attendance is recorded as with Twilio."""
    _json_only()
    import hashlib
    from email.utils import format_datetime

    data = request.get_json(silent=True) or {}
    room, event = str(data.get("room") or "")[:64], str(data.get("event") or "")[:32]
    if not room or event not in ("participant-join", "participant-leave", "conference-start", "conference-end"):
        abort(400, description="room and a conference event are required")
    now = _runtime().clock()
    params = {
        "AccountSid": ACCOUNT_SID,
        "ConferenceSid": "CF" + hashlib.sha256(room.encode()).hexdigest()[:32],
        "FriendlyName": room,
        "StatusCallbackEvent": event,
        "SequenceNumber": str(int(data.get("sequence") or 0)),
        "Timestamp": format_datetime(now),
    }
    if event.startswith("participant-"):
        params["CallSid"] = str(data.get("call_sid", ""))[:40]
    return jsonify(params=params, signature=_signature("/twilio/conference", params), now=now.isoformat())


def _signature(path: str, params: dict) -> str:
    settings = _runtime().settings
    return RequestValidator(settings.twilio_auth_token).compute_signature(settings.public_base_url + path, params)


@bp.get("/simulator/messages")
def messages():
    """One phone's conversation, oldest first: what it sent, the inline replies, and outbound texts.

    Each message has a ``key`` that stays the same between calls (the provider id, and ``#n`` for
    the n-th inline reply), so the page adds only what is new and keeps what the bot has erased.
    """
    address = _phone(request.args.get("phone", ""))
    with _runtime().uow() as session:
        rows = session.scalars(
            select(Message)
            .where(or_(Message.address == address, Message.address == "whatsapp:" + address))
            .order_by(Message.id.desc())
            .limit(MAX_MESSAGES)
        ).all()[::-1]
        out_ids = [r.provider_id for r in rows if r.direction == "out" and r.provider_id]
        sent_at = (
            dict(
                session.execute(select(Outbox.provider_id, Outbox.sent_at).where(Outbox.provider_id.in_(out_ids))).all()
            )
            if out_ids
            else {}
        )
        out = []
        for row in rows:
            key = row.provider_id or f"id{row.id}"
            at = (sent_at.get(row.provider_id) or row.created_at).isoformat()
            item = {"key": key, "direction": row.direction, "body": row.body, "at": at, "segments": row.segments}
            if row.direction == "out" and isinstance(row.replies, dict) and row.replies.get("template"):
                item["template"] = row.replies["template"]  # sent as a WhatsApp Content Template (issue 28)
            if row.direction == "out" and isinstance(row.replies, dict) and row.replies.get("call"):
                item["call"] = _placed_call(row.replies["call"])  # the bot calls this phone: it rings
            out.append(item)
            if row.direction != "in" or (row.provider_id or "").startswith("at-"):
                continue  # Africa's Talking takes no inline reply: its answers are outbound rows
            if row.channel == "voice":  # keys pressed on a call the bot placed: what they said, and the answer spoken
                call_sid = key.split(":", 1)[0]  # a page that played the call live has shown these already
                item.update(body="\u2328 " + (row.body or ""), call_sid=call_sid)
                spoken = inline(from_stored(row.replies), "sms")
                out.extend(
                    {
                        "key": f"{key}#{n}",
                        "direction": "out",
                        "body": "\U0001f50a " + body,
                        "at": at,
                        "call_sid": call_sid,
                    }
                    for n, body in enumerate(spoken)
                )
                continue
            for n, body in enumerate(inline(from_stored(row.replies), row.channel)):
                out.append({"key": f"{key}#{n}", "direction": "out", "body": body, "at": at, "inline": True})
    return jsonify(phone=address, messages=out)


def _placed_call(call: dict) -> dict:
    """Where the phone posts when a placed call is answered, and when it ends (paths on this server)."""
    from urllib.parse import urlsplit

    def path(url) -> str | None:
        if not url:
            return None
        parts = urlsplit(str(url))
        return parts.path + ("?" + parts.query if parts.query else "")

    return {"answer": path(call.get("url")), "status": path(call.get("status_callback"))}


def inline(handled, channel: str) -> list[str]:
    """The replies a webhook gave inline for ``handled`` (``bot.inbound.service.Handled``), as the phone
    showed them: each reply rendered for ``channel``, or the finished texts of an older stored answer."""
    if handled.texts is not None:
        return list(handled.texts)
    return [render(channel, (reply,), handled.language).text for reply in handled.replies]


@bp.post("/simulator/fast-forward")
def fast_forward():
    """Moves the demo clock to the next text the bot will send, and sends what is due then."""
    _json_only()
    jump = demo.fast_forward(_runtime())
    now = _runtime().clock().isoformat()
    if jump is None:
        return jsonify(
            moved=False, now=now, sent=[], detail=f"nothing is planned in the next {demo.LOOK_AHEAD.days} days"
        )
    return jsonify(moved=True, now=now, at=jump.at.isoformat(), sent=jump.sent)


@bp.post("/simulator/reset")
def reset():
    """Empties the demo database and seeds the DEMO circle again, on the real time."""
    _json_only()
    runtime = _runtime()
    if runtime.settings.twilio_enabled:
        abort(403, description="reset is only for the simulator's own demo data")
    demo.reset(runtime)
    return jsonify(now=runtime.clock().isoformat(), code=demo.DEMO_CODE)
