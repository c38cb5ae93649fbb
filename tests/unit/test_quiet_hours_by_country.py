"""Quiet hours by the circle's country (issue 29): Kenya 18:00-08:00 EAT by default, configurable."""

from __future__ import annotations

from datetime import datetime, time, timezone

import pytest

from bot.domain.quiet_hours import by_country, resolver
from bot.settings import Settings
from flows.timing import ScheduleError


def hours(settings, tz):
    quiet = resolver(settings)(tz)
    return (quiet.start, quiet.end)


def test_kenya_is_quiet_from_18_to_8_elsewhere_quiet_hours_holds():
    settings = Settings()
    assert hours(settings, "Africa/Nairobi") == (time(18, 0), time(8, 0))
    assert hours(settings, "America/Chicago") == (time(21, 0), time(8, 0))
    assert hours(settings, None) == (time(21, 0), time(8, 0))
    six_pm = datetime(2026, 12, 7, 15, 0, tzinfo=timezone.utc)  # 18:00 in Nairobi
    assert resolver(settings)("Africa/Nairobi").until(six_pm, "Africa/Nairobi") == datetime(
        2026, 12, 8, 5, 0, tzinfo=timezone.utc
    )


def test_the_countries_hours_are_configurable():
    settings = Settings(quiet_hours="").with_overrides({"QUIET_HOURS_BY_COUNTRY": "KE=20:00-07:00, ug=19:00-08:00"})
    assert hours(settings, "Africa/Nairobi") == (time(20, 0), time(7, 0))
    assert hours(settings, "Africa/Kampala") == (time(19, 0), time(8, 0))
    assert not resolver(settings)("America/Chicago").enabled
    assert not resolver(Settings().with_overrides({"QUIET_HOURS_BY_COUNTRY": "KE="}))("Africa/Nairobi").enabled


@pytest.mark.parametrize("text", ["KE", "KEN=18:00-08:00", "KE=6pm-8am"])
def test_a_setting_that_cannot_be_read_says_so(text):
    with pytest.raises(ScheduleError):
        by_country(text)
