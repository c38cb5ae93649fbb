"""A learner who joins after a meeting was held (issue 22, item 2), on both backends.

Meeting 1 is over and its check-ins went out; then Cara joins. Nothing may be about meeting 1 for her:
no check-in, no "we miss you" (now or after meeting 2, her first), no "no reply" in the charts, and the
CSV says ``n/a``, not a blank, for meeting 1. She gets the reminders of the meetings after she joined, and
the survey at the end. A waitlisted learner the facilitator lets in after meeting 1 joined then, too.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from bot.domain import roster
from bot.domain.circles import find
from bot.reports import export, stats
from bot.store.models import Enrollment, Meeting, Outbox
from tests.helpers import contact_of, make_circle
from tests.integration.sim import Sim

AMINA, CARA, FAC = "+18165550123", "+18165550126", "+18165550100"
CHECKIN, MISSED, ENDED = "How did this week", "We missed you", "has ended"


def meetings(uow):
    with uow() as session:
        return [(m.id, m.starts_at) for m in session.scalars(select(Meeting).order_by(Meeting.seq))]


def join(sim, phone, name):
    """Joins by text; returns the inline replies (the welcome among them)."""
    return sim.text(phone, "JOIN KC42") + sim.text(phone, name) + sim.text(phone, "1")


def kinds(uow, phone):
    """The outbox rows planned for ``phone``: (kind, meeting id)."""
    with uow() as session:
        contact = contact_of(session, phone)
        return sorted(
            session.execute(select(Outbox.kind, Outbox.meeting_id).where(Outbox.contact_id == contact.id)).all(),
            key=lambda row: (row[1] or 0, row[0]),
        )


def test_a_late_joiner_is_never_asked_about_a_meeting_before_they_joined(runtime, uow):
    make_circle(uow, weeks=4, facilitator=FAC)
    sim = Sim(runtime, quiet_hours="")
    join(sim, AMINA, "Amina")
    (m1, first), (m2, second), (m3, _), (m4, last) = meetings(uow)
    sim.run_until(first + timedelta(hours=30))  # meeting 1 held, its check-ins sent the next day at 10:00
    assert len([b for _, b in sim.inbox(AMINA) if CHECKIN in b]) == 1
    welcome = join(sim, CARA, "Cara")
    assert any("Welcome" in b for b in welcome), welcome
    sim.advance(timedelta(minutes=1))  # the tick right after she joined plans meeting 1's follow-ups again
    assert not [b for _, b in sim.inbox(CARA) if CHECKIN in b or MISSED in b]
    sim.run_until(second + timedelta(hours=30))  # she ignored meeting 2: her first, so nothing to miss yet
    said = [b for _, b in sim.inbox(CARA)]
    assert not [b for b in said if MISSED in b], said
    assert len([b for b in said if CHECKIN in b]) == 1  # about meeting 2
    with uow() as session:
        circle = find(session, "KC42")
        counted = {m.seq: (m.yes, m.no, m.none) for m in stats.rsvps(session, circle)}
        rows = list(csv.DictReader(io.StringIO(export.to_csv(export.learners(session, circle)))))
    assert counted[1] == (0, 0, 1) and counted[2] == (0, 0, 2)  # meeting 1: Amina only
    cara = next(r for r in rows if r["name"] == "Cara")
    assert (cara["rsvp_1"], cara["attended_1"], cara["checkin_1"]) == ("n/a", "n/a", "n/a")
    assert (cara["rsvp_2"], cara["attended_2"]) == ("", "")
    sim.run_until(last + timedelta(hours=30))
    assert len([b for _, b in sim.inbox(CARA) if ENDED in b]) == 1  # the learner survey
    planned = kinds(uow, CARA)
    assert [k for k, m in planned if m == m1] == []
    assert [k for k, m in planned if m == m2] == ["checkin", "reminder"]
    assert [k for k, m in planned if m == m3] == ["missyou", "reminder"]  # 2 and 3 both missed: fair
    assert [k for k, m in planned if m == m4] == ["reminder"]
    assert [k for k, m in planned if m is None] == ["survey"]


def test_a_learner_let_in_from_the_waiting_list_joined_when_let_in(runtime, uow):
    make_circle(uow, weeks=3, facilitator=FAC, capacity=1)
    sim = Sim(runtime, quiet_hours="")
    join(sim, AMINA, "Amina")
    join(sim, CARA, "Cara")  # the circle is full: she waits
    (m1, first), _, _ = meetings(uow)
    sim.run_until(first + timedelta(hours=4))
    sim.text(AMINA, "LEAVE KC42")
    with uow() as session:
        circle = find(session, "KC42")
        cara = session.scalar(select(Enrollment).where(Enrollment.contact_id == contact_of(session, CARA).id))
        assert cara.status == "waitlist" and cara.created_at < first
        roster.promote(session, runtime.settings, circle, cara.id, sim.now)
        session.commit()
    sim.run_until(first + timedelta(hours=30))
    assert not [b for _, b in sim.inbox(CARA) if CHECKIN in b or MISSED in b]
    assert [k for k, m in kinds(uow, CARA) if m == m1] == []
