"""What the CLI and the pages read of circles: counts, the JSON of ``circle show``, ``circle list``'s rows,
and times written in English for the people who run circles."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain import conference_room, enrollments
from bot.domain.attendance import attended_counts
from bot.domain.enrollments import EnrollmentStatus
from bot.domain.schedule import MeetingStatus, iso_utc, zone
from bot.store.models import Circle, Enrollment, Meeting, Rsvp

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def counts(session: Session, circle_id: int) -> dict[str, int]:
    """Enrollment counts by status for one circle."""
    rows = session.execute(
        select(Enrollment.status, func.count()).where(Enrollment.circle_id == circle_id).group_by(Enrollment.status)
    )
    return {status: n for status, n in rows}


def summary(session: Session, circle: Circle) -> dict:
    """The JSON that ``circlebot circle show --json`` prints."""
    by_status = counts(session, circle.id)
    rsvps = {
        (m, a): n
        for m, a, n in session.execute(
            select(Rsvp.meeting_id, Rsvp.answer, func.count())
            .join(Meeting, Meeting.id == Rsvp.meeting_id)
            .where(Meeting.circle_id == circle.id)
            .group_by(Rsvp.meeting_id, Rsvp.answer)
        )
    }
    attended = attended_counts(session, [m.id for m in circle.meetings])
    calls = conference_room.held(session, [m.id for m in circle.meetings])
    return {
        "id": circle.id,
        "code": circle.code,
        "phone_code": circle.phone_code,
        "facilitator_pin": circle.facilitator_pin,
        "name": circle.name,
        "venue": circle.venue,
        "language": circle.language,
        "timezone": circle.timezone,
        "capacity": circle.capacity,
        "archived": circle.archived_at is not None,
        "enrolled": by_status.get(EnrollmentStatus.ACTIVE, 0),
        "waitlisted": by_status.get(EnrollmentStatus.WAITLIST, 0),
        "channels": enrollments.channels(session, circle.id),  # learners by the channel that reaches them
        "meetings": [
            {
                "seq": m.seq,
                "starts_at": iso_utc(m.starts_at),
                "status": m.status,
                "yes": rsvps.get((m.id, "yes"), 0),
                "no": rsvps.get((m.id, "no"), 0),
                "attended": attended.get(m.id, 0),
                "held": _held(calls.get(m.id)),
            }
            for m in circle.meetings
        ],
    }


def _held(call) -> dict | None:
    """A meeting's conference call as ``circle show --json`` gives it: None when it was not held."""
    if call is None:
        return None
    ended = iso_utc(call.ended_at) if call.ended_at else None
    return {"started_at": iso_utc(call.started_at), "ended_at": ended, "callers": call.callers}


def local_date(day: date) -> str:
    """``Tuesday, December 1, 2026`` (English, for the people who run circles)."""
    return f"{WEEKDAY_NAMES[day.weekday()]}, {MONTH_NAMES[day.month - 1]} {day.day}, {day.year}"


def local_time(moment: datetime, tz_name: str) -> str:
    """A UTC moment in the circle's zone: ``Tuesday, December 1, 2026, 6:30 PM CST``."""
    local = moment.astimezone(zone(tz_name))
    clock = f"{local.hour % 12 or 12}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"
    return f"{local_date(local.date())}, {clock} {local.tzname()}"


def listing(session: Session, now: datetime, include_archived: bool = False) -> list[dict]:
    """One dict per circle for ``circle list``: code, name, counts and the next meeting (or None)."""
    query = select(Circle).order_by(Circle.code)
    if not include_archived:
        query = query.where(Circle.archived_at.is_(None))
    circles = session.scalars(query).all()
    ids = [c.id for c in circles]
    by_status: dict[int, dict[str, int]] = {}
    for circle_id, status, n in session.execute(
        select(Enrollment.circle_id, Enrollment.status, func.count())
        .where(Enrollment.circle_id.in_(ids))
        .group_by(Enrollment.circle_id, Enrollment.status)
    ):
        by_status.setdefault(circle_id, {})[status] = n
    upcoming = dict(
        session.execute(
            select(Meeting.circle_id, func.min(Meeting.starts_at))
            .where(Meeting.circle_id.in_(ids), Meeting.starts_at > now, Meeting.status != MeetingStatus.CANCELLED)
            .group_by(Meeting.circle_id)
        ).all()
    )
    return [
        {
            "code": c.code,
            "name": c.name,
            "timezone": c.timezone,
            "capacity": c.capacity,
            "enrolled": by_status.get(c.id, {}).get(EnrollmentStatus.ACTIVE, 0),
            "waitlisted": by_status.get(c.id, {}).get(EnrollmentStatus.WAITLIST, 0),
            "next_meeting": upcoming.get(c.id),
            "archived": c.archived_at is not None,
        }
        for c in circles
    ]


def plural(n: int, one: str, many: str) -> str:
    """``1 learner``, ``2 learners``: the count with the right form (English CLI output)."""
    return f"{n} {one if n == 1 else many}"
