"""Joining and leaving circles: the one owner of an enrollment's status and of who gets a place.

A learner is *active* in a circle while it has a place free for them, else on its *waiting list*
(first come, first served: by the time they joined, then by enrollment id). A learner who *left*
(LEAVE, FORGET) and joins again gets a fresh enrollment time, so they queue behind those already
waiting. A facilitator may add a learner who signed up on paper or who has only a landline
(``add_landline``); the same capacity rule places them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import AliasedClass

from bot.domain import contacts, relay_handles
from bot.store.models import Address, Circle, Enrollment


class EnrollmentStatus(StrEnum):
    """An enrollment's status, as stored in ``enrollment.status``."""

    ACTIVE = "active"
    WAITLIST = "waitlist"
    LEFT = "left"


CURRENT = (EnrollmentStatus.ACTIVE, EnrollmentStatus.WAITLIST)  # in the circle, or waiting for a place in it
QUEUE_ORDER = (Enrollment.created_at, Enrollment.id)  # first come, first served


def find(session: Session, contact_id: int, circle_id: int) -> Enrollment | None:
    """The contact's enrollment in the circle (any status), or None if they never joined it."""
    return session.scalar(
        select(Enrollment).where(Enrollment.contact_id == contact_id, Enrollment.circle_id == circle_id)
    )


def is_current(session: Session, contact_id: int, circle_id: int) -> bool:
    """True when the contact is in the circle or on its waiting list."""
    enrollment = find(session, contact_id, circle_id)
    return enrollment is not None and enrollment.status in CURRENT


def active_count(session: Session, circle_id: int) -> int:
    """How many places of the circle are taken (its active learners)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Enrollment)
            .where(Enrollment.circle_id == circle_id, Enrollment.status == EnrollmentStatus.ACTIVE)
        )
        or 0
    )


def has_room(session: Session, circle: Circle) -> bool:
    """True while the circle has a place free (fewer active learners than its capacity)."""
    return active_count(session, circle.id) < circle.capacity


def enroll(
    session: Session, contact_id: int, circle: Circle, now: datetime, status: EnrollmentStatus | None = None
) -> Enrollment:
    """Puts a contact in a circle, and returns their enrollment.

    Args:
        session: the transaction.
        contact_id: who joins.
        circle: the circle they join.
        now: the current time (UTC): a new or renewed enrollment joined now.
        status: the status a flow decided (signup, a waitlist offer taken) from the counts it was given;
            it is set whatever the enrollment was. None: decided here by capacity (``has_room``), and a
            learner already in the circle or waiting for a place stays as they are.
    """
    enrollment = find(session, contact_id, circle.id)
    if status is None:
        if enrollment is not None and enrollment.status in CURRENT:
            return enrollment
        status = EnrollmentStatus.ACTIVE if has_room(session, circle) else EnrollmentStatus.WAITLIST
    if enrollment is None:
        enrollment = Enrollment(contact_id=contact_id, circle_id=circle.id, status=status, created_at=now)
        session.add(enrollment)
    else:
        enrollment.status, enrollment.created_at = status, now
    session.flush()
    if circle.facilitator_id is not None:  # one numbering: the HERE list and the roster use this #N from day one
        relay_handles.handle_for(session, circle.facilitator_id, contact_id, now)
    return enrollment


def add_landline(session: Session, circle: Circle, number: str, name: str, language: str, now: datetime) -> Enrollment:
    """A learner the facilitator adds who is reached by calls only (ADD, or the roster's "phone calls").

    The contact of ``number`` (E.164), made with ``name`` and ``language`` if new, gets a preferred
    ``voice`` address consented as added by the facilitator (``contacts.with_landline``), and is enrolled
    by capacity (``enroll``); one already in the circle or on its waiting list stays as they are.
    """
    contact = contacts.with_landline(session, number, name, language, now)
    return enroll(session, contact.id, circle, now)


def leave(session: Session, contact_id: int, circle_id: int | None = None) -> None:
    """The contact leaves the circle (``None``: every circle), keeping their enrollment as ``left``."""
    query = update(Enrollment).where(Enrollment.contact_id == contact_id)
    if circle_id is not None:
        query = query.where(Enrollment.circle_id == circle_id)
    session.execute(query.values(status=EnrollmentStatus.LEFT))


def ahead_of(
    other: type[Enrollment] | AliasedClass[Enrollment], enrollment: type[Enrollment] | AliasedClass[Enrollment]
) -> ColumnElement[bool]:
    """SQL: enrollment ``other`` is before ``enrollment`` on its circle's waiting list (two aliases of
    ``Enrollment``); counting them gives ``enrollment``'s place (``position``)."""
    return and_(
        other.circle_id == enrollment.circle_id,
        other.status == EnrollmentStatus.WAITLIST,
        or_(
            other.created_at < enrollment.created_at,
            and_(other.created_at == enrollment.created_at, other.id < enrollment.id),
        ),
    )


def position(ahead: int | None) -> int:
    """A waitlisted learner's place on the waiting list (1 is next) from how many are ahead of them."""
    return (ahead or 0) + 1


def channels(session: Session, circle_id: int) -> dict[str, int]:
    """How many of the circle's learners (in it or waiting) are reached on each channel (their preferred
    address's: ``sms``, ``voice``…), for ``circle show --json``."""
    rows = session.execute(
        select(Address.channel, func.count())
        .join(Enrollment, Enrollment.contact_id == Address.contact_id)
        .where(Enrollment.circle_id == circle_id, Enrollment.status.in_(CURRENT), Address.preferred.is_(True))
        .group_by(Address.channel)
    )
    return {channel: count for channel, count in rows}
