"""Creating and reading circles (the CLI and the demo use these)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.domain import outbox
from bot.domain import phone as phones
from bot.domain.circle_views import (  # noqa: F401  (what the CLI and pages read, kept importable from here)
    MONTH_NAMES,
    WEEKDAY_NAMES,
    counts,
    listing,
    local_date,
    local_time,
    plural,
    summary,
)
from bot.domain.contacts import PHONE_CHANNELS, ConsentSource, make_with_phone
from bot.domain.enrollments import EnrollmentStatus
from bot.domain.planning.reminders import plan
from bot.domain.schedule import WEEKDAYS, MeetingStatus, weekly_meetings, zone
from bot.settings import SHIPPED_LOCALES
from bot.store.models import Address, Circle, Facilitator, Meeting, Outbox
from flows import dates

CAPACITY_MAX = 500  # the most places a circle can have

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
CODE_PATTERN = re.compile(r"^[A-Z0-9]{3,8}$")
NAME_MAX, VENUE_MAX = 40, 40
# What ``circle edit`` may change; the schedule changes one meeting at a time (``meeting move``), or as a
# whole on the facilitator pages (``bot.domain.meetings.reschedule``).
EDITABLE = ("name", "venue", "course", "course_url", "city", "postal_code", "language", "capacity", "facilitator_phone")


class CircleError(ValueError):
    """A circle that cannot be created or changed as asked. ``reason`` is a short code that a page turns
    into words in the facilitator's language (None: the message is all there is)."""

    def __init__(self, message: str, reason: str | None = None):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class NewCircle:
    """What ``circlebot circle create`` asks for."""

    name: str
    venue: str
    weekday: int
    start_time: time
    timezone: str
    starts: date
    weeks: int
    language: str
    facilitator_phone: str
    capacity: int = 12
    city: str | None = None
    postal_code: str | None = None
    course: str | None = None
    code: str | None = None
    course_url: str | None = None
    # The facilitator pages create a circle for the signed-in facilitator (who may have no phone).
    facilitator_id: int | None = None
    # ``circle import`` without --facilitator-phone: the circle has no facilitator until ``circle edit`` sets one.
    without_facilitator: bool = False


def create_circle(session: Session, new: NewCircle, now: datetime, region: str = phones.DEFAULT_REGION) -> Circle:
    """Validates ``new``, creates the circle with its meetings, and flushes (no commit).

    Args:
        session: the unit of work's session.
        new: what was asked for.
        now: the current time (UTC).
        region: the region for a facilitator phone typed without a country code (``DEFAULT_REGION``).
    """
    _check_fields(new.name, new.venue, new.language, new.capacity)
    if not 1 <= new.weeks <= 52:
        raise CircleError("weeks must be between 1 and 52")
    zone(new.timezone)
    facilitator: Facilitator | None
    if new.facilitator_id is not None:
        facilitator = session.get(Facilitator, new.facilitator_id)
    elif new.without_facilitator:
        facilitator = None
    else:
        facilitator = facilitator_for(session, _phone(new.facilitator_phone, region), now)
    code = (new.code or "").strip().upper() or _fresh_code(session)
    if not CODE_PATTERN.match(code):
        raise CircleError("a code is 3 to 8 letters or digits")
    if session.scalar(select(Circle.id).where(Circle.code == code)) is not None:
        raise CircleError(
            f"the code {code} is taken by another circle; choose another --code, or leave it out for a new random one"
        )

    circle = Circle(
        code=code,
        phone_code=_fresh_phone_code(session),
        name=new.name.strip(),
        venue=new.venue.strip(),
        course=new.course,
        course_url=new.course_url,
        city=new.city,
        postal_code=new.postal_code,
        language=new.language,
        timezone=new.timezone,
        capacity=new.capacity,
        weekday=new.weekday,
        start_time=new.start_time,
        starts_on=new.starts,
        weeks=new.weeks,
        facilitator=facilitator,
        created_at=now,
        facilitator_pin=f"{secrets.randbelow(9000) + 1000}",
    )
    session.add(circle)
    for seq, (start, end) in enumerate(
        weekly_meetings(new.starts, new.weekday, new.start_time, new.timezone, new.weeks), start=1
    ):
        session.add(Meeting(circle=circle, seq=seq, starts_at=start, ends_at=end, status=MeetingStatus.SCHEDULED))
    session.flush()
    return circle


def facilitator_for(session: Session, phone: str, now: datetime) -> Facilitator:
    """The facilitator reached at E.164 ``phone`` (a contact with an SMS address), made if new.

    The one place facilitators are made from a phone number.
    """

    contact = make_with_phone(session, phone, now, source=ConsentSource.FACILITATOR)
    facilitator = session.scalar(select(Facilitator).where(Facilitator.contact_id == contact.id))
    if facilitator is None:
        facilitator = Facilitator(contact_id=contact.id, created_at=now)
        session.add(facilitator)
        session.flush()
    return facilitator


def facilitator_phone(session: Session, facilitator: Facilitator | None) -> str | None:
    """The facilitator's phone number (their first phone address), for staff-facing output."""

    if facilitator is None or facilitator.contact_id is None:
        return None
    return session.scalar(
        select(Address.value)
        .where(Address.contact_id == facilitator.contact_id, Address.channel.in_(PHONE_CHANNELS))
        .order_by(Address.id)
    )


def check_start(new: NewCircle, now: datetime) -> datetime:
    """Checks the start a person typed and returns the first meeting's start (UTC).

    Raises:
        CircleError: the start date is in the past, the first meeting would already have begun,
            or the start date is not on the meeting weekday (the message names the date it would be).
    """
    return check_first(new.starts, new.weekday, new.start_time, new.timezone, now)


def check_first(starts: date, weekday: int, at: time, tz_name: str, now: datetime) -> datetime:
    """``check_start`` for a schedule given field by field (creating a circle, or re-planning one not begun)."""
    tz = zone(tz_name)
    today = now.astimezone(tz).date()
    if starts < today:
        raise CircleError(
            f"the start date {starts.isoformat()} ({local_date(starts)}) is in the past; "
            f"today is {local_date(today)} in {tz_name}",
            "past",
        )
    if dates.too_far(starts, today):  # a typo like 9999-12-28 is not a circle (and could not be computed)
        raise CircleError(
            f"the start date {starts.isoformat()} is too far ahead: a circle can start any time in the next ten years",
            "too_far",
        )
    if starts.weekday() != weekday:
        first = starts + timedelta(days=(weekday - starts.weekday()) % 7)
        raise CircleError(
            f"the start date {starts.isoformat()} is a {WEEKDAY_NAMES[starts.weekday()]}, but the circle "
            f"meets on {WEEKDAY_NAMES[weekday]}s, so the first meeting would be {local_date(first)}. "
            f"Use --starts {first.isoformat()}, or --weekday {WEEKDAYS[starts.weekday()]}",
            "weekday",
        )
    first_start = weekly_meetings(starts, weekday, at, tz_name, 1)[0][0]
    if first_start <= now:
        raise CircleError(
            f"the first meeting, {local_time(first_start, tz_name)}, has already begun; "
            "choose a later --starts date or --time",
            "begun",
        )
    return first_start


def next_weekday(weekday: int, tz_name: str, now: datetime) -> date:
    """The first date on or after today (in ``tz_name``) that falls on ``weekday`` (0 = Monday)."""
    today = now.astimezone(zone(tz_name)).date()
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _check_fields(name: str, venue: str, language: str, capacity: int) -> None:
    if not name.strip() or len(name) > NAME_MAX:
        raise CircleError(f"the name must be 1 to {NAME_MAX} characters (learners see it in every text)")
    if not venue.strip() or len(venue) > VENUE_MAX:
        raise CircleError(f"the venue must be 1 to {VENUE_MAX} characters (learners see it in every text)")
    if language not in SHIPPED_LOCALES:
        raise CircleError(f"language must be one of {', '.join(SHIPPED_LOCALES)}")
    if not 1 <= capacity <= CAPACITY_MAX:
        raise CircleError(f"capacity must be between 1 and {CAPACITY_MAX}")


def _phone(raw: str, region: str) -> str:
    try:
        return phones.parse(raw, region)
    except phones.PhoneError as exc:
        raise CircleError(f"facilitator phone: {exc}") from exc


def _fresh_code(session: Session) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(4))
        if session.scalar(select(Circle.id).where(Circle.code == code)) is None:
            return code


def _fresh_phone_code(session: Session) -> str:
    while True:
        digits = f"{secrets.randbelow(900000) + 100000}"
        if session.scalar(select(Circle.id).where(Circle.phone_code == digits)) is None:
            return digits


def find(session: Session, code: str) -> Circle | None:
    """Returns the circle with ``code`` (any letter case), or None."""
    return session.scalar(select(Circle).where(Circle.code == code.strip().upper()))


def edit_circle(
    session: Session, circle: Circle, changes: dict, now: datetime, region: str = phones.DEFAULT_REGION
) -> list[str]:
    """Changes the fields in ``changes`` (names from ``EDITABLE``; None means unchanged) and flushes.

    Returns:
        The names of the fields that really changed.

    Raises:
        CircleError: a value cannot be used, or the capacity is below the learners already enrolled.
    """
    wanted = {k: v for k, v in changes.items() if v is not None}
    unknown = set(wanted) - set(EDITABLE)
    if unknown:
        raise CircleError(f"these cannot be edited: {', '.join(sorted(unknown))}")
    name, venue = wanted.get("name", circle.name), wanted.get("venue", circle.venue)
    language, capacity = wanted.get("language", circle.language), wanted.get("capacity", circle.capacity)
    _check_fields(name, venue, language, capacity)
    enrolled = counts(session, circle.id).get(EnrollmentStatus.ACTIVE, 0)
    if capacity < enrolled:
        raise CircleError(
            f"{plural(enrolled, 'learner is', 'learners are')} enrolled already; "
            f"the capacity cannot go below {enrolled}",
            "capacity_below",
        )
    changed = []
    if "facilitator_phone" in wanted:
        facilitator = facilitator_for(session, _phone(wanted.pop("facilitator_phone"), region), now)
        if circle.facilitator is not facilitator:
            circle.facilitator = facilitator
            changed.append("facilitator_phone")
    for key, value in wanted.items():
        value = value.strip() if isinstance(value, str) else value
        if getattr(circle, key) != value:
            setattr(circle, key, value)
            changed.append(key)
    session.flush()
    return sorted(changed, key=EDITABLE.index)


def archive(session: Session, circle: Circle, now: datetime) -> None:
    """Archives a circle that has no meeting ahead: it leaves ``circle list`` and FIND, its data stays.

    Raises:
        CircleError: a meeting that is not cancelled is still ahead (learners would still be reminded).
    """
    ahead = [m for m in circle.meetings if m.status != MeetingStatus.CANCELLED and m.ends_at > now]
    if ahead:
        raise CircleError(
            f"{circle.code} still has {plural(len(ahead), 'meeting', 'meetings')} ahead (the next is "
            f"{local_time(ahead[0].starts_at, circle.timezone)}), and its learners would still be reminded. "
            f"Archive it after the last meeting, or cancel those first: circlebot meeting cancel {circle.code} "
            f"{ahead[0].seq}"
        )
    if circle.archived_at is None:
        circle.archived_at = now
        session.flush()


def unarchive(session: Session, circle: Circle) -> None:
    """Brings an archived circle back into ``circle list`` and FIND."""
    circle.archived_at = None
    session.flush()


def restore_meeting(session: Session, settings, circle: Circle, seq: int, now: datetime) -> tuple[Meeting, list]:
    """Puts a cancelled meeting back at its time and plans its reminder and tally again.

    The reminders that the cancellation withdrew, and the "cancelled" notices already sent, are
    renamed out of the way of their dedupe keys: the reminder goes out again, and a later
    cancellation is told again.

    Returns:
        The meeting, and the outbox rows planned now (to queue after the commit).

    Raises:
        CircleError: there is no such meeting, it is not cancelled, or its time has passed.
    """
    meeting = session.scalar(select(Meeting).where(Meeting.circle_id == circle.id, Meeting.seq == seq))
    if meeting is None:
        raise CircleError(f"{circle.code} has no meeting {seq} (it has {len(circle.meetings)})")
    if meeting.status != MeetingStatus.CANCELLED:
        raise CircleError(f"meeting {seq} of {circle.code} is not cancelled (it is {meeting.status})")
    if meeting.starts_at <= now:
        raise CircleError(
            f"meeting {seq} of {circle.code} was {local_time(meeting.starts_at, circle.timezone)}, "
            "which has passed; nothing to restore"
        )
    series = weekly_meetings(circle.starts_on, circle.weekday, circle.start_time, circle.timezone, seq)[-1][0]
    meeting.status = MeetingStatus.SCHEDULED if meeting.starts_at == series else MeetingStatus.MOVED
    stamp = f":restored{now:%Y%m%dT%H%M%S%f}"
    session.execute(
        update(Outbox)
        .where(
            Outbox.meeting_id == meeting.id,
            Outbox.status == outbox.CANCELLED,
            Outbox.kind.in_(outbox.ABOUT_MEETING),
            Outbox.sent_at.is_(None),
            ~Outbox.dedupe_key.contains(":restored"),
        )
        .values(dedupe_key=Outbox.dedupe_key + stamp)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Outbox)
        .where(
            Outbox.meeting_id == meeting.id,
            Outbox.dedupe_key.like(f"cancelled:{meeting.id}:%"),
            ~Outbox.dedupe_key.contains(":restored"),
        )
        .values(dedupe_key=Outbox.dedupe_key + stamp)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return meeting, plan(session, settings, now, meeting_id=meeting.id)
