"""``POST /twilio/voice`` and ``/twilio/voice/...``: calls to the bot's number; the replies are TwiML.

The call's state (prompt, language, misses) rides in each ``<Gather>``'s action URL, which Twilio
signs with the request, so a replayed request gets the same TwiML; only joining a conference writes.
Each view verifies, parses, calls one function of ``bot.inbound.calls`` and renders its answer.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request

from bot.domain.phone import to_e164
from bot.inbound import calls, prompts
from bot.render import voice as render
from bot.render import voice_menu as render_menu
from flows import commands, languages, voice_menu
from flows import voice as call_flow
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


def _step(step: call_flow.Step | voice_menu.Ask, room=None) -> Response:
    runtime = current_app.extensions["circlebot"]
    base, recorded = runtime.settings.public_base_url, prompts.recorded(runtime.uow, runtime.settings)
    if isinstance(step, voice_menu.Ask):  # join by calling, or a known caller's menu
        return _twiml(render_menu.render_ask(step, base, recorded))
    room_name, size = (room.name, room.max_participants) if room else (None, None)
    return _twiml(render.render_step(step, base, room_name, size, recorded=recorded))


def _spoken(spoken: calls.Spoken) -> Response:
    runtime = current_app.extensions["circlebot"]
    recorded = prompts.recorded(runtime.uow, runtime.settings)
    return _twiml(
        render.render_keypad(spoken.replies, spoken.language, spoken.action, spoken.typed, spoken.machine, recorded)
    )


@bp.post("/twilio/voice")
@verified
def incoming_call():
    """Greets the caller: the language menu, or (for a number the bot knows) the code prompt."""
    runtime = current_app.extensions["circlebot"]
    _sid, caller = _call()
    return _step(calls.greet(runtime.uow, runtime.settings, caller))


@bp.post("/twilio/voice/gather")
@verified
def gathered():
    """The keys a caller pressed: a language, a code (then the conference), a retry or goodbye."""
    runtime = current_app.extensions["circlebot"]
    sid, caller = _call()
    state = call_flow.CallState.from_query(request.args, languages.SHIPPED)
    digits = "".join(ch for ch in clean_text(request.form.get("Digits")) if ch in "0123456789*#")[:24]
    step, room = calls.gathered(runtime.uow, runtime.settings, sid, caller, state, digits, runtime.clock())
    return _step(step, room)


@bp.post("/twilio/voice/wait")
@verified
def waiting():
    """What a learner hears until the facilitator arrives (the conference's ``waitUrl``)."""
    runtime = current_app.extensions["circlebot"]
    lang = request.args.get("lang") if request.args.get("lang") in languages.SHIPPED else languages.DEFAULT
    return _twiml(render.render_wait(lang, prompts.recorded(runtime.uow, runtime.settings)))


@bp.post("/twilio/voice/answer")
@verified
def answered():
    """A call the bot placed was answered: CALL ME into the conference, else the message by keypad."""
    runtime = current_app.extensions["circlebot"]
    sid, _caller = _call()
    row = number(request.args.get("row"))
    if row is None:
        abort(400, description="row is required")
    answered_by = clean_text(request.form.get("AnsweredBy")) or None
    answer = calls.answered(runtime.uow, runtime.settings, sid, row, answered_by, runtime.clock())
    return _spoken(answer.spoken) if answer.spoken is not None else _step(answer.step, answer.room)


@bp.post("/twilio/voice/keypad")
@verified
def keypad():
    """Keys pressed on a call the bot placed: the answer goes through the flows like a text would."""
    runtime = current_app.extensions["circlebot"]
    sid, _caller = _call()
    row, step = number(request.args.get("row")), number(request.args.get("n"), largest=999)
    if row is None or step is None:
        abort(400, description="row and n are required")
    pressed = clean_text(request.form.get("Digits"))
    digits = "".join(ch for ch in pressed if ch in "0123456789")[:6]
    # The map rides in the signed action URL, but it is still text from outside: cleaned like a form field.
    mapped = dict(pair.split(":", 1) for pair in clean_text(request.args.get("map")).split(",") if ":" in pair)
    said = commands.keypad_word(commands.ANY_KEY) if request.args.get("skip") else mapped.get(digits, digits)
    if request.args.get("stop") == "star" and commands.STOP_KEY in pressed:
        said = commands.keypad_word(commands.STOP_KEY)  # flows/commands.py: * stops the calls
    spoken = calls.keypad(runtime.uow, runtime.settings, sid, row, step, said, runtime.clock())
    if spoken is None:
        abort(400, description="no such call")
    return _spoken(spoken)


@bp.post("/twilio/voice/status")
@verified
def call_status():
    """A placed call ended: one that was not answered (or reached voicemail) is tried once more later."""
    runtime = current_app.extensions["circlebot"]
    row = number(request.args.get("row"))
    status = clean_text(request.form.get("CallStatus")).strip()[:16]
    if row is None or not status:
        abort(400, description="row and CallStatus are required")
    calls.call_ended(runtime.uow, row, status, clean_text(request.form.get("AnsweredBy")) or None, runtime.clock())
    return "", 204
