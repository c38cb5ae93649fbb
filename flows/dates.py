"""Reading a date and a time a facilitator typed, in the circle's time zone (pure)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from typing import TypeVar
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.core import get_global

# The farthest ahead a meeting may be put: a typo like 9999-12-31 is not a meeting, and dates past
# year 9999 cannot even be computed. Circles are planned years ahead at most (texts say "ten years").
MAX_AHEAD = timedelta(days=10 * 366)

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SHORT = re.compile(r"^(\d{1,2})[/.](\d{1,2})$")
# 18:00, 18.00, 18h30, 18h, 18 H 30, 6pm, 6 p.m., 6:30 P. M., 6 a.m.
_TIME = re.compile(r"^(\d{1,2})(?:\s*[:.H]\s*(\d{2})|\s*H)?\s*(?:([AP])\.?\s*M?\.?)?$")


def month_first(lang: str, tz: str | None) -> bool:
    """True when people write the month before the day in ``lang`` in the zone's country (CLDR):
    English in the US (``12/1``), not English in Kenya or Britain (``1/12``)."""
    region = get_global("zone_territories").get(tz or "", "US" if lang == "en" else None)
    try:
        locale = Locale.parse(f"{lang}_{region}") if region else Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse(lang)
    pattern: str = locale.date_formats["short"].pattern
    return pattern.lstrip("'").upper().startswith("M")


def parse_date(text: str, lang: str, today: date, tz: str | None = None) -> date | None:
    """``2026-12-01``, or ``12/1`` (month first where people write it so: English in the US) / ``1/12``
    or ``1.12`` (day first elsewhere, English in Kenya too).

    A date without a year is the next one on or after ``today``. ``tz`` is the circle's zone, whose
    country decides the order; without it, English reads month first.
    """
    text = text.strip().upper()
    match = _ISO.match(text)
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
        match = _SHORT.match(text)
        if not match:
            return None
        first, second = int(match[1]), int(match[2])
        month, day = (first, second) if "/" in text and month_first(lang, tz) else (second, first)
        candidate = date(today.year, month, day)
        return candidate if candidate >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


def parse_time(text: str) -> time | None:
    """``18:00``, ``18.00``, ``18h30``, ``6:30PM``, ``6pm``, ``6 p.m.``."""
    match = _TIME.match(text.strip().upper())
    if not match:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "P" else 0)
    return time(hour, minute) if hour < 24 and minute < 60 else None


def local_date(moment: datetime, tz: str) -> date:
    """The calendar date of ``moment`` in zone ``tz``."""
    return moment.astimezone(ZoneInfo(tz)).date()


def to_utc(day: date, at: time, tz: str) -> datetime | None:
    """The UTC moment of wall-clock ``day at`` in zone ``tz``; None when it falls outside the calendar
    (year 1 or 9999 near the edge of what ``datetime`` holds)."""
    try:
        return datetime.combine(day, at, tzinfo=ZoneInfo(tz)).astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None


_Moment = TypeVar("_Moment", date, datetime)


def too_far(later: _Moment, now: _Moment) -> bool:
    """True when ``later`` is more than ``MAX_AHEAD`` after ``now`` (two dates, or two datetimes)."""
    return later - now > MAX_AHEAD
