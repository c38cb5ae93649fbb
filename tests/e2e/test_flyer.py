"""The flyer (issue 24, item 11), on every backend: the next meeting once the first is past (never a past
"First meeting"), the weekly pattern, "then press #" on the dial-in line, and a QR code with a viewBox
(sized and centred by the page, not by fixed width and height)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.e2e.test_facilitator_pages import get, sign_in
from tests.helpers import make_circle, test_app

FAC = "+18165550100"


@pytest.fixture
def flyer_app(backend, tmp_path):
    """An app whose texting number is known (TWILIO_FROM), so the flyer shows it."""
    app = test_app(backend, tmp_path, TWILIO_FROM="+18165550100")
    app.config["WTF_CSRF_SSL_STRICT"] = False
    yield app
    app.extensions["circlebot"].uow.engine.dispose()


def _flyer(app, starts: date, language: str = "en") -> str:
    uow = app.extensions["circlebot"].uow
    make_circle(uow, facilitator=FAC, starts=starts, weekday=starts.weekday(), weeks=6, language=language)
    client = app.test_client()
    sign_in(client, uow, FAC)
    return get(client, "/facilitator/circles/KC42/flyer").get_data(as_text=True)


def test_a_flyer_after_the_first_meeting_shows_the_next_one_and_the_pattern(flyer_app):
    starts = date.today() - timedelta(days=8)
    page = _flyer(flyer_app, starts)
    assert "First meeting" not in page
    assert re.search(r'id="next-meeting">Next meeting: ', page)
    weekday = starts.strftime("%A")
    assert f"Every {weekday} at 6:00\u202fPM, 6 weeks" in page or f"Every {weekday} at 6:00 PM, 6 weeks" in page
    assert re.search(r"Join by phone: call \(816\) 555-0100, type \d{6}, then press #\.", page)
    svg = re.search(r"<svg[^>]*>", page).group(0)
    assert "viewBox=" in svg and "width=" not in svg and "height=" not in svg


def test_a_new_circle_s_flyer_says_first_meeting_in_its_language(flyer_app):
    starts = date.today() + timedelta(days=3)
    page = _flyer(flyer_app, starts, language="es")
    assert "Primera reunión: " in page and "Próxima reunión" not in page
    assert re.search(r"Cada \w+ a las [^,]+, 6 semanas", page), re.search(r"id=.pattern.>[^<]*", page)
    assert "luego pulsa #" in page
