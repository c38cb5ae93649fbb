"""Import from P2PU on the facilitator pages (Flask's client, every backend): link → preview → confirm."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.store.models import Circle
from tests.e2e.test_facilitator_pages import A_PHONE, HTTPS, csrf, get, post, sign_in
from tests.helpers import make_circle, test_app
from tests.standin.p2pu_api import P2PUStandIn, kansas_city

SIGNUP = "https://learningcircles.p2pu.org/en/signup/plaza-branch-room-2-4321/"


@pytest.fixture
def p2pu():
    with P2PUStandIn() as api:
        yield api


@pytest.fixture
def app(backend, tmp_path, p2pu):
    """The conftest app, reading P2PU from the stand-in."""
    app = test_app(backend, tmp_path, P2PU_API_BASE=p2pu.url)
    app.config["WTF_CSRF_SSL_STRICT"] = False
    yield app
    app.extensions["circlebot"].uow.engine.dispose()


def circles(uow) -> int:
    with uow() as db:
        return db.scalar(select(func.count()).select_from(Circle))


def test_preview_shows_the_zone_found_and_confirm_creates_the_circle(app, uow, p2pu):
    client = app.test_client()
    make_circle(uow, facilitator=A_PHONE)
    sign_in(client, uow)
    p2pu.put(kansas_city())
    listing = get(client, "/facilitator/circles").get_data(as_text=True)
    assert 'href="/facilitator/circles/import"' in listing
    token = csrf(client, "/facilitator/circles/import")
    no_token = client.post("/facilitator/circles/import", data={"url": SIGNUP, "confirm": "1"}, base_url=HTTPS)
    assert no_token.status_code == 400 and circles(uow) == 1  # Flask-WTF refuses a form without its token
    preview = post(client, "/facilitator/circles/import", {"url": SIGNUP, "csrf_token": token})
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and circles(uow) == 1
    assert "America/Chicago" in page and "Public Speaking at Plaza" in page and "Plaza Branch, Room 2" in page
    done = post(client, "/facilitator/circles/import", {"url": SIGNUP, "confirm": "1", "csrf_token": token})
    assert done.status_code == 302
    with uow() as db:
        made = db.scalar(select(Circle).where(Circle.p2pu_id == 4321))
        assert (made.timezone, made.weeks, made.capacity, made.weekday) == ("America/Chicago", 6, 15, 2)
        code, url = made.code, made.course_url
    assert done.headers["Location"].endswith(f"/facilitator/circles/{code}")
    flyer = get(client, f"/facilitator/circles/{code}/flyer").get_data(as_text=True)
    assert url in flyer
    again = post(client, "/facilitator/circles/import", {"url": "4321", "csrf_token": token})
    assert f"This updates circle {code}" in again.get_data(as_text=True)


@pytest.mark.parametrize(
    ("item", "words"),
    [
        ({"draft": True}, "still a draft"),
        ({"start_date": "2020-01-08", "last_meeting_date": "2020-02-12", "status": "completed"}, "has finished"),
        ({"online": True, "venue": ""}, "meets online"),
        (None, "no learning circle with that number"),
    ],
    ids=["draft", "finished", "online", "unknown"],
)
def test_refusals_are_said_on_the_page_and_create_nothing(app, uow, p2pu, item, words):
    client = app.test_client()
    make_circle(uow, facilitator=A_PHONE)
    sign_in(client, uow)
    if item is not None:
        p2pu.put(kansas_city(**item))
    token = csrf(client, "/facilitator/circles/import")
    for confirm in ("", "1"):
        answer = post(client, "/facilitator/circles/import", {"url": SIGNUP, "confirm": confirm, "csrf_token": token})
        assert answer.status_code == 400 and words in answer.get_data(as_text=True)
    assert circles(uow) == 1


def test_the_import_page_speaks_the_reader_s_language(app, uow, p2pu):
    client = app.test_client()
    make_circle(uow, facilitator=A_PHONE)
    sign_in(client, uow)
    assert post(client, "/facilitator/language", {"language": "es", "next": "/facilitator/circles"}).status_code == 302
    assert "Importar de P2PU" in get(client, "/facilitator/circles").get_data(as_text=True)
    p2pu.put(kansas_city(draft=True))
    token = csrf(client, "/facilitator/circles/import")
    answer = post(client, "/facilitator/circles/import", {"url": "4321", "csrf_token": token})
    assert "Este círculo todavía es un borrador en P2PU" in answer.get_data(as_text=True)
