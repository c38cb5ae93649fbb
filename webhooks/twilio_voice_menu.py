"""``POST /twilio/voice/menu``: join by calling, and a known caller's keypad menu (``flows.voice_menu``).

The call's state (step, language, the circle's phone code, the name heard) rides in the signed action URL:
a changed URL fails the signature (403). Only the words Twilio recognised (``SpeechResult``) are read,
never a recording.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, request

from bot.inbound import voice_menu as service
from flows import languages
from flows import voice_menu as menu
from webhooks.text import clean_text
from webhooks.twilio_signature import verified
from webhooks.twilio_voice import _call, _step

bp = Blueprint("twilio_voice_menu", __name__)
SPEECH_MAX = 200


@bp.post("/twilio/voice/menu")
@verified
def menu_answer():
    """One answer on the menu: a key, or the name said (the recognised words)."""
    runtime = current_app.extensions["circlebot"]
    sid, caller = _call()
    state = menu.MenuState.from_query(request.args, languages.SHIPPED)
    if state is None:
        abort(400, description="step and code are required")
    digits = "".join(ch for ch in clean_text(request.form.get("Digits")) if ch in "0123456789*#")[:4]
    said = clean_text(request.form.get("SpeechResult"))[:SPEECH_MAX]
    step, room = service.gathered(runtime.uow, runtime.settings, sid, caller, state, digits, said, runtime.clock())
    return _step(step, room)
