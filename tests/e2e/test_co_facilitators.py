"""Co-facilitators (issue 24, item 11), on every backend: added with a name (shown beside the masked
number), told by one text with where to sign in and how to decline, removable by a button, also by
themselves (the way to decline)."""

from __future__ import annotations

from sqlalchemy import select

from bot.render import codec
from bot.store.models import Outbox
from flows import keys
from tests.e2e.test_facilitator_pages import A_PHONE, csrf, get, pages, post, sign_in  # noqa: F401
from tests.helpers import make_circle

ANA = "+18165550177"


def _texts_to(uow, phone):
    with uow() as db:
        return [codec.load(r.replies) for r in db.scalars(select(Outbox).where(Outbox.address == phone))]


def test_a_co_facilitator_is_named_told_and_can_decline(pages, uow, app):  # noqa: F811
    make_circle(uow, facilitator=A_PHONE)
    sign_in(pages, uow)
    token = csrf(pages, "/facilitator/circles/KC42")
    added = post(
        pages, "/facilitator/circles/KC42/co-facilitators", {"name": "Ana", "phone": "(816) 555-0177"}, token=token
    )
    assert added.status_code == 302
    page = get(pages, "/facilitator/circles/KC42").get_data(as_text=True)
    assert 'Ana <span class="muted">(+1******0177)</span>' in page
    assert "They get a text that says how to decline." in page
    assert 'aria-label="Remove Ana as co-facilitator"' in page and 'class="danger"' in page
    told = _texts_to(uow, ANA)
    assert len(told) == 1
    (reply,) = told[0]
    assert reply.key == keys.PAGES_CO_FACILITATOR_ADDED
    assert reply.params["circle"] == "Kansas City Basics"
    assert reply.params["url"].endswith("/facilitator/login")
    post(pages, "/facilitator/circles/KC42/co-facilitators", {"name": "Ana", "phone": ANA}, token=token)
    assert len(_texts_to(uow, ANA)) == 1  # added again: nobody is texted twice

    # Ana signs in with her number and takes herself off (the text's "not for you").
    ana = app.test_client()
    sign_in(ana, uow, ANA)
    mine = get(ana, "/facilitator/circles/KC42").get_data(as_text=True)
    assert "Remove Ana as co-facilitator" in mine
    with uow() as db:
        from bot.store.models import Facilitator

        ana_id = db.scalars(select(Facilitator.id).where(Facilitator.name == "Ana")).one()
    gone = post(
        ana, f"/facilitator/circles/KC42/co-facilitators/{ana_id}/remove", token=csrf(ana, "/facilitator/circles")
    )
    assert gone.status_code == 302
    assert get(ana, "/facilitator/circles/KC42").status_code == 404
    assert "Ana" not in get(pages, "/facilitator/circles/KC42").get_data(as_text=True)
    again = post(pages, f"/facilitator/circles/KC42/co-facilitators/{ana_id}/remove", token=token)
    assert again.status_code == 303
    long_name = post(pages, "/facilitator/circles/KC42/co-facilitators", {"name": "A" * 41, "phone": ANA}, token=token)
    assert long_name.status_code == 303
