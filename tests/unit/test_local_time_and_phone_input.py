"""What a librarian types and reads: national phone numbers, local times, plural forms (no database)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.cli.circles import places
from bot.domain import phone
from bot.domain.circles import local_date, local_time, plural
from bot.settings import Settings, SettingsError


@pytest.mark.parametrize(
    "typed,region,e164",
    [
        ("(816) 555-0199", "US", "+18165550199"),
        ("816.555.0199", "US", "+18165550199"),
        ("1 816 555 0199", "US", "+18165550199"),
        ("+1 (816) 555-0199", "GB", "+18165550199"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("0712 345 678", "KE", "+254712345678"),
    ],
)
def test_parse_accepts_national_formats(typed, region, e164):
    assert phone.parse(typed, region) == e164


@pytest.mark.parametrize(
    "typed,words",
    [
        ("", "is not a phone number"),
        ("call me", "is not a phone number: type it as you would dial it locally"),
        ("(816) 555-01", "too few digits"),
        ("(816) 555-0199 1234 5678", "too many digits"),
        ("555-0199", "needs its area code"),
    ],
)
def test_parse_errors_say_what_to_do(typed, words):
    with pytest.raises(phone.PhoneError) as caught:
        phone.parse(typed, "US")
    assert words in str(caught.value) and "E.164" not in str(caught.value)


def test_default_region_setting():
    assert Settings.from_env({}).default_region == "US"
    assert Settings.from_env({"DEFAULT_REGION": "ke"}).default_region == "KE"
    with pytest.raises(SettingsError, match="DEFAULT_REGION"):
        Settings.from_env({"DEFAULT_REGION": "Kenya"})


@pytest.mark.parametrize(
    "utc,zone_name,shown",
    [
        # the example: 6:30 PM in Chicago on Tuesday, December 1 is 00:30 UTC on Wednesday
        (
            datetime(2026, 12, 2, 0, 30, tzinfo=timezone.utc),
            "America/Chicago",
            "Tuesday, December 1, 2026, 6:30 PM CST",
        ),
        (datetime(2026, 7, 7, 23, 0, tzinfo=timezone.utc), "America/Chicago", "Tuesday, July 7, 2026, 6:00 PM CDT"),
        (datetime(2026, 12, 1, 9, 5, tzinfo=timezone.utc), "Africa/Nairobi", "Tuesday, December 1, 2026, 12:05 PM EAT"),
        (datetime(2026, 12, 1, 0, 0, tzinfo=timezone.utc), "UTC", "Tuesday, December 1, 2026, 12:00 AM UTC"),
    ],
)
def test_local_time_shows_the_circle_zone(utc, zone_name, shown):
    assert local_time(utc, zone_name) == shown


def test_local_date():
    assert local_date(datetime(2026, 12, 1).date()) == "Tuesday, December 1, 2026"


@pytest.mark.parametrize(
    "enrolled,capacity,shown",
    [
        (0, 12, "0 of 12 places are taken"),
        (1, 12, "1 of 12 places is taken"),
        (2, 12, "2 of 12 places are taken"),
        (1, 1, "1 of 1 place is taken"),
    ],
)
def test_places_plural_forms(enrolled, capacity, shown):
    assert places(enrolled, capacity) == shown


def test_plural():
    assert (plural(1, "learner", "learners"), plural(0, "learner", "learners")) == ("1 learner", "0 learners")
