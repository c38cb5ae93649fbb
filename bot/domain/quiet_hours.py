"""Quiet hours by country (issue 29): Kenya's bulk-SMS practice keeps scheduled texts to daytime.

``QUIET_HOURS`` (default ``21:00-08:00``) holds everywhere but in the countries of
``QUIET_HOURS_BY_COUNTRY`` (default ``KE=18:00-08:00``: nothing scheduled before 08:00 or after 18:00
EAT), read in the country of the time zone the hours are read in (the learner's own, else the circle's;
CLDR's zone → territory table). ``KE=`` means no quiet hours in Kenya; several countries are separated
by commas (``KE=18:00-08:00,UG=19:00-08:00``).
"""

from __future__ import annotations

import functools
from typing import Callable

from bot.render.i18n import region_of
from flows.timing import QuietHours, ScheduleError

DEFAULT_BY_COUNTRY = "KE=18:00-08:00"
SETTING = "QUIET_HOURS_BY_COUNTRY"


@functools.lru_cache(maxsize=16)
def by_country(text: str) -> dict[str, QuietHours]:
    """``KE=18:00-08:00,UG=…`` as a table of country → quiet hours.

    Raises:
        ScheduleError: a part is not ``CC=HH:MM-HH:MM`` (or ``CC=`` for none).
    """
    table: dict[str, QuietHours] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        country, sep, hours = part.partition("=")
        if not sep or len(country.strip()) != 2:
            raise ScheduleError(f"{SETTING} must look like KE=18:00-08:00, got {part!r}")
        table[country.strip().upper()] = QuietHours.parse(hours)
    return table


def resolver(settings) -> Callable[[str | None], QuietHours]:
    """The quiet hours for a time zone: its country's (``QUIET_HOURS_BY_COUNTRY``), else ``QUIET_HOURS``."""
    table = by_country(str(settings.extra.get(SETTING) or DEFAULT_BY_COUNTRY))
    default = QuietHours.parse(settings.quiet_hours)

    def for_zone(tz: str | None) -> QuietHours:
        return table.get(region_of(tz) or "", default)

    return for_zone
