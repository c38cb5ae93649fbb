"""The flyer's words that need the calendar: the weekday and the time of a circle, in its language."""

from __future__ import annotations

from babel.dates import format_time, get_day_names

from bot.render import i18n


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
