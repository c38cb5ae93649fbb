"""The voice pipeline: one service function per request of Twilio's voice and conference webhooks.

Like ``bot.inbound.service`` for texts, each takes plain values and the unit of work, does its
reading and writing in one transaction, and returns what the webhook renders as TwiML: a step of
the call flow (``flows.voice``), the conference room to join, or the replies a placed call speaks.
The keys a caller presses on a placed call go through ``handle_inbound`` exactly like a typed text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.domain import attendance, call_me, callers, conference_room
from bot.domain.callers import Room
from bot.inbound import voice_menu
from bot.inbound.service import handle_inbound
from bot.render import codec
from bot.store.models import Contact, Outbox
from flows import keys, languages, surveys
from flows import voice as call_flow
from flows import voice_menu as menu_flow
from flows.inbound import VOICE, Inbound
from flows.results import Reply


@dataclass(frozen=True)
class Spoken:
    """What a placed call says and asks by keypad (a reminder, a survey question, the next step)."""

    replies: tuple[Reply, ...]
    language: str
    action: str  # where the keys go ("" when nothing is asked)
    typed: str | None = None  # ``number`` or ``text``: a survey question answered without choices
    machine: bool = False  # a voicemail: the message without the keypad part


@dataclass(frozen=True)
class Answer:
    """The outcome of a placed call being answered: a step of the call flow (and its room), or speech."""

    step: call_flow.Step | None = None
    room: Room | None = None
    spoken: Spoken | None = None


def greet(uow, settings, number: str | None) -> call_flow.Step:
    """A call to the bot's number: the language menu, or (for a number the bot knows) the code prompt."""
    with uow() as session:
        who = callers.caller(session, number)
    default = settings.default_language
    known = (who.language or default) if who.contact_id else None  # a known number skips the menu
    return call_flow.start(known, languages.SHIPPED, default)


def gathered(
    uow, settings, call_sid: str, number: str | None, state: call_flow.CallState, digits: str, now: datetime
) -> tuple[call_flow.Step | menu_flow.Ask, Room | None]:
    """The keys a caller pressed: a language, a code (then the conference, recorded once, or for a caller who
    is not in the circle or not in a meeting, ``bot.inbound.voice_menu``), a retry or goodbye."""
    if state.step == call_flow.MENU:
        return call_flow.on_menu(state, digits, languages.SHIPPED), None
    with uow() as session:
        who = callers.caller(session, number)
        typed = callers.typed(session, digits, who, settings)
        step = call_flow.on_code(state, digits, typed, now)
        if typed is not None:  # a new caller is offered to join; a learner outside a meeting gets the menu
            offered = voice_menu.after_code(session, settings, who, number, state.lang, digits, now)
            if offered is not None:
                return offered, None
        if not isinstance(step, call_flow.Join):
            return step, None
        room = callers.join(session, call_sid, step.meeting_id, who, number, step.facilitator, now)
        session.commit()
    return step, room


def answered(uow, settings, call_sid: str, row_id: int, answered_by: str | None, now: datetime) -> Answer:
    """A call the bot placed was answered: CALL ME joins the conference; a reminder or survey is spoken."""
    with uow() as session:
        row = session.get(Outbox, row_id)
        if row is None or row.kind != call_me.KIND:
            return Answer(spoken=_spoken(session, settings, row, answered_by))
        step, room = call_me.answered(session, row_id, call_sid, answered_by, now)
        session.commit()
    return Answer(step=step, room=room)


def keypad(uow, settings, call_sid: str, row_id: int, step: int, said: str, now: datetime) -> Spoken | None:
    """Keys pressed on a placed call, already mapped to what they say (``1`` → ``YES``…): handled as a
    text from the call's address; None when there is no such call."""
    with uow() as session:
        address = session.scalar(select(Outbox.address).where(Outbox.id == row_id))
    if address is None:
        return None
    inbound = Inbound(channel=VOICE, address=address, text=said, provider_id=f"{call_sid}:{step}"[:64], received_at=now)
    handled = handle_inbound(uow, inbound, settings)
    return Spoken(
        handled.replies, handled.language, keypad_url(settings, row_id, step + 1), typed_kind(handled.replies)
    )


def call_ended(uow, row_id: int, status: str, answered_by: str | None, now: datetime) -> None:
    """A placed call ended: CALL ME not answered (or reaching voicemail) is tried once more later."""
    with uow() as session:
        call_me.ended(session, row_id, status, answered_by, now)
        session.commit()  # queues the retry's row


def conference_event(
    uow,
    conference_sid: str,
    room: str | None,
    event: str,
    call_sid: str,
    sequence: int,
    timestamp: str | None,
    now: datetime,
) -> None:
    """Stores a conference event once and updates the attendance of its calls."""
    with uow() as session:
        if attendance.record_event(
            session, conference_sid, room, event, call_sid, sequence, attendance.parse_timestamp(timestamp, now), now
        ):
            conference_room.record_held_for(session, conference_sid, now)  # a started conference: held
        session.commit()


def keypad_url(settings, row_id: int, step: int) -> str:
    """Where the keys pressed during a call the bot placed go (one step per question)."""
    return f"{settings.public_base_url}/twilio/voice/keypad?row={row_id}&n={step}&stop=star"


# A survey question's message key → its kind (``number``, ``text``…): how a call gathers the answer.
QUESTION_KINDS = {
    question.text: question.kind for survey in (surveys.LEARNER, surveys.FACILITATOR) for question in survey.questions
}


def typed_kind(replies) -> str | None:
    """``number`` or ``text`` when the last reply asks a survey question answered without choices."""
    if not replies or replies[-1].choices is not None:
        return None
    kind = QUESTION_KINDS.get(replies[-1].key)
    return kind if kind in ("number", "text") else None


def _spoken(session, settings, row: Outbox | None, answered_by: str | None) -> Spoken:
    """A placed call that is not a CALL ME (a reminder, a survey question), on answer."""
    if row is None or row.replies is None:
        return Spoken((Reply(keys.VOICE_GOODBYE),), languages.DEFAULT, "", machine=True)
    contact = session.get(Contact, row.contact_id) if row.contact_id else None
    lang = (contact.language if contact else None) or row.language or languages.DEFAULT
    replies = codec.load(row.replies)
    if call_me.first_call_added_by_facilitator(session, row):
        replies = (Reply(keys.VOICE_HOW_TO_STOP), *replies)
    machine = bool(answered_by and answered_by.startswith("machine"))
    return Spoken(replies, lang, keypad_url(settings, row.id, 1), typed_kind(replies), machine)
