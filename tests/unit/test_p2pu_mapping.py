"""Reading P2PU ids and time zones (bot/domain/p2pu.py): no network, no database."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain import p2pu
from tests.standin.p2pu_api import kansas_city


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://learningcircles.p2pu.org/en/signup/plaza-branch-4321/", 4321),
        ("https://learningcircles.p2pu.org/en/signup/plaza-branch-4321", 4321),
        ("learningcircles.p2pu.org/es/signup/biblioteca-central-77/?utm=x", 77),
        ("https://learningcircles.p2pu.org/en/studygroup/4321/", 4321),
        (" 4321 ", 4321),
    ],
)
def test_an_id_is_read_from_a_signup_url_a_studygroup_url_or_a_number(text, expected):
    assert p2pu.parse_id(text) == expected


@pytest.mark.parametrize("text", ["", "plaza branch", "https://learningcircles.p2pu.org/en/"])
def test_text_without_an_id_is_refused(text):
    with pytest.raises(p2pu.P2PUError) as caught:
        p2pu.parse_id(text)
    assert caught.value.reason == "not_id"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, ("America/Chicago", "coordinates")),
        ({"latitude": "-1.2864", "longitude": "36.8172"}, ("Africa/Nairobi", "coordinates")),
        ({"latitude": None, "longitude": None}, ("America/Chicago", "offset")),
        (
            {"latitude": None, "longitude": None, "country": "Kenya", "start_datetime": "2030-01-09T18:30:00+03:00"},
            ("Africa/Nairobi", "offset"),
        ),
        (
            {"latitude": "", "longitude": "", "country": "Atlantis", "start_datetime": "2030-01-09T18:30:00-03:00"},
            ("Etc/GMT+3", "offset"),
        ),
    ],
)
def test_the_zone_comes_from_the_coordinates_else_the_offset_and_country(changes, expected):
    assert p2pu.time_zone(kansas_city(**changes)) == expected


def test_a_long_name_is_cut_and_said_and_no_limit_gives_twelve_places():
    imported = p2pu.plan_import(kansas_city(name="A" * 60, signup_limit=None), date(2029, 12, 1))
    assert imported.new.name == "A" * 40 and imported.new.capacity == 12
    assert any("cut to 40" in note for note in imported.notes)
