"""Time zones as a librarian types them (``bot.domain.zones.resolve``): IANA names in any case, everyday US
and Canadian names and abbreviations, and a zone's city alone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot.domain import zones


@pytest.mark.parametrize(
    "typed,zone",
    [
        ("America/Chicago", "America/Chicago"),
        ("america/chicago", "America/Chicago"),
        ("Central", "America/Chicago"),
        ("Central Time", "America/Chicago"),
        ("CST", "America/Chicago"),
        ("pacific standard time", "America/Los_Angeles"),
        ("Nairobi", "Africa/Nairobi"),
        ("nairobi time", "Africa/Nairobi"),
        ("  New   York ", "America/New_York"),
        ("Sao Paulo", "America/Sao_Paulo"),
        ("port-au-prince", "America/Port-au-Prince"),
        ("Dar es Salaam", "Africa/Dar_es_Salaam"),
        ("London", "Europe/London"),
        ("UTC", "UTC"),
    ],
)
def test_what_a_librarian_types_names_its_zone(typed, zone):
    assert zones.resolve(typed) == zone


@pytest.mark.parametrize("typed", ["", "   ", "Mars", "Mars/Olympus", "Africa", "time", "Nairobbi"])
def test_what_names_no_zone_is_none(typed):
    assert zones.resolve(typed) is None


def test_a_city_named_twice_resolves_to_one_zone_keeping_the_same_time():
    """``America/Indianapolis`` is a link to ``America/Indiana/Indianapolis``: either keeps the same time."""
    from datetime import datetime, timezone

    found = zones.resolve("Indianapolis")
    assert found in ("America/Indianapolis", "America/Indiana/Indianapolis")
    moment = datetime(2026, 7, 1, 12, tzinfo=timezone.utc)
    assert (
        moment.astimezone(ZoneInfo(found)).utcoffset()
        == moment.astimezone(ZoneInfo("America/Indiana/Indianapolis")).utcoffset()
    )
