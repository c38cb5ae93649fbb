"""The facilitator pages in the reader's language down to the letters (issue 23): the chart's bar letters
(Y/N/A in English) and an erased learner on the roster are translated, and a count takes its plural form."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from sqlalchemy import select

from bot.store.models import Contact, Meeting, Rsvp
from tests.e2e.test_facilitator_pages import A_PHONE, add_learner, get, pages, post, sign_in  # noqa: F401
from tests.helpers import make_circle


def in_language(client, lang: str) -> None:
    assert post(client, "/facilitator/language", {"language": lang, "next": "/facilitator/circles"}).status_code == 302


def test_chart_letters_are_the_reader_s(pages, uow):  # noqa: F811
    make_circle(uow, facilitator=A_PHONE)
    ids = [add_learner(uow, f"+1816555013{n}", name=f"L{n}") for n in range(3)]
    with uow() as db:
        first = db.scalars(select(Meeting).where(Meeting.seq == 1)).one()
        now = datetime.now(timezone.utc)
        for contact_id, answer in zip(ids, ("yes", "yes", "no"), strict=True):
            db.add(Rsvp(meeting_id=first.id, contact_id=contact_id, answer=answer, created_at=now, updated_at=now))
        db.commit()
    sign_in(pages, uow)
    in_language(pages, "es")
    page = get(pages, "/facilitator/circles/KC42/charts").get_data(as_text=True)
    bars = re.findall(r'data-series="\d">([^<]*)</t(?:ext|span)>', page)
    assert "S 2" in bars and "N 1" in bars and not any(bar.startswith("Y ") for bar in bars)
    assert "Letras en las barras: S sí, N no" in page
    in_language(pages, "pl")
    page = get(pages, "/facilitator/circles/KC42/charts").get_data(as_text=True)
    assert "T 2" in re.findall(r'data-series="\d">([^<]*)</t(?:ext|span)>', page)


def test_an_erased_learner_is_named_in_the_reader_s_language(pages, uow):  # noqa: F811
    make_circle(uow, facilitator=A_PHONE)
    erased = add_learner(uow, "+18165550130", name="Amina")
    with uow() as db:
        contact = db.get(Contact, erased)
        contact.erased_at, contact.name = datetime.now(timezone.utc), None
        db.commit()
    sign_in(pages, uow)
    in_language(pages, "fr")
    page = get(pages, "/facilitator/circles/KC42/roster").get_data(as_text=True)
    assert "(effacé)" in page and "(erased)" not in page
