"""Calls to the bot's number: who is calling, which circle a typed code opens, and the conference room.

The decisions are in ``flows/voice.py``; this module reads and writes the database for them.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.domain import phone as phones
from bot.domain.contacts import PHONE_CHANNELS
from bot.settings import parse_duration
from bot.store.models import Address, Circle, Contact, Facilitator, Meeting, VoiceCall
from flows import voice as call_flow

log = logging.getLogger(__name__)
DEFAULT_CALL_WINDOW = "15m"
ROOM_PREFIX = "room-"


@dataclass(frozen=True)
class Caller:
    """The person behind a calling number, when the bot knows them."""

    contact_id: int | None
    language: str | None
    facilitator_id: int | None


def call_window(settings) -> timedelta:
    """How early before a meeting (and how long after it) a call gets in: ``CALL_WINDOW``, default 15m."""
    return parse_duration(str(settings.extra.get("CALL_WINDOW") or DEFAULT_CALL_WINDOW))


def caller(session, number: str | None) -> Caller:
    """The contact whose phone (any phone channel) is ``number``; an empty ``Caller`` for a stranger."""
    if not number:
        return Caller(None, None, None)
    row = session.execute(
        select(Contact.id, Contact.language)
        .join(Address, Address.contact_id == Contact.id)
        .where(Address.value == number, Address.channel.in_(PHONE_CHANNELS), Contact.erased_at.is_(None))
        .order_by(Address.id)
        .limit(1)
    ).first()
    if row is None:
        return Caller(None, None, None)
    facilitator_id = session.scalar(select(Facilitator.id).where(Facilitator.contact_id == row.id))
    return Caller(row.id, row.language, facilitator_id)


def typed(session, digits: str, who: Caller, settings) -> call_flow.Typed | None:
    """The circle behind a typed phone code (None when no circle has it), as the call flow needs it."""
    code, _pin = call_flow.split_code(digits)
    if not code:
        return None
    circle = session.scalar(select(Circle).where(Circle.phone_code == code, Circle.archived_at.is_(None)))
    if circle is None:
        return None
    window = call_window(settings)
    meetings = tuple(call_flow.MeetingSlot(m.id, m.starts_at, m.ends_at, m.status) for m in circle.meetings)
    return call_flow.Typed(
        circle=circle.name,
        timezone=circle.timezone,
        meetings=meetings,
        caller_is_facilitator=who.facilitator_id is not None and who.facilitator_id == circle.facilitator_id,
        pin=circle.facilitator_pin,
        early=window,
        late=window,
    )


@dataclass(frozen=True)
class Room:
    """The conference a call joins: its opaque name and how many may be in it."""

    name: str
    max_participants: int


def join(
    session, call_sid: str, meeting_id: int, who: Caller, number: str | None, facilitator: bool, now: datetime
) -> Room:
    """Records the call (once per CallSid) so conference events know who it is, and returns the room."""
    meeting = session.execute(select(Meeting).where(Meeting.id == meeting_id).with_for_update()).scalar_one()
    if meeting.room is None:  # the first call in makes the room; the row lock keeps it one room
        meeting.room = ROOM_PREFIX + secrets.token_hex(8)
        session.flush()
    if session.scalar(select(VoiceCall.id).where(VoiceCall.call_sid == call_sid)) is None:
        try:
            with session.begin_nested():
                session.add(
                    VoiceCall(
                        call_sid=call_sid,
                        meeting_id=meeting.id,
                        contact_id=who.contact_id,
                        caller=None if who.contact_id else phones.mask(number),
                        facilitator=facilitator,
                        created_at=now,
                    )
                )
        except IntegrityError:
            pass
    circle = session.get(Circle, meeting.circle_id)
    facilitators = 1 if circle.facilitator_id is not None else 0
    log.info(
        "call %s from %s joins meeting %s as %s",
        call_sid,
        phones.mask(number),
        meeting.id,
        "facilitator" if facilitator else "learner",
    )
    return Room(meeting.room, max(2, min(250, circle.capacity + facilitators)))
