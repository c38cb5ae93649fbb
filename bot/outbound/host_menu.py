"""The facilitator's host menu (issue 26): one service function per request of ``webhooks/twilio_host.py``.

Each checks that the call is the facilitator's call into *this* meeting (recognized by caller ID or PIN
when it joined: ``VoiceCall.facilitator``); any other call gets ``None`` and the webhook answers 403.
The decisions are in ``flows/host_menu.py``; the conference actions go through
``bot.outbound.conference_control``, the same functions the live panel uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.domain import attendance, conference_room
from bot.domain.callers import Room
from bot.outbound import conference_control as control
from bot.store.models import Circle, Enrollment, Meeting
from flows import host_menu, keys
from flows.results import Reply

MENU, CONFIRM, BACK, ROLL, ENDED, HUNG_UP = "menu", "confirm", "back", "roll", "ended", "hung_up"
FINISHED = ("completed", "canceled", "busy", "failed", "no-answer")  # the facilitator's own call is over


@dataclass(frozen=True)
class HostAnswer:
    """What the facilitator hears next: ``kind`` is menu, confirm, back (into ``room``), roll (asking about
    contact ``ask``), ended or hung_up; ``replies`` are said first."""

    kind: str
    room: Room | None = None
    replies: tuple[Reply, ...] = ()
    ask: int | None = None
    here: int = 0


def _room(session, meeting_id: int, call_sid: str) -> tuple[Meeting, Room] | None:
    """The meeting and its room when ``call_sid`` is its facilitator's call, else None."""
    if conference_room.host_call(session, meeting_id, call_sid) is None:
        return None
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.room is None:
        return None
    circle = session.get(Circle, meeting.circle_id)
    facilitators = 1 if circle.facilitator_id is not None else 0
    return meeting, Room(meeting.room, max(2, min(250, circle.capacity + facilitators)))


def stepped_out(uow, settings, meeting_id: int, call_sid: str, call_status: str, now: datetime) -> HostAnswer | None:
    """The facilitator's ``<Dial>`` ended: ``*`` opens the menu; their hanging up ends the meeting for all."""
    with uow() as session:
        found = _room(session, meeting_id, call_sid)
        running = conference_room.conference_sid(session, meeting_id) if found else None
    if found is None:
        return None
    if call_status in FINISHED:
        if running is not None:
            control.end(uow, settings, meeting_id, now)
        return HostAnswer(HUNG_UP)
    if running is None:
        return HostAnswer(ENDED)
    return HostAnswer(MENU, found[1])


def pressed(
    uow, settings, meeting_id: int, call_sid: str, digits: str, confirming: bool, now: datetime
) -> HostAnswer | None:
    """A key in the host menu: names on the line, mute or unmute everyone, the roll call, or the end."""
    with uow() as session:
        found = _room(session, meeting_id, call_sid)
        if found is None:
            return None
        meeting, room = found
        learners = [line for line in conference_room.on_the_line(session, meeting_id) if not line.facilitator]
        roll = conference_room.roll_call(session, meeting)
    action = host_menu.choose(digits, confirming)
    if action == host_menu.WHO:
        said = host_menu.who_is_on([host_menu.Caller(line.name) for line in learners])
        return HostAnswer(BACK, room, said)
    if action in (host_menu.MUTE_ALL, host_menu.UNMUTE_ALL):
        mute = action == host_menu.MUTE_ALL
        outcome = control.mute_everyone(uow, settings, meeting_id, mute, now)
        if outcome.status == control.FAILED:
            return HostAnswer(BACK, room, (Reply(keys.VOICE_HOST_FAILED),))
        return HostAnswer(BACK, room, (host_menu.muted(outcome.count, mute),))
    if action == host_menu.ROLL_CALL:
        return _roll_step(room, roll, None, 0)
    if action == host_menu.CONFIRM_END:
        return HostAnswer(CONFIRM, room)
    if action == host_menu.END:
        outcome = control.end(uow, settings, meeting_id, now)
        if outcome.status == control.FAILED:
            return HostAnswer(BACK, room, (Reply(keys.VOICE_HOST_FAILED),))
        return HostAnswer(ENDED)
    return HostAnswer(BACK, room)


def roll_answered(
    uow, settings, meeting_id: int, call_sid: str, contact_id: int, here: int, digits: str, now: datetime
) -> HostAnswer | None:
    """One roll-call key: 1 marks the learner here in person (as HERE does), 2 goes on, else back."""
    with uow() as session:
        found = _room(session, meeting_id, call_sid)
        if found is None:
            return None
        meeting, room = found
        answer = host_menu.roll_answer(digits)
        if answer is None:
            return HostAnswer(BACK, room)
        learner = session.scalar(
            select(Enrollment.id).where(
                Enrollment.circle_id == meeting.circle_id,
                Enrollment.contact_id == contact_id,
                Enrollment.status == "active",
            )
        )
        if answer and learner is not None:
            attendance.record_in_person(session, meeting_id, [contact_id], now)
            here += 1
        roll = conference_room.roll_call(session, meeting)
        session.commit()
    return _roll_step(room, roll, contact_id, here)


def _roll_step(room: Room, roll: list[tuple[int, str]], after: int | None, here: int) -> HostAnswer:
    step = host_menu.roll_next(roll, after, here)
    if step.ask is None:
        return HostAnswer(BACK, room, step.replies, here=here)
    return HostAnswer(ROLL, room, step.replies, ask=step.ask[0], here=here)
