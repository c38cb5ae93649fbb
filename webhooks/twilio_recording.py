"""``POST /twilio/voice/record`` and ``/twilio/voice/recording``: the call that records prompts (issue 29).

``record`` is the TwiML of each step (placed by ``circlebot voice prompts record``; the <Record>'s action
comes back here for the next prompt); ``recording`` is Twilio's recording status callback: the audio is
fetched, kept and deleted at Twilio. Both are signed by Twilio; where the call is rides in the signed URL.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request

from bot.outbound import prompt_calls
from bot.render.voice_prompts import LANGUAGES
from webhooks.text import clean_text, number
from webhooks.twilio_signature import verified

bp = Blueprint("twilio_recording", __name__)


def _lang() -> str:
    lang = request.args.get("lang")
    if lang not in LANGUAGES:
        abort(400, description="lang must be a language with recorded prompts")
    return lang


@bp.post(prompt_calls.STEP_PATH)
@verified
def record_step():
    """The next prompt to record (or goodbye)."""
    runtime = current_app.extensions["circlebot"]
    lang = _lang()
    index, asked = number(request.args.get("i"), largest=999), number(request.args.get("n"), largest=999)
    if index is None or asked is None:
        abort(400, description="i and n are required")
    every = request.args.get("all") == "1"
    response = prompt_calls.step(runtime.uow, runtime.settings, lang, index, asked, every)
    return Response(str(response), mimetype="application/xml")


@bp.post(prompt_calls.READY_PATH)
@verified
def recording_ready():
    """A recording is ready at Twilio: keep it and delete it there."""
    runtime = current_app.extensions["circlebot"]
    lang = _lang()
    key = clean_text(request.args.get("key")).strip()
    sid = clean_text(request.form.get("RecordingSid")).strip()
    if clean_text(request.form.get("RecordingStatus")).strip() not in ("", "completed"):
        return "", 204  # failed or absent: nothing to keep, the prompt stays missing
    if not key or not sid:
        abort(400, description="key and RecordingSid are required")
    prompt_calls.keep(runtime.uow, runtime.settings, lang, key, sid, runtime.clock())
    return "", 204
