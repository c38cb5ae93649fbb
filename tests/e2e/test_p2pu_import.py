"""``circlebot circle import`` against a local stand-in of P2PU's public API (tests/standin/p2pu_api.py)."""

from __future__ import annotations

import json
from datetime import datetime, time, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from bot.cli import main
from bot.store.models import Circle, Enrollment, Meeting, Outbox
from tests.helpers import add_contact
from tests.standin.p2pu_api import P2PUStandIn, kansas_city

SIGNUP = "https://learningcircles.p2pu.org/en/signup/plaza-branch-room-2-4321/"


@pytest.fixture
def p2pu(cli_env, monkeypatch):
    with P2PUStandIn() as api:
        monkeypatch.setenv("P2PU_API_BASE", api.url)
        yield api


def run(*args):
    return CliRunner().invoke(main, ["circle", "import", *args], catch_exceptions=False)


def test_kansas_city_becomes_a_wednesday_1830_chicago_circle_of_six_weeks(p2pu, uow):
    p2pu.put(kansas_city())
    result = run(SIGNUP, "--facilitator-phone", "(816) 555-0199", "--code", "PLAZA", "--json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert p2pu.requests == ["/api/learningcircles/?id=4321"]
    assert (info["code"], info["name"], info["venue"], info["language"]) == (
        "PLAZA",
        "Public Speaking at Plaza",
        "Plaza Branch, Room 2",
        "en",
    )
    assert (info["timezone"], info["capacity"], info["p2pu_id"]) == ("America/Chicago", 15, 4321)
    # 18:30 CST is 00:30 UTC the next day; six Wednesdays from January 9, 2030.
    assert [m["starts_at"] for m in info["meetings"]] == [
        f"2030-{d}T00:30:00Z" for d in ("01-10", "01-17", "01-24", "01-31", "02-07", "02-14")
    ]
    with uow() as db:
        circle = db.scalars(select(Circle)).one()
        assert (circle.weekday, circle.start_time, circle.weeks, circle.p2pu_id) == (2, time(18, 30), 6, 4321)
        assert circle.course == "Speaking in Public"
        assert circle.course_url == "https://learningcircles.p2pu.org/en/course/1187/speaking-in-public/"
        assert circle.city == "Kansas City" and circle.facilitator is not None


def test_human_output_shows_the_zone_found_and_a_bare_id_works(p2pu, uow):
    p2pu.put(kansas_city(latitude=None, longitude=None))
    result = run("4321")
    assert result.exit_code == 0, result.output
    assert "America/Chicago (from its UTC offset and country" in result.output
    assert "6 meetings on Wednesdays at 18:30" in result.output
    assert "Learners join by texting JOIN " in result.output
    with uow() as db:
        assert db.scalars(select(Circle)).one().facilitator is None


def _learner(uow, phone="+18165550123"):
    now = datetime.now(timezone.utc)
    with uow() as db:
        contact = add_contact(db, phone, now, name="Amina", language="en")
        circle_id = db.scalar(select(Circle.id))
        db.add(Enrollment(contact_id=contact.id, circle_id=circle_id, status="active", created_at=now))
        db.commit()


def _notices(uow) -> list[str]:
    with uow() as db:
        return sorted(key.split(":")[0] for key in db.scalars(select(Outbox.dedupe_key).where(Outbox.kind == "change")))


def test_importing_again_updates_the_same_circle_and_tells_learners_once(p2pu, uow):
    p2pu.put(kansas_city())
    assert run("4321", "--facilitator-phone", "+18165550199").exit_code == 0
    _learner(uow)
    _learner(uow, "+18165550124")
    p2pu.put(
        kansas_city(
            venue="Central Library, Room 3",
            meeting_time="19:00:00",
            start_datetime="2030-01-09T19:00:00-06:00",
            weeks=5,
            last_meeting_date="2030-02-06",
            signup_limit=20,
        )
    )
    result = run(SIGNUP)
    assert result.exit_code == 0, result.output
    assert "changed venue, capacity, schedule" in result.output
    with uow() as db:
        circle = db.scalars(select(Circle)).one()
        assert (circle.venue, circle.capacity, circle.weeks, circle.start_time) == (
            "Central Library, Room 3",
            20,
            5,
            time(19, 0),
        )
        statuses = db.scalars(select(Meeting.status).order_by(Meeting.seq)).all()
        assert statuses == ["scheduled"] * 5 + ["cancelled"]
    assert _notices(uow) == ["schedule", "schedule"]  # one text per learner for the whole change

    again = run("4321")
    assert again.exit_code == 0 and "already up to date" in again.output
    assert _notices(uow) == ["schedule", "schedule"]
    with uow() as db:
        assert db.scalar(select(func.count()).select_from(Circle)) == 1


@pytest.mark.parametrize(
    ("item", "words"),
    [
        ({"draft": True}, "is a draft"),
        (
            {"start_date": "2020-01-08", "last_meeting_date": "2020-02-12", "status": "completed"},
            "finished on Wednesday, February 12, 2020",
        ),
        ({"online": True, "venue": ""}, "meets online"),
        (None, "P2PU has no learning circle 4321"),
    ],
    ids=["draft", "finished", "online", "unknown"],
)
def test_draft_finished_online_and_unknown_are_refused_with_exit_2(p2pu, uow, item, words):
    if item is not None:
        p2pu.put(kansas_city(**item))
    result = CliRunner().invoke(main, ["circle", "import", SIGNUP])
    assert result.exit_code == 2
    assert words in result.output
    with uow() as db:
        assert db.scalar(select(func.count()).select_from(Circle)) == 0


def test_unreachable_p2pu_and_nonsense_are_refused_with_exit_2(cli_env, monkeypatch, uow):
    with P2PUStandIn() as api:
        closed = api.url
    monkeypatch.setenv("P2PU_API_BASE", closed)
    result = CliRunner().invoke(main, ["circle", "import", "4321"])
    assert result.exit_code == 2 and "cannot be reached" in result.output
    result = CliRunner().invoke(main, ["circle", "import", "https://example.org/nothing/"])
    assert result.exit_code == 2 and "is not a P2PU learning circle" in result.output


def test_a_language_circlebot_does_not_ship_falls_back_to_english(p2pu, uow):
    p2pu.put(kansas_city(language="de"))
    result = run("4321")
    assert result.exit_code == 0
    assert "P2PU's language 'de' is not one circlebot ships" in result.output
    with uow() as db:
        assert db.scalars(select(Circle)).one().language == "en"
