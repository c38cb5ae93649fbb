"""The joining rules, in one place (``bot.domain.enrollments``): a place while there is room, else the
waiting list in order; rejoining after leaving; a status a flow decided; a landline added by a facilitator."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from bot.domain import enrollments
from bot.domain.contacts import ConsentSource
from bot.domain.enrollments import EnrollmentStatus
from bot.store.models import Address, Circle, Enrollment
from tests.helpers import add_contact, make_circle

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
PHONES = ["+1816555014%d" % n for n in range(5)]


def _position(session, enrollment_id: int) -> int:
    """Where an enrollment stands on its waiting list, counted as the inbound context counts it."""
    other, me = aliased(Enrollment), aliased(Enrollment)
    ahead = session.scalar(
        select(func.count()).select_from(other).join(me, enrollments.ahead_of(other, me)).where(me.id == enrollment_id)
    )
    return enrollments.position(ahead)


def test_capacity_waiting_list_order_and_rejoining(uow):
    circle_id = make_circle(uow, capacity=2)
    with uow() as session:
        circle = session.get(Circle, circle_id)
        people = [add_contact(session, phone, NOW) for phone in PHONES[:4]]
        joined = [
            enrollments.enroll(session, person.id, circle, NOW + timedelta(minutes=n))
            for n, person in enumerate(people)
        ]
        assert [e.status for e in joined] == ["active", "active", "waitlist", "waitlist"]
        assert not enrollments.has_room(session, circle) and enrollments.active_count(session, circle.id) == 2
        assert [_position(session, e.id) for e in joined[2:]] == [1, 2]
        again = enrollments.enroll(session, people[2].id, circle, NOW + timedelta(hours=1))
        assert again.id == joined[2].id and again.created_at == NOW + timedelta(minutes=2)  # already waiting: kept
        enrollments.leave(session, people[0].id, circle.id)
        session.expire_all()
        assert session.get(Enrollment, joined[0].id).status == EnrollmentStatus.LEFT
        assert enrollments.has_room(session, circle) and not enrollments.is_current(session, people[0].id, circle.id)
        back = enrollments.enroll(session, people[0].id, circle, NOW + timedelta(hours=2))
        assert back.id == joined[0].id and back.status == "active" and back.created_at == NOW + timedelta(hours=2)
        offered = enrollments.enroll(session, people[3].id, circle, NOW + timedelta(hours=3), EnrollmentStatus.ACTIVE)
        assert offered.status == "active"  # a status a flow decided is set as given
        assert _position(session, joined[2].id) == 1
        session.rollback()


def test_a_landline_added_by_the_facilitator(uow):
    circle_id = make_circle(uow, capacity=1)
    with uow() as session:
        circle = session.get(Circle, circle_id)
        first = enrollments.add_landline(session, circle, PHONES[0], "Rosa", "es", NOW)
        second = enrollments.add_landline(session, circle, PHONES[1], "Ben", "en", NOW)
        assert (first.status, second.status) == ("active", "waitlist")
        voice = session.scalar(select(Address).where(Address.value == PHONES[0]))
        assert (voice.channel, voice.preferred, voice.consent_source) == (
            "voice",
            True,
            ConsentSource.ADDED_BY_FACILITATOR,
        )
        assert enrollments.add_landline(session, circle, PHONES[1], "Ben", "en", NOW).status == "waitlist"
        session.rollback()
