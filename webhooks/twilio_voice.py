"""``POST /twilio/voice`` and ``/twilio/voice/...``: calls to the bot's number; the replies are TwiML.

The call's state (prompt, language, misses) rides in each ``<Gather>``'s action URL, which Twilio
signs with the request, so a replayed request gets the same TwiML; only joining a conference writes.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request

from sqlalchemy import select

from bot import calls, jobs, voice
from bot.models import Outbox
from bot.service import handle_inbound
from bot.phone import to_e164
from bot.render import voice as render
from flows import languages
from flows import voice as call_flow
from flows.inbound import VOICE, Inbound
from webhooks.text import clean_text, number
from webhooks.twilio_signature import verified

bp = Blueprint("twilio_voice", __name__)
SID_MAX = 64


def _call():
    """The CallSid and the caller's E.164 number (None when hidden or unreadable); 400 without a CallSid."""
    sid = clean_text(request.form.get("CallSid")).strip()
    if not sid or len(sid) > SID_MAX:
        abort(400, description="CallSid is required")
    return sid, to_e164(request.form.get("From"), request.form.get("FromCountry") or None)


def _twiml(response) -> Response:
    return Response(str(response), mimetype="application/xml")


@bp.post("/twilio/voice")
@verified
def incoming_call():
    """Greets the caller: the language menu, or (for a number the bot knows) the code prompt."""
    runtime = current_app.extensions["circlebot"]
    _sid, number = _call()
    with runtime.uow() as session:
        who = voice.caller(session, number)
    default = runtime.settings.default_language
    known = (who.language or default) if who.contact_id else None  # a known number skips the menu
    step = call_flow.start(known, languages.SHIPPED, default)
    return _twiml(render.render_step(step, runtime.settings.public_base_url))


@bp.post("/twilio/voice/gather")
@verified
def gathered():
    """The keys a caller pressed: a language, a code (then the conference), a retry or goodbye."""
    runtime = current_app.extensions["circlebot"]
    sid, number = _call()
    state = call_flow.CallState.from_query(request.args, languages.SHIPPED)
    digits = "".join(ch for ch in clean_text(request.form.get("Digits")) if ch in "0123456789*#")[:24]
    base = runtime.settings.public_base_url
    if state.step == call_flow.MENU:
        return _twiml(render.render_step(call_flow.on_menu(state, digits, languages.SHIPPED), base))
    now = runtime.clock()
    with runtime.uow() as session:
        who = voice.caller(session, number)
        step = call_flow.on_code(state, digits, voice.typed(session, digits, who, runtime.settings), now)
        if not isinstance(step, call_flow.Join):
            return _twiml(render.render_step(step, base))
        room = voice.join(session, sid, step.meeting_id, who, number, step.facilitator, now)
        session.commit()
    return _twiml(render.render_step(step, base, room.name, room.max_participants))


@bp.post("/twilio/voice/wait")
@verified
def waiting():
    """What a learner hears until the facilitator arrives (the conference's ``waitUrl``)."""
    lang = request.args.get("lang") if request.args.get("lang") in languages.SHIPPED else languages.DEFAULT
    return _twiml(render.render_wait(lang))


@bp.post("/twilio/voice/answer")
@verified
def answered():
    """A call the bot placed (CALL ME) was answered: into the conference, or a short voicemail message."""
    runtime = current_app.extensions["circlebot"]
    sid, _number = _call()
    row = number(request.args.get("row"))
    if row is None:
        abort(400, description="row is required")
    answered_by = clean_text(request.form.get("AnsweredBy")) or None
    with runtime.uow() as session:
        if session.scalar(select(Outbox.kind).where(Outbox.id == row)) != calls.KIND:
            return _twiml(calls.spoken_row(session, row, answered_by, runtime.settings))  # reminder, survey
        step, room = calls.answered(session, row, sid, answered_by, runtime.clock(), runtime.settings)
        session.commit()
    base = runtime.settings.public_base_url
    return _twiml(render.render_step(step, base, room.name if room else None, room.max_participants if room else None))


@bp.post("/twilio/voice/keypad")
@verified
def keypad():
    """Keys pressed on a call the bot placed: the answer goes through the flows like a text would."""
    runtime = current_app.extensions["circlebot"]
    sid, _number = _call()
    row, step = number(request.args.get("row")), number(request.args.get("n"), largest=999)
    if row is None or step is None:
        abort(400, description="row and n are required")
    with runtime.uow() as session:
        address = session.scalar(select(Outbox.address).where(Outbox.id == row))
    if address is None:
        abort(400, description="no such call")
    pressed = clean_text(request.form.get("Digits"))
    digits = "".join(ch for ch in pressed if ch in "0123456789")[:6]
    # The map rides in the signed action URL, but it is still text from outside: cleaned like a form field.
    mapped = dict(pair.split(":", 1) for pair in clean_text(request.args.get("map")).split(",") if ":" in pair)
    said = "SKIP" if request.args.get("skip") else mapped.get(digits, digits)
    if request.args.get("stop") == "star" and "*" in pressed:
        said = "STOP"  # on every call the bot places, * stops the calls (the first call says so)
    inbound = Inbound(channel=VOICE, address=address, text=said, provider_id=f"{sid}:{step}"[:SID_MAX],
                      received_at=runtime.clock())
    handled = handle_inbound(runtime.uow, inbound, runtime.settings)
    replies = handled.replies
    action = calls.keypad_url(runtime.settings, row, step + 1)
    return _twiml(render.render_keypad(replies, handled.language, action, calls.typed_kind(replies)))


@bp.post("/twilio/voice/status")
@verified
def call_status():
    """A placed call ended: one that was not answered (or reached voicemail) is tried once more later."""
    runtime = current_app.extensions["circlebot"]
    row = number(request.args.get("row"))
    status = clean_text(request.form.get("CallStatus")).strip()[:16]
    if row is None or not status:
        abort(400, description="row and CallStatus are required")
    with runtime.uow() as session:
        planned = calls.ended(session, row, status, clean_text(request.form.get("AnsweredBy")) or None,
                              runtime.clock())
        session.commit()
    jobs.enqueue_rows(planned)
    return "", 204
