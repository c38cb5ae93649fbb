"""Attendance: conference events become one row per call; the facilitator adds who came in person.

Every conference event is stored once (``conference_event``); a call's row is then computed again
from all of its conference's events (``flows.voice.attendance``), so duplicates, reordering and a
leave with no join all end in the same row.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from bot.store.models import Attendance, ConferenceEvent, Meeting, VoiceCall
from flows import voice as call_flow

log = logging.getLogger(__name__)
PHONE, IN_PERSON = "phone", "in_person"
# A row counts as attendance when the person was there in person, or spent time in the running call.
COUNTED = or_(Attendance.source == IN_PERSON, Attendance.seconds > 0)
EVENTS = ("participant-join", "participant-leave", "conference-start", "conference-end")


def parse_timestamp(raw: str | None, fallback: datetime) -> datetime:
    """Twilio's RFC 2822 ``Timestamp`` (``Wed, 02 Dec 2026 00:00:11 +0000``) in UTC, else ``fallback``.

    A time that has no UTC equivalent (``Fri, 31 Dec 9999 23:59:59 -2359`` is in the year 10000 in UTC)
    is ``fallback`` too: storing it failed with a 503.
    """
    try:
        parsed = parsedate_to_datetime(raw) if raw else None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed.astimezone(timezone.utc)
    except (TypeError, ValueError, OverflowError):
        pass
    return fallback


def record_event(
    session,
    conference_sid: str,
    room: str | None,
    event: str,
    call_sid: str,
    sequence: int,
    at: datetime,
    now: datetime,
) -> bool:
    """Stores one conference event (once) and recomputes its conference's attendance; flushes.

    Returns False for an event that changes nothing (a replay, or an event this does not track).
    """
    if event not in EVENTS:
        return False
    meeting_id = session.scalar(select(Meeting.id).where(Meeting.room == room)) if room else None
    if meeting_id is None:
        meeting_id = session.scalar(
            select(ConferenceEvent.meeting_id)
            .where(ConferenceEvent.conference_sid == conference_sid, ConferenceEvent.meeting_id.is_not(None))
            .limit(1)
        )
    exists = select(ConferenceEvent.id).where(
        ConferenceEvent.conference_sid == conference_sid,
        ConferenceEvent.event == event,
        ConferenceEvent.call_sid == call_sid,
        ConferenceEvent.sequence == sequence,
    )
    if session.scalar(exists) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(
                ConferenceEvent(
                    conference_sid=conference_sid,
                    meeting_id=meeting_id,
                    event=event,
                    call_sid=call_sid,
                    sequence=sequence,
                    at=at,
                    created_at=now,
                )
            )
    except IntegrityError:
        return False
    if meeting_id is not None:
        recompute(session, conference_sid, meeting_id, now)
    return True


def recompute(session, conference_sid: str, meeting_id: int, now: datetime) -> None:
    """Writes each call's attendance row from every stored event of the conference."""
    events = [
        call_flow.ConferenceEventView(e.event, e.call_sid, e.at, e.sequence)
        for e in session.scalars(select(ConferenceEvent).where(ConferenceEvent.conference_sid == conference_sid))
    ]
    for sid, span in call_flow.attendance(events).items():
        call = session.scalar(select(VoiceCall).where(VoiceCall.call_sid == sid))
        row = session.scalar(
            select(Attendance).where(
                Attendance.meeting_id == meeting_id, Attendance.source == PHONE, Attendance.ref == sid
            )
        )
        if row is None:
            row = Attendance(
                meeting_id=meeting_id,
                source=PHONE,
                ref=sid,
                created_at=now,
                contact_id=call.contact_id if call else None,
                caller=(call.caller if call else None) or (None if call and call.contact_id else "unknown"),
                facilitator=bool(call and call.facilitator),
            )
            session.add(row)
        row.joined_at, row.left_at, row.seconds, row.updated_at = span.joined_at, span.left_at, span.seconds, now
    session.flush()


def record_in_person(session, meeting_id: int, contact_ids: list[int], now: datetime) -> int:
    """Marks learners present in person (the facilitator's HERE); returns how many were new."""
    added = 0
    for contact_id in contact_ids:
        ref = f"contact:{contact_id}"
        if session.scalar(
            select(Attendance.id).where(
                Attendance.meeting_id == meeting_id, Attendance.source == IN_PERSON, Attendance.ref == ref
            )
        ):
            continue
        session.add(
            Attendance(
                meeting_id=meeting_id, contact_id=contact_id, source=IN_PERSON, ref=ref, created_at=now, updated_at=now
            )
        )
        added += 1
    session.flush()
    return added


def attended_counts(session, meeting_ids: list[int]) -> dict[int, int]:
    """How many people attended each meeting, learners only: each contact once (phone or in person),
    plus each unknown caller's call that spent time in the conference."""
    if not meeting_ids:
        return {}
    counts: dict[int, int] = {}
    known = session.execute(
        select(Attendance.meeting_id, func.count(func.distinct(Attendance.contact_id)))
        .where(
            Attendance.meeting_id.in_(meeting_ids),
            Attendance.contact_id.is_not(None),
            Attendance.facilitator.is_(False),
            COUNTED,
        )
        .group_by(Attendance.meeting_id)
    )
    for meeting_id, n in known:
        counts[meeting_id] = counts.get(meeting_id, 0) + n
    unknown = session.execute(
        select(Attendance.meeting_id, func.count())
        .where(
            Attendance.meeting_id.in_(meeting_ids),
            Attendance.contact_id.is_(None),
            Attendance.facilitator.is_(False),
            Attendance.seconds > 0,
        )
        .group_by(Attendance.meeting_id)
    )
    for meeting_id, n in unknown:
        counts[meeting_id] = counts.get(meeting_id, 0) + n
    return counts


def attendees(session, meeting_ids: list[int]) -> set[tuple[int, int]]:
    """The (meeting, contact) pairs of learners who attended, by phone or in person."""
    if not meeting_ids:
        return set()
    return {
        (m, c)
        for m, c in session.execute(
            select(Attendance.meeting_id, Attendance.contact_id).where(
                Attendance.meeting_id.in_(meeting_ids),
                Attendance.contact_id.is_not(None),
                Attendance.facilitator.is_(False),
                COUNTED,
            )
        )
    }


def how_attended(session, meeting_ids: list[int]) -> dict[tuple[int, int], str]:
    """``(contact, meeting)`` → ``phone``, ``in person`` or ``phone + in person`` (the export's cells)."""
    found: dict[tuple[int, int], set[str]] = {}
    if meeting_ids:
        for meeting_id, contact_id, source in session.execute(
            select(Attendance.meeting_id, Attendance.contact_id, Attendance.source).where(
                Attendance.meeting_id.in_(meeting_ids), Attendance.contact_id.is_not(None), COUNTED
            )
        ):
            found.setdefault((contact_id, meeting_id), set()).add(source)
    words = {PHONE: "phone", IN_PERSON: "in person"}
    return {key: " + ".join(words[s] for s in (PHONE, IN_PERSON) if s in sources) for key, sources in found.items()}


def in_person(session, meeting_id: int) -> set[int]:
    """The contacts marked present in person at the meeting (by HERE or on the page)."""
    return set(
        session.scalars(
            select(Attendance.contact_id).where(
                Attendance.meeting_id == meeting_id, Attendance.source == IN_PERSON, Attendance.contact_id.is_not(None)
            )
        )
    )


def mark_in_person(session, meeting_id: int, listed: list[int], came: list[int], now: datetime) -> tuple[int, int]:
    """The attendance page: of the ``listed`` learners, those in ``came`` are marked present in person (the
    same records HERE writes) and the others' in-person marks are taken back (phone calls stay).

    Returns:
        How many were marked now and how many marks were taken back.
    """
    came = [c for c in came if c in listed]
    gone = [c for c in listed if c not in came]
    removed = 0
    if gone:
        rows = session.scalars(
            select(Attendance).where(
                Attendance.meeting_id == meeting_id,
                Attendance.source == IN_PERSON,
                Attendance.ref.in_([f"contact:{c}" for c in gone]),
            )
        ).all()
        for row in rows:
            session.delete(row)
        removed = len(rows)
        session.flush()
    return record_in_person(session, meeting_id, came, now), removed
