"""The demo's zone and its first meeting: at a waking hour wherever the visitor is (issue 25)."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.demo import zone


@pytest.mark.parametrize(
    "local_now, tz, expected",
    [
        ("2026-12-05 20:31", "America/Chicago", "2026-12-06 10:00"),  # the evening of the walk: next morning
        ("2026-12-05 09:10", "America/Chicago", "2026-12-05 12:00"),  # three hours on
        ("2026-12-05 16:59", "Asia/Tokyo", "2026-12-05 19:00"),  # the latest start
        ("2026-12-05 17:00", "Asia/Tokyo", "2026-12-06 10:00"),  # 20:00 would be too late
        ("2026-12-05 03:00", "Europe/Paris", "2026-12-05 10:00"),  # before dawn: this morning at 10
        ("2026-12-05 23:30", "Africa/Nairobi", "2026-12-06 10:00"),  # past midnight when it would start
    ],
)
def test_the_first_meeting_is_at_a_waking_hour(local_now, tz, expected):
    now = datetime.strptime(local_now, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(tz)).astimezone(timezone.utc)
    first = zone.first_meeting(now, tz)
    assert first.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M") == expected
    assert zone.EARLIEST <= first.astimezone(ZoneInfo(tz)).hour <= zone.LATEST and first > now


def test_the_zone_is_tz_else_the_systems_and_a_choice_is_kept(tmp_path):
    assert zone.machine_zone({"TZ": "Asia/Tokyo"}) == "Asia/Tokyo"
    assert zone.machine_zone({"TZ": ":Europe/Paris"}) == "Europe/Paris"
    assert zone.valid(zone.machine_zone({"TZ": "Not/AZone"}))  # an unknown TZ falls back to a real zone
    assert zone.valid("../../etc/passwd") is None and zone.valid("") is None
    assert zone.chosen(str(tmp_path), {"TZ": "Asia/Tokyo"}) == "Asia/Tokyo"
    zone.choose(str(tmp_path), "Africa/Nairobi")
    assert zone.chosen(str(tmp_path), {"TZ": "Asia/Tokyo"}) == "Africa/Nairobi"
