"""When a reminder goes out: lead time, late joiners, quiet hours, DST (pure, no database)."""

from datetime import date, datetime, time, timedelta, timezone

import pytest

from bot.domain.schedule import QuietHours, ScheduleError, reminder_time, weekly_meetings, zone

QUIET = QuietHours.parse("21:00-08:00")
DAY = timedelta(hours=24)


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def local(tz, *args):
    return datetime(*args, tzinfo=zone(tz))


def test_lead_before_the_meeting():
    starts = local("America/Chicago", 2026, 12, 1, 18, 0)
    assert reminder_time(starts, DAY, QUIET, "America/Chicago", utc(2026, 11, 20)) == starts - DAY


def test_late_joiner_gets_it_at_once():
    starts = local("America/Chicago", 2026, 12, 1, 18, 0)
    now = starts - timedelta(hours=3)
    assert reminder_time(starts, DAY, QUIET, "America/Chicago", now) == now


def test_nothing_after_the_meeting_started():
    starts = local("America/Chicago", 2026, 12, 1, 18, 0)
    assert reminder_time(starts, DAY, QUIET, "America/Chicago", starts) is None


def test_quiet_hours_push_to_the_end_of_the_window():
    # a 10:00 meeting: 24 h before is 10:00, fine; a 07:00 meeting's reminder at 07:00 the day before is quiet
    starts = local("Africa/Nairobi", 2026, 12, 2, 7, 30)
    got = reminder_time(starts, DAY, QUIET, "Africa/Nairobi", utc(2026, 11, 20))
    assert got == local("Africa/Nairobi", 2026, 12, 1, 8, 0)


def test_quiet_hours_pull_earlier_when_the_window_ends_after_the_meeting():
    # lead 2 h before a 22:30 meeting is 20:30 (fine); before a 23:00 meeting it is 21:00 (quiet) and
    # quiet ends at 08:00, after the meeting: so the last moment before the window, 20:59
    starts = local("Europe/Warsaw", 2026, 12, 2, 23, 0)
    got = reminder_time(starts, timedelta(hours=2), QUIET, "Europe/Warsaw", utc(2026, 11, 20))
    assert got == local("Europe/Warsaw", 2026, 12, 2, 20, 59)


def test_late_joiner_at_night_waits_for_morning():
    starts = local("America/New_York", 2026, 12, 2, 18, 0)
    now = local("America/New_York", 2026, 12, 2, 2, 15)
    assert reminder_time(starts, DAY, QUIET, "America/New_York", now) == local("America/New_York", 2026, 12, 2, 8, 0)


def test_never_at_night_when_nothing_fits():
    starts = local("America/Toronto", 2026, 12, 2, 7, 0)  # a 7 a.m. meeting, and it is 1 a.m. now
    now = local("America/Toronto", 2026, 12, 2, 1, 0)
    assert reminder_time(starts, DAY, QUIET, "America/Toronto", now) is None


def test_no_quiet_hours():
    none = QuietHours.parse("")
    starts = local("Europe/Lisbon", 2026, 12, 2, 7, 0)
    assert reminder_time(starts, DAY, none, "Europe/Lisbon", utc(2026, 11, 1)) == starts - DAY


def test_bad_quiet_hours():
    with pytest.raises(ScheduleError):
        QuietHours.parse("nine to five")


@pytest.mark.parametrize(
    "tz", ["America/Chicago", "Africa/Nairobi", "Europe/Warsaw", "Europe/Lisbon", "America/Toronto", "America/New_York"]
)
def test_reminders_keep_local_time_across_dst(tz):
    # Tuesday 18:00 circles spanning the autumn change (EU: 25 Oct, North America: 1 Nov 2026)
    for starts, _ in weekly_meetings(date(2026, 10, 13), 1, time(18, 0), tz, 5):
        got = reminder_time(starts, DAY, QUIET, tz, utc(2026, 10, 1)).astimezone(zone(tz))
        assert (got.weekday(), got.hour, got.minute) == (0, 18, 0)  # Monday 18:00 local, every week
