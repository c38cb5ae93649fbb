"""Meeting times across daylight-saving changes, and E.164 phone numbers."""

from datetime import date, time

import pytest

from bot.domain.phone import mask, to_e164
from bot.domain.schedule import ScheduleError, iso_utc, weekday_number, weekly_meetings, zone


def test_weekly_meetings_keep_wall_clock_time_across_dst():
    # Tuesdays 18:00 in Chicago from 2026-10-20: DST ends on 2026-11-01
    meetings = weekly_meetings(date(2026, 10, 20), 1, time(18, 0), "America/Chicago", 4)
    assert [iso_utc(start) for start, _ in meetings] == [
        "2026-10-20T23:00:00Z",
        "2026-10-27T23:00:00Z",
        "2026-11-04T00:00:00Z",
        "2026-11-11T00:00:00Z",
    ]
    for start, end in meetings:
        local = start.astimezone(zone("America/Chicago"))
        assert (local.weekday(), local.hour, local.minute) == (1, 18, 0)
        assert (end - start).total_seconds() == 7200


@pytest.mark.parametrize(
    "tz", ["Africa/Nairobi", "Europe/Warsaw", "Europe/Lisbon", "America/Toronto", "America/New_York"]
)
def test_every_zone_keeps_local_time(tz):
    for start, _ in weekly_meetings(date(2026, 3, 1), 3, time(17, 30), tz, 10):
        local = start.astimezone(zone(tz))
        assert (local.weekday(), local.hour, local.minute) == (3, 17, 30)


def test_first_meeting_is_the_first_weekday_on_or_after_start():
    first, _ = weekly_meetings(date(2026, 12, 1), 1, time(18, 0), "America/Chicago", 1)[0]
    assert iso_utc(first) == "2026-12-02T00:00:00Z"  # Tuesday 1 December, 18:00 CST
    first, _ = weekly_meetings(date(2026, 12, 2), 1, time(18, 0), "America/Chicago", 1)[0]
    assert first.astimezone(zone("America/Chicago")).day == 8


def test_bad_schedule_values():
    with pytest.raises(ScheduleError):
        zone("Mars/Olympus")
    with pytest.raises(ScheduleError):
        weekday_number("funday")
    assert weekday_number("Tuesday") == 1


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("+18165550123", "+18165550123"),
        ("+1 (816) 555-0123", "+18165550123"),
        ("whatsapp:+254700555012", "+254700555012"),
        ("+48 22 555 01 23", "+48225550123"),
        ("not-a-number", None),
        ("", None),
        (None, None),
        ("+1", None),
        ("1" * 100, None),
    ],
)
def test_to_e164(raw, expected):
    assert to_e164(raw) == expected


def test_to_e164_with_region():
    assert to_e164("816 555 0123", "US") == "+18165550123"


def test_mask():
    assert mask("+18165554567") == "+1******4567"
    assert mask(None) == "?"
