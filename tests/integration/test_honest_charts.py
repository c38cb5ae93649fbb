"""Honest charts (issue 24, item 3), on both backends.

Amina and Bea join; Amina answers meeting 1's check-in, nobody answers meeting 2's; Cara joins after
meeting 1. Every held week is listed with its "no reply" count (meeting 2 too, though nobody answered), a
learner counts only for meetings after they joined (Cara is not a "no reply" of meeting 1), and every bar's
full width is the number enrolled (3), never the largest bar.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from bot.domain.circles import find
from bot.reports import stats
from bot.store.models import Meeting
from tests.e2e.test_facilitator_pages import get, pages, sign_in  # noqa: F401  (the fixture)
from tests.helpers import make_circle
from tests.integration.sim import Sim

AMINA, BEA, CARA, FAC = "+18165550123", "+18165550124", "+18165550126", "+18165550100"


def join(sim, phone, name):
    sim.text(phone, "JOIN KC42")
    sim.text(phone, name)
    sim.text(phone, "1")


def test_every_held_week_shows_its_no_reply_and_bars_are_scaled_to_the_enrolled(runtime, uow, pages):  # noqa: F811
    make_circle(uow, weeks=4, facilitator=FAC)
    sim = Sim(runtime, quiet_hours="")
    join(sim, AMINA, "Amina")
    join(sim, BEA, "Bea")
    with uow() as session:
        first, second = [m.starts_at for m in session.scalars(select(Meeting).order_by(Meeting.seq))][:2]
    sim.run_until(first + timedelta(hours=30))  # meeting 1's check-ins went out
    assert any("How did this week" in b for _, b in sim.inbox(AMINA))
    sim.text(AMINA, "1")  # great
    join(sim, CARA, "Cara")
    sim.run_until(second + timedelta(hours=30))  # meeting 2's check-ins went out; nobody answers
    with uow() as session:
        circle = find(session, "KC42")
        weeks = dict(stats.checkins(session, circle, sim.now))
        enrolled = stats.enrolled(session, circle)
        came = {m.seq: m.enrolled for m in stats.rsvps(session, circle)}
    assert enrolled == 3
    assert weeks[1] == {"great": 1, "okay": 0, "stuck": 0, "none": 1}  # Bea; Cara joined after it
    assert weeks[2] == {"great": 0, "okay": 0, "stuck": 0, "none": 3}  # listed though nobody answered
    assert sorted(weeks) == [1, 2]  # meetings 3 and 4 are not held yet
    assert came[1] == 2 and came[2] == 3

    sign_in(pages, uow, FAC)
    page = get(pages, "/facilitator/circles/KC42/charts").get_data(as_text=True)
    assert 'id="rsvp-chart"' in page and re.search(r'id="rsvp-chart"[^>]*data-scale="3"', page)
    assert re.search(r'id="checkin-chart"[^>]*data-scale="3"', page)
    # Meeting 1's RSVP bar: 2 learners of 3 enrolled, so it fills 2/3 of the 339-unit track, not all of it.
    rsvp = page[page.index('id="rsvp-chart"') : page.index("</svg>", page.index('id="rsvp-chart"'))]
    widths = [
        float(w)
        for w in re.findall(
            r'<rect x="[\d.]+" y="21.5" width="([\d.]+)" height="20" fill="[^"]+" stroke="#222" data-series', rsvp
        )
    ]
    assert abs(sum(widths) - 339 * 2 / 3) < 0.5, widths
    assert "A full bar is everyone in the circle: 3 learners." in page
    assert '<tr data-seq="2"><th scope="row">M2</th><td class="great">0</td>' in page
    assert re.search(r'<tr data-seq="2">.*?<td class="none">3</td>', page)
    # No text under 14 units in a drawing 340 units wide (a phone's width): never under 12 CSS px there.
    sizes = [int(s) for s in re.findall(r'font-size="(\d+)"', page)]
    assert sizes and min(sizes) >= 14
    assert re.findall(r'viewBox="0 0 (\d+) ', page) and {int(w) for w in re.findall(r'viewBox="0 0 (\d+) ', page)} == {
        340
    }
