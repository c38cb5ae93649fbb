"""Reading the circle form: every field checked, each problem said in the facilitator's language."""

from __future__ import annotations

import functools
from datetime import date, datetime, time
from zoneinfo import available_timezones

from bot.domain import zones
from bot.domain.circles import CODE_PATTERN, NAME_MAX, VENUE_MAX
from bot.web.i18n import _
from flows import languages

WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
COURSE_MAX, URL_MAX, CITY_MAX, POSTAL_MAX = 120, 300, 60, 16
CAPACITY_MAX, WEEKS_MAX = 500, 52


@functools.lru_cache(maxsize=1)
def time_zones() -> tuple[str, ...]:
    """Every IANA zone name this machine knows, sorted (the searchable list)."""
    return tuple(sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))))


def _text(form, name: str, most: int, required: bool, errors: dict, label: str) -> str | None:
    value = (form.get(name) or "").strip()
    if not value:
        if required:
            errors[name] = _("%(field)s is required.", field=label)
        return None
    if len(value) > most:
        errors[name] = _("%(field)s can be at most %(most)s characters.", field=label, most=most)
    return value


def _int(form, name: str, low: int, high: int, errors: dict, label: str) -> int | None:
    raw = (form.get(name) or "").strip()
    try:
        value = int(raw)
    except ValueError:
        errors[name] = _("%(field)s must be a whole number.", field=label)
        return None
    if not low <= value <= high:
        errors[name] = _("%(field)s must be between %(low)s and %(high)s.", field=label, low=low, high=high)
    return value


def circle_fields(form, creating: bool) -> tuple[dict, dict]:
    """The checked values of the circle form and the problems found (field name → message)."""
    errors: dict[str, str] = {}
    values = {
        "name": _text(form, "name", NAME_MAX, True, errors, _("Name")),
        "course": _text(form, "course", COURSE_MAX, False, errors, _("Course title")),
        "course_url": _text(form, "course_url", URL_MAX, False, errors, _("Course link")),
        "venue": _text(form, "venue", VENUE_MAX, True, errors, _("Venue")),
        "city": _text(form, "city", CITY_MAX, False, errors, _("City")),
        "postal_code": _text(form, "postal_code", POSTAL_MAX, False, errors, _("Postal code")),
        "language": form.get("language", ""),
        "capacity": _int(form, "capacity", 1, CAPACITY_MAX, errors, _("Capacity")),
    }
    if values["course_url"] and not values["course_url"].startswith(("https://", "http://")):
        errors["course_url"] = _("The course link must start with https://")
    if values["language"] not in languages.SHIPPED:
        errors["language"] = _("Choose a language from the list.")
    if creating:
        values["code"] = (form.get("code") or "").strip().upper() or None
        if values["code"] and not CODE_PATTERN.match(values["code"]):
            errors["code"] = _("A code is 3 to 8 letters or digits, like KC42.")
    if creating or any(name in form for name in SCHEDULE_FIELDS):
        schedule_fields(form, values, errors)
    return values, errors


SCHEDULE_FIELDS = ("timezone", "weekday", "time", "starts", "weeks")


def schedule_fields(form, values: dict, errors: dict) -> None:
    """Reads the schedule (time zone, weekday, time, start date, weeks) into ``values``; problems into ``errors``."""
    values["timezone"] = zones.resolve(form.get("timezone") or "") or (form.get("timezone") or "").strip()
    if values["timezone"] not in time_zones() and zones.resolve(values["timezone"]) is None:
        errors["timezone"] = _("Choose a time zone from the list, like America/Chicago.")
    weekday = form.get("weekday", "")
    values["weekday"] = WEEKDAY_CODES.index(weekday) if weekday in WEEKDAY_CODES else None
    if values["weekday"] is None:
        errors["weekday"] = _("Choose a weekday.")
    try:
        values["start_time"] = time.fromisoformat((form.get("time") or "").strip()[:5])
    except ValueError:
        values["start_time"] = None
        errors["time"] = _("Type the time like 18:30.")
    try:
        values["starts"] = date.fromisoformat((form.get("starts") or "").strip())
    except ValueError:
        values["starts"] = None
        errors["starts"] = _("Type a real date, like 2026-12-01.")
    values["weeks"] = _int(form, "weeks", 1, WEEKS_MAX, errors, _("Weeks"))


def local_datetime(raw: str) -> datetime | None:
    """A ``datetime-local`` input (``2026-12-08T18:30``), naive, or None when it is not one."""
    try:
        return datetime.fromisoformat((raw or "").strip())
    except ValueError:
        return None
