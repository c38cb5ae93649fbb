"""Issue 22: LEAVE over a signed Twilio SMS (both backends): LEAVE alone asks, a digit or a yes never
leaves (it is reminded of the phrase), and only ``LEAVE <code>``, the phrase the question showed, leaves."""

from __future__ import annotations

from sqlalchemy import select

from bot.store.models import Circle, Enrollment
from tests.helpers import make_circle, text

AMINA, ZAWADI = "+18165550123", "+254712345678"


def statuses(uow, phone_hint: str | None = None) -> dict[str, str]:
    with uow() as session:
        return dict(session.execute(select(Circle.code, Enrollment.status).join(Enrollment)).all())


def test_leave_and_a_digit_keep_her_in_and_the_exact_phrase_leaves(client, uow):
    make_circle(uow)
    make_circle(uow, code="TU31", name="Tech Basics", facilitator="+18165550101")
    text(client, "JOIN KC42"), text(client, "Amina"), text(client, "1")
    text(client, "JOIN TU31")
    assert statuses(uow) == {"KC42": "active", "TU31": "active"}
    asked = text(client, "LEAVE")[0]
    assert "LEAVE KC42 (Kansas City Basics)" in asked and "LEAVE TU31 (Tech Basics)" in asked
    for unsure in ("1", "YES", "OK"):
        reminded = text(client, unsure)[0]
        assert reminded.startswith("A number or a yes does not leave a circle.") and "LEAVE KC42" in reminded
    assert statuses(uow) == {"KC42": "active", "TU31": "active"}  # nobody told "you have left"
    assert text(client, "LEAVE KC42")[0].startswith("You have left Kansas City Basics.")
    assert statuses(uow) == {"KC42": "left", "TU31": "active"}


def test_one_circle_in_swahili_asks_with_its_phrase_and_sawa_never_leaves(client, uow):
    make_circle(uow, language="sw", tz="Africa/Nairobi", facilitator="+254712000000")
    text(client, "JOIN KC42", ZAWADI), text(client, "Zawadi", ZAWADI), text(client, "6", ZAWADI)
    asked = text(client, "Ondoka", ZAWADI)[0]
    assert "jibu ONDOKA KC42." in asked
    assert "ONDOKA KC42" in text(client, "Sawa", ZAWADI)[0]
    assert text(client, "1", ZAWADI) and statuses(uow) == {"KC42": "active"}
    text(client, "Ondoka KC42", ZAWADI)
    assert statuses(uow) == {"KC42": "left"}
