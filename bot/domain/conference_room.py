"""A meeting's conference as the host sees it: who is on the line now, who is muted, and whether it was held.

Everything here is read from the stored conference events (``ConferenceEvent``) and the calls put into
the conference (``VoiceCall``); the host's actions themselves go through ``bot.outbound.conference_control``.
A meeting is *held* once its conference started: ``held_meeting`` keeps its start, end and how many calls
joined, recomputed from the events like attendance, so duplicates and reordering change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.domain import phone as phones
from bot.domain.enrollments import EnrollmentStatus
from bot.store.models import CallMute, ConferenceEvent, Contact, Enrollment, HeldMeeting, Meeting, VoiceCall

START, END, JOIN, LEAVE = "conference-start", "conference-end", "participant-join", "participant-leave"


@dataclass(frozen=True)
class Held:
    """A meeting whose conference started: when, when it ended (None while it runs), how many calls joined."""

    started_at: datetime
    ended_at: datetime | None
    callers: int


@dataclass(frozen=True)
class Line:
    """One call in the conference now."""

    call_sid: str
    name: str | None  # the learner's (or facilitator's) name; None for a caller the bot does not know
    masked: str | None  # the masked number of a caller the bot does not know
    joined_at: datetime
    facilitator: bool
    muted: bool
    contact_id: int | None = None


def record_held(session, meeting_id: int, now: datetime) -> None:
    """Writes the meeting's ``held_meeting`` row from its conference events, once a conference started.

    A host who calls again makes a second conference for the same meeting: the meeting started at the
    first start, ends at the last end (None while one still runs), and counts every call that joined.
    """
    events = session.execute(
        select(ConferenceEvent.conference_sid, ConferenceEvent.event, ConferenceEvent.call_sid, ConferenceEvent.at)
        .where(ConferenceEvent.meeting_id == meeting_id)
        .order_by(ConferenceEvent.at, ConferenceEvent.id)
    ).all()
    starts = [(at, sid) for sid, event, _call, at in events if event == START]
    if not starts:
        return
    conferences = {sid for _at, sid in starts}
    ended = {sid for sid, event, _call, _at in events if event == END}
    ends = [at for _sid, event, _call, at in events if event == END]
    row = session.scalar(select(HeldMeeting).where(HeldMeeting.meeting_id == meeting_id))
    if row is None:
        try:
            with session.begin_nested():
                row = HeldMeeting(meeting_id=meeting_id, conference_sid=min(starts)[1], started_at=min(starts)[0])
                row.updated_at = now
                session.add(row)
        except IntegrityError:  # another event of the same meeting made it first
            row = session.scalar(select(HeldMeeting).where(HeldMeeting.meeting_id == meeting_id))
    row.conference_sid, row.started_at = min(starts)[1], min(starts)[0]
    row.ended_at = max(ends) if ends and conferences <= ended else None
    row.callers = len({call for _sid, event, call, _at in events if event == JOIN and call})
    row.updated_at = now
    session.flush()


def held(session, meeting_ids: list[int]) -> dict[int, Held]:
    """The held meetings among ``meeting_ids``."""
    if not meeting_ids:
        return {}
    return {
        row.meeting_id: Held(row.started_at, row.ended_at, row.callers)
        for row in session.scalars(select(HeldMeeting).where(HeldMeeting.meeting_id.in_(meeting_ids)))
    }


def conference_sid(session, meeting_id: int) -> str | None:
    """The meeting's running conference (the latest one that has not ended), or None."""
    rows = session.execute(
        select(ConferenceEvent.conference_sid, ConferenceEvent.event, ConferenceEvent.at).where(
            ConferenceEvent.meeting_id == meeting_id
        )
    ).all()
    latest: dict[str, datetime] = {}
    ended = set()
    for sid, event, at in rows:
        latest[sid] = max(latest.get(sid, at), at)
        if event == END:
            ended.add(sid)
    running = [(at, sid) for sid, at in latest.items() if sid not in ended]
    return max(running)[1] if running else None


def on_the_line(session, meeting_id: int) -> list[Line]:
    """The calls in the meeting's running conference now, in the order they joined."""
    sid = conference_sid(session, meeting_id)
    if sid is None:
        return []
    last: dict[str, tuple[int, datetime, str]] = {}
    joined: dict[str, datetime] = {}
    for event, call_sid, at, sequence in session.execute(
        select(ConferenceEvent.event, ConferenceEvent.call_sid, ConferenceEvent.at, ConferenceEvent.sequence).where(
            ConferenceEvent.conference_sid == sid, ConferenceEvent.event.in_((JOIN, LEAVE))
        )
    ):
        if not call_sid:
            continue
        if event == JOIN:
            joined[call_sid] = min(joined.get(call_sid, at), at)
        if call_sid not in last or (sequence, at) > last[call_sid][:2]:
            last[call_sid] = (sequence, at, event)
    here = [s for s, (_seq, _at, event) in last.items() if event == JOIN]
    if not here:
        return []
    calls = {
        c.call_sid: (c, name)
        for c, name in session.execute(
            select(VoiceCall, Contact.name)
            .outerjoin(Contact, Contact.id == VoiceCall.contact_id)
            .where(VoiceCall.call_sid.in_(here))
        )
    }
    muted = set(session.scalars(select(CallMute.call_sid).where(CallMute.call_sid.in_(here), CallMute.muted.is_(True))))
    lines = []
    for call_sid in here:
        call, name = calls.get(call_sid, (None, None))
        lines.append(
            Line(
                call_sid,
                name if call is not None and call.contact_id else None,
                (call.caller if call is not None else None) or (None if call and call.contact_id else "unknown"),
                joined[call_sid],
                bool(call and call.facilitator),
                call_sid in muted,
                call.contact_id if call is not None else None,
            )
        )
    return sorted(lines, key=lambda line: (line.joined_at, line.call_sid))


def host_call(session, meeting_id: int, call_sid: str) -> VoiceCall | None:
    """The facilitator's call into this meeting (recognized by caller ID or PIN when it joined), else None."""
    call = session.scalar(select(VoiceCall).where(VoiceCall.call_sid == call_sid))
    if call is None or not call.facilitator or call.meeting_id != meeting_id:
        return None
    return call


def meeting_of_call(session, call_sid: str) -> VoiceCall | None:
    """The call put into a conference under ``call_sid``, if any."""
    return session.scalar(select(VoiceCall).where(VoiceCall.call_sid == call_sid))


def set_muted(session, meeting_id: int, call_sids: list[str], muted: bool, now: datetime) -> None:
    """Remembers that the facilitator muted (or unmuted) these calls; flushes."""
    for call_sid in call_sids:
        row = session.scalar(select(CallMute).where(CallMute.call_sid == call_sid))
        if row is None:
            row = CallMute(call_sid=call_sid, meeting_id=meeting_id, muted=muted, updated_at=now)
            session.add(row)
        row.muted, row.updated_at = muted, now
    session.flush()


def is_muted(session, call_sid: str) -> bool:
    """True when the facilitator muted this call (and has not unmuted it)."""
    return bool(session.scalar(select(CallMute.muted).where(CallMute.call_sid == call_sid)))


def live_meeting(session, circle_id: int, now: datetime, window) -> Meeting | None:
    """The circle's meeting whose call window (``window`` before its start to ``window`` after its end)
    holds ``now``, if it is not cancelled."""
    for meeting in session.scalars(
        select(Meeting).where(Meeting.circle_id == circle_id, Meeting.status != "cancelled").order_by(Meeting.starts_at)
    ):
        if meeting.starts_at - window <= now <= meeting.ends_at + window:
            return meeting
    return None


def roll_call(session, meeting: Meeting) -> list[tuple[int, str]]:
    """The circle's active learners not on the line now, by name, as the keypad roll call reads them."""
    on_line = {line.contact_id for line in on_the_line(session, meeting.id) if line.contact_id}
    return [
        (contact_id, name or "")
        for contact_id, name in session.execute(
            select(Contact.id, Contact.name)
            .join(Enrollment, Enrollment.contact_id == Contact.id)
            .where(
                Enrollment.circle_id == meeting.circle_id,
                Enrollment.status == EnrollmentStatus.ACTIVE,
                Contact.erased_at.is_(None),
            )
            .order_by(Contact.name, Contact.id)
        )
        if contact_id not in on_line
    ]


def masked(number: str | None) -> str:
    """A number as the pages and logs show it."""
    return phones.mask(number)


def record_held_for(session, conference_sid: str, now: datetime) -> None:
    """``record_held`` for the meeting a conference's events belong to (nothing when none does)."""
    meeting_id = session.scalar(
        select(ConferenceEvent.meeting_id)
        .where(ConferenceEvent.conference_sid == conference_sid, ConferenceEvent.meeting_id.is_not(None))
        .limit(1)
    )
    if meeting_id is not None:
        record_held(session, meeting_id, now)


def call_state(session, call_sid: str) -> tuple[bool, bool]:
    """(muted by the facilitator, on the line now) for one call; (False, False) for a call never put in a room."""
    call = meeting_of_call(session, call_sid)
    if call is None:
        return False, False
    line = next((x for x in on_the_line(session, call.meeting_id) if x.call_sid == call_sid), None)
    return (line.muted if line is not None else False), line is not None
