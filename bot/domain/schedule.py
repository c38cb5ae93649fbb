"""Weekly meeting times: wall-clock time in the circle's zone, stored in UTC, DST-safe."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum

from flows.timing import QuietHours, ScheduleError, reminder_time, zone

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MEETING_LENGTH = timedelta(hours=2)

# QuietHours, ScheduleError, reminder_time and zone are pure and live in flows.timing; kept importable here.
__all__ = [
    "MEETING_LENGTH",
    "WEEKDAYS",
    "QuietHours",
    "ScheduleError",
    "iso_utc",
    "reminder_time",
    "weekday_number",
    "weekly_meetings",
    "zone",
]


class MeetingStatus(StrEnum):
    """A meeting's status, as stored in ``meeting.status``."""

    SCHEDULED = "scheduled"  # at its time in the circle's weekly series
    MOVED = "moved"  # moved off the series (MOVE, the pages), still held
    CANCELLED = "cancelled"


def weekday_number(name: str) -> int:
    """``mon`` → 0 … ``sun`` → 6 (the first three letters are enough)."""
    key = name.strip().lower()[:3]
    if key not in WEEKDAYS:
        raise ScheduleError(f"unknown weekday: {name} (use mon..sun)")
    return WEEKDAYS.index(key)


def weekly_meetings(
    starts: date, weekday: int, at: time, tz_name: str, weeks: int, length: timedelta = MEETING_LENGTH
) -> list[tuple[datetime, datetime]]:
    """Returns ``weeks`` (start, end) pairs in UTC.

    The first meeting is on the first ``weekday`` on or after ``starts``. Each meeting keeps its
    local wall-clock time ``at`` in ``tz_name``, across daylight-saving changes.
    """
    tz = zone(tz_name)
    first = starts + timedelta(days=(weekday - starts.weekday()) % 7)
    out = []
    for week in range(weeks):
        local = datetime.combine(first + timedelta(weeks=week), at, tzinfo=tz)
        start = local.astimezone(timezone.utc)
        out.append((start, (local + length).astimezone(timezone.utc)))
    return out


def iso_utc(moment: datetime) -> str:
    """ISO-8601 in UTC with a ``Z``, e.g. ``2026-12-01T23:00:00Z``."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
