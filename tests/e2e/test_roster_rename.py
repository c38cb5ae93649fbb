"""Renaming a learner on the roster (a learner who joined by phone as "Caller ending 0271"): CSRF, the
circle's own learners only, a name with letters."""

from __future__ import annotations

from sqlalchemy import select

from bot.store.models import Contact, Enrollment
from tests.e2e.test_facilitator_pages import A_PHONE, add_learner, csrf, get, pages, post, sign_in  # noqa: F401
from tests.helpers import make_circle


def test_the_facilitator_renames_a_caller_nobody_could_hear(pages, uow):  # noqa: F811
    make_circle(uow, facilitator=A_PHONE)
    make_circle(uow, code="KC43", facilitator="+18165550111", name="Other Circle")
    caller = add_learner(uow, "+18165550171", name="Caller ending 0171", channel="voice")
    other = add_learner(uow, "+18165550172", name="Bea", code="KC43")
    with uow() as db:
        mine = db.scalar(select(Enrollment.id).where(Enrollment.contact_id == caller))
        theirs = db.scalar(select(Enrollment.id).where(Enrollment.contact_id == other))
    sign_in(pages, uow)
    page = get(pages, "/facilitator/circles/KC42/roster").get_data(as_text=True)
    assert "New name for Caller ending 0171" in page and "Rename" in page
    token = csrf(pages, "/facilitator/circles/KC42/roster")
    path = f"/facilitator/circles/KC42/roster/{mine}/rename"
    assert post(pages, path, {"name": "Wanjiru", "csrf_token": ""}).status_code == 400  # no CSRF token
    said = post(pages, path, {"name": "123"}, token=token, follow_redirects=True).get_data(as_text=True)
    assert "A name needs at least one letter." in said
    elsewhere = post(
        pages, f"/facilitator/circles/KC42/roster/{theirs}/rename", {"name": "X"}, token=token, follow_redirects=True
    )
    assert "That learner is not in this circle." in elsewhere.get_data(as_text=True)
    done = post(pages, path, {"name": " Wanjiru <b> "}, token=token, follow_redirects=True).get_data(as_text=True)
    assert "Renamed." in done and "Wanjiru b" in done
    with uow() as db:
        assert db.get(Contact, caller).name == "Wanjiru b" and db.get(Contact, other).name == "Bea"
