"""The facilitator's roster and charts for a learner who joined after meeting 1 (issue 22, item 2).

Meeting 1 is not theirs: the roster says "before they joined" in its cell, not the dash of "no reply",
and the RSVP chart counts them from meeting 2 on. Both backends.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.store.models import Circle, Enrollment, Meeting
from tests.e2e.test_facilitator_pages import last_code
from tests.helpers import add_contact, make_circle

A_PHONE = "+18165550100"
HTTPS = "https://circlebot.example.org"


@pytest.fixture
def pages(app):
    """A client on https (the session cookie is Secure outside demo)."""
    app.config["WTF_CSRF_SSL_STRICT"] = False
    return app.test_client()


def get(client, path):
    return client.get(path, base_url=HTTPS)


def post(client, path, data):
    page = get(client, "/facilitator/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post(path, data={**data, "csrf_token": token}, base_url=HTTPS)


def sign_in(client, uow):
    assert post(client, "/facilitator/login", {"address": A_PHONE}).status_code == 302
    assert post(client, "/facilitator/login/code", {"code": last_code(uow)}).status_code == 302


def add_learner(uow, phone, name):
    with uow() as db:
        now = datetime.now(timezone.utc)
        contact = add_contact(db, phone, now, name=name, language="en")
        circle_id = db.scalars(select(Circle.id).where(Circle.code == "KC42")).one()
        db.add(Enrollment(contact_id=contact.id, circle_id=circle_id, status="active", created_at=now))
        db.commit()
        return contact.id


def test_roster_and_charts_do_not_count_a_meeting_before_a_learner_joined(pages, uow):
    make_circle(uow, facilitator=A_PHONE)
    add_learner(uow, "+18165550130", name="Amina")
    late = add_learner(uow, "+18165550131", name="Cara")
    with uow() as db:
        first = db.scalars(select(Meeting).where(Meeting.seq == 1)).one()
        enrollment = db.scalars(select(Enrollment).where(Enrollment.contact_id == late)).one()
        enrollment.created_at = first.ends_at + timedelta(hours=20)  # the day after meeting 1
        db.commit()
    sign_in(pages, uow)
    roster = get(pages, "/facilitator/circles/KC42/roster").get_data(as_text=True)
    cara = re.search(r"<tr><td[^>]*>[^<]*</td><td[^>]*>Cara</td>.*?</tr>", roster, re.S).group(0)
    amina = re.search(r"<tr><td[^>]*>[^<]*</td><td[^>]*>Amina</td>.*?</tr>", roster, re.S).group(0)
    cell = re.compile(r'<td data-seq="(\d+)"[^>]*><span class="rsvp">(.*?)</span>')
    assert dict(cell.findall(cara))["1"] == "before they joined" and dict(cell.findall(cara))["2"] == "&ndash;"
    assert dict(cell.findall(amina))["1"] == "&ndash;"
    charts = get(pages, "/facilitator/circles/KC42/charts").get_data(as_text=True)
    none = {seq: int(n) for seq, n in re.findall(r'<tr data-seq="(\d+)">.*?<td class="none">(\d+)</td>', charts, re.S)}
    assert none["1"] == 1 and none["2"] == 2
