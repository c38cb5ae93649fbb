"""When scheduled texts go out: quiet hours, a reminder's moment, a follow-up's moment (pure).

Every function takes the time it needs as a parameter; nothing here reads a clock. ``bot.domain.schedule``
and ``bot.domain.planning.followups`` re-export these names, so older imports keep working.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FOLLOW_UP_AT = time(10, 0)  # a check-in or survey goes out the day after a meeting at 10:00 local time


class ScheduleError(ValueError):
    """A weekday, time or time zone that cannot be used."""


def zone(name: str) -> ZoneInfo:
    """Returns the IANA time zone ``name`` or raises ScheduleError."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleError(f"unknown time zone: {name}") from exc


class QuietHours:
    """A daily window of learner-local time when scheduled texts wait, e.g. ``21:00-08:00``.

    The window is half-open: 21:00 is quiet, 08:00 is not. An empty setting means no quiet hours.
    """

    def __init__(self, start: time | None, end: time | None) -> None:
        self.start, self.end = start, end

    @classmethod
    def parse(cls, text: str | None) -> "QuietHours":
        """Parses ``HH:MM-HH:MM`` (or an empty string for none)."""
        text = (text or "").strip()
        if not text:
            return cls(None, None)
        try:
            first, second = (part.strip() for part in text.split("-"))
            start = datetime.strptime(first, "%H:%M").time()
            end = datetime.strptime(second, "%H:%M").time()
        except ValueError as exc:
            raise ScheduleError(f"QUIET_HOURS must look like 21:00-08:00, got {text!r}") from exc
        return cls(start, end) if start != end else cls(None, None)

    @property
    def enabled(self) -> bool:
        """False when there are no quiet hours."""
        return self.start is not None

    def _bounds(self) -> tuple[time, time]:
        """The window's first quiet minute and its first minute that is not (only for quiet hours that are set)."""
        if self.start is None or self.end is None:
            raise ScheduleError("no quiet hours are set")
        return self.start, self.end

    def contains(self, local: time) -> bool:
        """True when the local wall-clock time ``local`` is quiet."""
        if not self.enabled:
            return False
        first, last = self._bounds()
        if first < last:
            return first <= local < last
        return local >= first or local < last

    def window_around(self, local: datetime) -> tuple[datetime, datetime]:
        """The quiet window (start, end) that contains ``local``, as aware local datetimes."""
        first, last = self._bounds()
        tz = local.tzinfo
        day = local.date()
        if first < last or local.time() >= first:
            start_day = day
        else:
            start_day = day - timedelta(days=1)
        start = datetime.combine(start_day, first, tzinfo=tz)
        end_day = start_day if first < last else start_day + timedelta(days=1)
        end = datetime.combine(end_day, last, tzinfo=tz)
        return start, end

    def until(self, now: datetime, tz_name: str | None) -> datetime | None:
        """When a scheduled text due ``now`` may go, in UTC, if ``now`` is quiet in ``tz_name``; else None.

        This is the send job's rule (``bot.outbound.jobs._quiet_until``): no zone known, no wait.
        """
        if not self.enabled or not tz_name:
            return None
        local = now.astimezone(zone(tz_name))
        if not self.contains(local.time()):
            return None
        return self.window_around(local)[1].astimezone(timezone.utc)


def reminder_time(
    starts_at: datetime, lead: timedelta, quiet: QuietHours, tz_name: str, now: datetime
) -> datetime | None:
    """When a meeting's reminder should go out, in UTC, or None when it cannot go out at all.

    It is ``lead`` before the meeting, or at once if that moment has passed and the meeting has not
    started. If that falls in the quiet hours (the learner's local time), it moves to the end of the
    quiet window when that is still before the meeting, else to the last moment before the window.
    If neither is possible (both are in the past, or the meeting starts before quiet hours end and
    the window began before now), it is None: a reminder is never sent in the night.
    """
    if starts_at <= now:
        return None
    due = max(starts_at - lead, now)
    if not quiet.contains(due.astimezone(zone(tz_name)).time()):
        return due
    start, end = quiet.window_around(due.astimezone(zone(tz_name)))
    end_utc = end.astimezone(timezone.utc)
    if end_utc < starts_at:
        return end_utc
    before = (start - timedelta(minutes=1)).astimezone(timezone.utc)
    return before if before >= now else None


def follow_up_time(starts_at: datetime, tz: str, quiet: QuietHours) -> datetime:
    """The day after the meeting at FOLLOW_UP_AT local time, moved out of the quiet hours."""
    local_day = starts_at.astimezone(zone(tz)).date() + timedelta(days=1)
    local = datetime.combine(local_day, FOLLOW_UP_AT, tzinfo=zone(tz))
    if quiet.contains(local.time()):
        local = quiet.window_around(local)[1]
    return local.astimezone(timezone.utc)
