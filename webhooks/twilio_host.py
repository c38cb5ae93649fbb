"""``POST /twilio/voice/host[/menu|/roll]``: the facilitator's host menu on a conference call (issue 26).

Only the facilitator's ``<Dial>`` has ``hangupOnStar`` and this action URL, which Twilio signs with the
request (the meeting rides in it). Each view verifies the signature, checks the CallSid is that
meeting's facilitator's call (else 403, and nothing changes), calls one function of
``bot.outbound.host_menu`` and renders its answer as TwiML.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request

from bot.outbound import host_menu as host
from bot.render import host_voice as render
from flows import languages
from webhooks.text import clean_text, number
from webhooks.twilio_signature import verified
from webhooks.twilio_voice import SID_MAX

bp = Blueprint("twilio_host", __name__)


def _args() -> tuple[int, str, str]:
    """The meeting (from the signed URL), the call's language and its CallSid; 400 when one is missing."""
    meeting_id = number(request.args.get("m"))
    sid = clean_text(request.form.get("CallSid")).strip()
    if meeting_id is None or not sid or len(sid) > SID_MAX:
        abort(400, description="m and CallSid are required")
    lang = request.args.get("lang")
    return meeting_id, sid, lang if lang in languages.SHIPPED else languages.DEFAULT


def _digits() -> str:
    return "".join(ch for ch in clean_text(request.form.get("Digits")) if ch in "0123456789*#")[:4]


def _twiml(answer: host.HostAnswer | None, meeting_id: int, lang: str) -> Response:
    if answer is None:
        abort(403, description="this call does not host this meeting")
    base = current_app.extensions["circlebot"].settings.public_base_url
    if answer.kind in (host.MENU, host.CONFIRM):
        twiml = render.menu(base, meeting_id, lang, confirming=answer.kind == host.CONFIRM)
    elif answer.kind == host.ROLL:
        twiml = render.roll(base, meeting_id, lang, answer.ask or 0, answer.here, answer.replies)
    elif answer.kind == host.BACK and answer.room is not None:
        twiml = render.back(base, meeting_id, lang, answer.room.name, answer.room.max_participants, answer.replies)
    elif answer.kind == host.HUNG_UP:
        twiml = render.hang_up()
    else:
        twiml = render.ended(lang)
    return Response(str(twiml), mimetype="application/xml")


@bp.post("/twilio/voice/host")
@verified
def stepped_out():
    """The facilitator's Dial ended: ``*`` opens the host menu; hanging up ends the meeting for everyone."""
    runtime = current_app.extensions["circlebot"]
    meeting_id, sid, lang = _args()
    status = clean_text(request.form.get("CallStatus")).strip()[:16]
    answer = host.stepped_out(runtime.uow, runtime.settings, meeting_id, sid, status, runtime.clock())
    return _twiml(answer, meeting_id, lang)


@bp.post("/twilio/voice/host/menu")
@verified
def menu():
    """A key in the host menu (1 who, 2 mute, 3 unmute, 4 roll call, 9 end); anything else goes back."""
    runtime = current_app.extensions["circlebot"]
    meeting_id, sid, lang = _args()
    confirming = request.args.get("confirm") == "1"
    answer = host.pressed(runtime.uow, runtime.settings, meeting_id, sid, _digits(), confirming, runtime.clock())
    return _twiml(answer, meeting_id, lang)


@bp.post("/twilio/voice/host/roll")
@verified
def roll():
    """A roll-call key: 1 here in the room, 2 not; anything else goes back to the meeting."""
    runtime = current_app.extensions["circlebot"]
    meeting_id, sid, lang = _args()
    contact_id, here = number(request.args.get("c")), number(request.args.get("n"), largest=999)
    if contact_id is None or here is None:
        abort(400, description="c and n are required")
    answer = host.roll_answered(
        runtime.uow, runtime.settings, meeting_id, sid, contact_id, here, _digits(), runtime.clock()
    )
    return _twiml(answer, meeting_id, lang)
