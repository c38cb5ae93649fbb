"""The create-circle form (issue 24): a field for the code (as the CLI's ``--code``), no silent maxlength
cut (a long name is said to be too long), the weekday mismatch names the date the first meeting would be,
and everyday time zone names ("Central", "CST") are accepted. On every backend."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.domain.circles import find
from tests.e2e.test_facilitator_pages import A_PHONE, csrf, get, pages, post, sign_in  # noqa: F401
from tests.helpers import make_circle


def _form(starts: date, weekday: str, **changes) -> dict:
    form = {
        "name": "Intro to Computers",
        "venue": "Central Library",
        "language": "en",
        "timezone": "Central",
        "weekday": weekday,
        "time": "18:00",
        "starts": starts.isoformat(),
        "weeks": "6",
        "capacity": "12",
    }
    form.update(changes)
    return form


def _next(weekday: int) -> date:
    today = date.today() + timedelta(days=2)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def test_the_form_takes_a_code_and_a_friendly_zone_and_names_the_right_date(pages, uow):  # noqa: F811
    make_circle(uow, facilitator=A_PHONE)  # KC42, so A_PHONE is a facilitator
    sign_in(pages, uow)
    blank = get(pages, "/facilitator/circles/new").get_data(as_text=True)
    assert 'id="f-code"' in blank
    assert not re.search(r'id="f-(name|venue)"[^>]*maxlength', blank)
    token = csrf(pages, "/facilitator/circles/new")

    wednesday = _next(2)
    tuesday = wednesday - timedelta(days=1)
    wrong = post(pages, "/facilitator/circles/new", _form(tuesday, "wed", code="lib7"), token=token)
    assert wrong.status_code == 400
    text = wrong.get_data(as_text=True)
    named = f"{wednesday:%A}, {wednesday:%B} {wednesday.day}, {wednesday.year}"
    assert f"is a Tuesday, but the circle meets on Wednesday. The first meeting would be on {named}" in text

    long_name = post(pages, "/facilitator/circles/new", _form(wednesday, "wed", name="N" * 45), token=token)
    assert long_name.status_code == 400 and "Name can be at most 40 characters." in long_name.get_data(as_text=True)
    bad_code = post(pages, "/facilitator/circles/new", _form(wednesday, "wed", code="x!"), token=token)
    assert "A code is 3 to 8 letters or digits, like KC42." in bad_code.get_data(as_text=True)
    taken = post(pages, "/facilitator/circles/new", _form(wednesday, "wed", code="kc42"), token=token)
    assert taken.status_code == 400 and "The code KC42 is taken by another circle." in taken.get_data(as_text=True)
    mars = post(pages, "/facilitator/circles/new", _form(wednesday, "wed", timezone="Mars"), token=token)
    assert mars.status_code == 400 and "Choose a time zone from the list" in mars.get_data(as_text=True)

    made = post(pages, "/facilitator/circles/new", _form(wednesday, "wed", code="lib7"), token=token)
    assert made.status_code == 302 and made.headers["Location"].endswith("/facilitator/circles/LIB7")
    made = post(pages, "/facilitator/circles/new", _form(wednesday, "wed", code="", timezone="CST"), token=token)
    assert made.status_code == 302
    with uow() as db:
        assert find(db, "LIB7").timezone == "America/Chicago"
        other = made.headers["Location"].rsplit("/", 1)[1]
        assert find(db, other).timezone == "America/Chicago"
