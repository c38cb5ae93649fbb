"""Each simulated phone's state panel, and "Reset this phone".

``GET /simulator/state?phone=…`` (or ``?chat=…`` for a Telegram chat) says, for the people watching the
demo, what the bot knows of that phone: its circles, channel and language, the open question (what a
digit or a tap would answer, and until when: the routing order of ``flows/router.py``, where a reminder
newer than the open conversation takes the short answers) and what is planned for it next.
``POST /simulator/phone/reset`` erases that phone's learner (as FORGET does) and its messages, so it
starts again as a new phone.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, current_app, jsonify, request
from sqlalchemy import delete, or_, select

from bot.demo import seed as demo
from bot.domain import outbox
from bot.domain.erase import erase_contact
from bot.domain.phone import to_e164
from bot.inbound.load import Loaded, lock_and_load
from bot.store.models import Address, Circle, Contact, Facilitator, Meeting, Message, Outbox
from flows import checkin

bp = Blueprint("state", __name__)
PHONE_CHANNELS = ("sms", "whatsapp", "voice")
NEXT_ROWS = 4
FLOW_NAMES = {
    "signup": "signing up",
    "language": "choosing a language",
    "checkin": "the check-in",
    "survey": "the survey",
    "leave": "LEAVE's question",
    "forget": "FORGET's question",
}


def _runtime():
    return current_app.extensions["circlebot"]


def _target() -> tuple[tuple[str, ...], str]:
    """The channels and address the request names: ``phone`` (E.164) or a Telegram ``chat``."""
    given = request.get_json(silent=True) if request.method == "POST" else request.args
    source = given if given is not None and hasattr(given, "get") else {}
    chat = str(source.get("chat") or "").strip()
    if chat:
        if not chat.isdigit() or len(chat) > 15:
            abort(400, description="a Telegram chat id is a number")
        return ("telegram",), chat
    region = getattr(_runtime().settings, "default_region", None) or "US"
    phone = to_e164(str(source.get("phone") or "")[:40], region)
    if phone is None:
        abort(400, description="Enter a phone number, like +18165550123 or (816) 555-0123")
    return PHONE_CHANNELS, phone


def _contact(session, channels, value) -> Contact | None:
    contact_id = session.scalar(
        select(Address.contact_id).where(Address.channel.in_(channels), Address.value == value).limit(1)
    )
    return session.get(Contact, contact_id) if contact_id else None


@bp.get("/simulator/state")
def state():
    """What the bot knows of one phone or chat, and what it waits for."""
    channels, value = _target()
    runtime = _runtime()
    now = runtime.clock()
    with runtime.uow() as session:
        contact = _contact(session, channels, value)
        if contact is None or contact.erased_at is not None:
            return jsonify(known=False, address=value, open=None, circles=[], next=[], now=now.isoformat())
        return jsonify(known=True, address=value, now=now.isoformat(), **describe(session, contact, now))


def describe(session, contact: Contact, now: datetime) -> dict:
    """The panel's facts about ``contact`` at ``now``."""
    addresses = session.scalars(select(Address).where(Address.contact_id == contact.id).order_by(Address.id)).all()
    found = lock_and_load(session, addresses[0].channel, addresses[0].value, "", set(), now) if addresses else None
    loaded = found.loaded if found is not None else Loaded()
    circles = [
        {"code": e.circle.code, "name": e.circle.name, "status": e.status + (f" #{e.position}" if e.position else "")}
        for e in loaded.contact_view.enrollments
    ]
    if session.scalar(select(Facilitator.id).where(Facilitator.contact_id == contact.id)):
        led = session.scalars(
            select(Circle.code)
            .join(Facilitator, Facilitator.id == Circle.facilitator_id)
            .where(Facilitator.contact_id == contact.id)
        ).all()
        circles += [{"code": code, "name": "", "status": "facilitator"} for code in led]
    return {
        "name": contact.name,
        "language": contact.language,
        "channels": [
            {"channel": a.channel, "preferred": a.preferred, "stopped": a.opted_out_at is not None} for a in addresses
        ],
        "circles": circles,
        "open": _open_question(session, loaded),
        "next": _planned(session, contact.id, now),
    }


def _open_question(session, loaded) -> dict | None:
    """What a short reply answers now: the newest reminder, else the open conversation."""
    conversation = loaded.conversation
    if loaded.pending is not None and (
        conversation is None
        or loaded.pending_sent_at is None
        or conversation.updated_at is None
        or loaded.pending_sent_at >= conversation.updated_at
    ):
        meeting = session.get(Meeting, loaded.pending.meeting_id)
        seq = meeting.seq if meeting else "?"
        return {
            "what": f"the reminder of meeting {seq} of {loaded.pending.circle.code}: will you come?",
            "answers": "1 = yes, 2 = no (or YES / NO in the learner's language)",
            "until": meeting.ends_at.isoformat() if meeting else None,
        }
    if conversation is None:
        return None
    flow_state = conversation.state or {}
    flow = flow_state.get("flow") or conversation.flow
    what = FLOW_NAMES.get(flow, flow)
    answers = "a text"
    if flow == "checkin":
        what = f"the check-in after meeting {flow_state.get('seq')} of {flow_state.get('code')}: how did it go?"
        answers = ", ".join(f"{digit} = {word}" for digit, word in checkin.RATINGS.items())
    elif flow == "survey":
        what = f"the survey of {flow_state.get('code')}, question {flow_state.get('q', flow_state.get('i'))}"
        answers = "the answer its choices or scale ask for"
    elif flow == "signup":
        step = flow_state.get("step") or "ask_name"
        what = f"signing up to {flow_state.get('code')}: " + (
            "the learner's first name" if step == "ask_name" else "which language (a digit from the list)"
        )
        answers = "a name" if step == "ask_name" else "a digit of the language list"
    return {"what": what, "answers": answers, "until": conversation.expires_at.isoformat()}


def _planned(session, contact_id: int, now: datetime) -> list[dict]:
    rows = session.execute(
        select(Outbox.kind, Outbox.dedupe_key, Outbox.send_after, Outbox.channel)
        .where(Outbox.contact_id == contact_id, Outbox.status == outbox.PENDING)
        .order_by(Outbox.send_after, Outbox.id)
        .limit(NEXT_ROWS)
    ).all()
    return [
        {"label": demo.label(kind, key), "at": at.isoformat(), "channel": channel, "due": at <= now}
        for kind, key, at, channel in rows
    ]


@bp.post("/simulator/phone/reset")
def reset_phone():
    """Forgets this phone (or chat) as FORGET would, and clears its messages: it starts again as new."""
    if not request.is_json:
        abort(415, description="send JSON")
    runtime = _runtime()
    if runtime.settings.twilio_enabled:
        abort(403, description="reset is only for the simulator's own demo data")
    channels, value = _target()
    if value == demo.FACILITATOR_PHONE:
        abort(400, description="the facilitator's phone stays; Reset the demo starts everything again")
    now = runtime.clock()
    with demo.LOCK, runtime.uow() as session:
        contact = _contact(session, channels, value)
        if contact is not None:
            erase_contact(session, contact, now)
        wanted = [value] + ([f"whatsapp:{value}"] if "sms" in channels else [])
        session.execute(delete(Message).where(or_(*(Message.address == v for v in wanted))))
        session.commit()
    return jsonify(reset=True, address=value)
