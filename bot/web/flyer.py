"""The flyer's words that need the calendar: the weekday and the time of a circle, in its language."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date, format_time, get_day_names

from bot.render import i18n
from bot.web.i18n import current


def weekly_pattern(circle) -> dict:
    """``weekday`` (its name, as the circle's language writes it), ``time`` (its local wall clock) and
    ``weeks``, for the flyer's "Every Wednesday at 6:00 PM, 6 weeks"."""
    lang = i18n.pick(circle.language)
    locale = i18n.date_locale(lang, i18n.region_of(circle.timezone))
    return {
        "weekday": get_day_names("wide", locale=locale)[circle.weekday],
        "time": format_time(circle.start_time, "short", locale=locale).replace("\u202f", " ").replace("\u00a0", " "),
        "weeks": len(circle.meetings) or circle.weeks,
    }


def day_name(weekday: int) -> str:
    """The name of ``weekday`` (0 = Monday) in the interface language."""
    return get_day_names("wide", locale=i18n.pick(current()))[weekday]


def long_date(day: date, style: str = "long") -> str:
    """``day`` as the interface language writes it: ``January 20, 2027`` (``full``: with its weekday)."""
    return format_date(day, style, locale=i18n.pick(current()))
