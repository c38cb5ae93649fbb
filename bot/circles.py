"""Creating and reading circles (the CLI and the demo use these)."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import phone as phones
from bot.models import Circle, Enrollment, Facilitator, Meeting, Rsvp
from bot.schedule import iso_utc, weekly_meetings, zone
from bot.settings import SHIPPED_LOCALES

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
CODE_PATTERN = re.compile(r"^[A-Z0-9]{3,8}$")
NAME_MAX, VENUE_MAX = 40, 40


class CircleError(ValueError):
    """A circle that cannot be created as asked."""


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


def create_circle(session: Session, new: NewCircle, now: datetime) -> Circle:
    """Validates ``new``, creates the circle with its meetings, and flushes (no commit)."""
    if not new.name.strip() or len(new.name) > NAME_MAX:
        raise CircleError(f"the name must be 1 to {NAME_MAX} characters")
    if not new.venue.strip() or len(new.venue) > VENUE_MAX:
        raise CircleError(f"the venue must be 1 to {VENUE_MAX} characters")
    if new.language not in SHIPPED_LOCALES:
        raise CircleError(f"language must be one of {', '.join(SHIPPED_LOCALES)}")
    if not 1 <= new.weeks <= 52:
        raise CircleError("weeks must be between 1 and 52")
    if not 1 <= new.capacity <= 500:
        raise CircleError("capacity must be between 1 and 500")
    zone(new.timezone)
    facilitator_phone = phones.to_e164(new.facilitator_phone)
    if facilitator_phone is None:
        raise CircleError(f"not a phone number in E.164 form: {new.facilitator_phone}")
    code = (new.code or "").strip().upper() or _fresh_code(session)
    if not CODE_PATTERN.match(code):
        raise CircleError("a code is 3 to 8 letters or digits")
    if session.scalar(select(Circle.id).where(Circle.code == code)) is not None:
        raise CircleError(f"the code {code} is taken")

    facilitator = facilitator_for_phone(session, facilitator_phone, now)
    circle = Circle(
        code=code, phone_code=_fresh_phone_code(session), name=new.name.strip(), venue=new.venue.strip(),
        course=new.course, city=new.city, postal_code=new.postal_code, language=new.language,
        timezone=new.timezone, capacity=new.capacity, weekday=new.weekday, start_time=new.start_time,
        starts_on=new.starts, weeks=new.weeks, facilitator=facilitator, created_at=now,
    )
    session.add(circle)
    for seq, (start, end) in enumerate(
        weekly_meetings(new.starts, new.weekday, new.start_time, new.timezone, new.weeks), start=1
    ):
        session.add(Meeting(circle=circle, seq=seq, starts_at=start, ends_at=end, status="scheduled"))
    session.flush()
    return circle


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


def counts(session: Session, circle_id: int) -> dict[str, int]:
    """Enrollment counts by status for one circle."""
    rows = session.execute(
        select(Enrollment.status, func.count()).where(Enrollment.circle_id == circle_id).group_by(Enrollment.status)
    )
    return {status: n for status, n in rows}


def summary(session: Session, circle: Circle) -> dict:
    """The JSON that ``circlebot circle show --json`` prints."""
    by_status = counts(session, circle.id)
    rsvps = {(m, a): n for m, a, n in session.execute(
        select(Rsvp.meeting_id, Rsvp.answer, func.count()).join(Meeting, Meeting.id == Rsvp.meeting_id)
        .where(Meeting.circle_id == circle.id).group_by(Rsvp.meeting_id, Rsvp.answer)
    )}
    return {
        "id": circle.id,
        "code": circle.code,
        "phone_code": circle.phone_code,
        "name": circle.name,
        "venue": circle.venue,
        "language": circle.language,
        "timezone": circle.timezone,
        "capacity": circle.capacity,
        "enrolled": by_status.get("active", 0),
        "waitlisted": by_status.get("waitlist", 0),
        "meetings": [
            {"seq": m.seq, "starts_at": iso_utc(m.starts_at), "status": m.status, "yes": rsvps.get((m.id, "yes"), 0),
             "no": rsvps.get((m.id, "no"), 0), "attended": 0}
            for m in circle.meetings
        ],
    }


def facilitator_for_phone(session: Session, phone: str, now: datetime) -> Facilitator:
    """The facilitator reached at ``phone`` (a contact with an SMS address), made if new."""
    from bot.contacts import make_with_phone

    contact = make_with_phone(session, phone, now, source="facilitator")
    facilitator = session.scalar(select(Facilitator).where(Facilitator.contact_id == contact.id))
    if facilitator is None:
        facilitator = Facilitator(contact_id=contact.id, created_at=now)
        session.add(facilitator)
        session.flush()
    return facilitator
