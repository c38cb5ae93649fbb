"""Building the read-only flow context from the database (one query per kind of row): ``circle_view``, the one
builder of a ``CircleView`` (``bot.inbound.load`` uses it too), the facilitator's view and FIND's open circles."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from bot.domain import enrollments
from bot.domain.contacts import DELIVERABLE
from bot.domain.enrollments import EnrollmentStatus
from bot.domain.schedule import MeetingStatus
from bot.store.models import Address, Circle, Contact, Enrollment, Facilitator, Meeting, RelayHandle, Rsvp
from flows.context import CircleView, FacilitatedCircle, FacilitatorView, LearnerName, MeetingView


class CircleRowLike(Protocol):
    """A circle's row, ORM object or Core row (``bot.inbound.load.CircleRow``): the columns a view shows."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def venue(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def capacity(self) -> int: ...
    @property
    def phone_code(self) -> str: ...


def circle_view(
    circle: CircleRowLike, enrolled: int, next_meeting: datetime | None, facilitator_reachable: bool
) -> CircleView:
    """A circle as the flows see it, from its row and what was counted about it.

    Args:
        circle: the circle's row.
        enrolled: its active learners (the places taken).
        next_meeting: when its next meeting that is not cancelled starts (UTC), None when none is ahead.
        facilitator_reachable: whether its facilitator's preferred address may get a message (no STOP).
    """
    return CircleView(
        code=circle.code,
        name=circle.name,
        venue=circle.venue,
        timezone=circle.timezone,
        language=circle.language,
        capacity=circle.capacity,
        enrolled=enrolled,
        next_meeting=next_meeting,
        facilitator_reachable=facilitator_reachable,
        phone_code=circle.phone_code,
    )


def _views(session: Session, circles, now: datetime) -> dict[str, CircleView]:
    """The views of ``circles``, counted in three statements whatever their number."""
    ids = [c.id for c in circles]
    if not ids:
        return {}
    enrolled = dict(
        session.execute(
            select(Enrollment.circle_id, func.count())
            .where(Enrollment.circle_id.in_(ids), Enrollment.status == EnrollmentStatus.ACTIVE)
            .group_by(Enrollment.circle_id)
        ).all()
    )
    upcoming = dict(
        session.execute(
            select(Meeting.circle_id, func.min(Meeting.starts_at))
            .where(Meeting.circle_id.in_(ids), Meeting.starts_at > now, Meeting.status != MeetingStatus.CANCELLED)
            .group_by(Meeting.circle_id)
        ).all()
    )
    reachable = set(
        session.scalars(
            select(Circle.id)
            .join(Facilitator, Facilitator.id == Circle.facilitator_id)
            .join(Address, and_(Address.contact_id == Facilitator.contact_id, *DELIVERABLE))
            .where(Circle.id.in_(ids))
        )
    )
    return {c.code: circle_view(c, enrolled.get(c.id, 0), upcoming.get(c.id), c.id in reachable) for c in circles}


def facilitator_view(session: Session, contact_id: int | None, now: datetime) -> FacilitatorView | None:
    """The facilitator who sent this (by contact, on any channel), with their circles, meetings and handles."""
    if contact_id is None:
        return None
    facilitator = session.scalar(select(Facilitator).where(Facilitator.contact_id == contact_id))
    if facilitator is None:
        return None
    circles = session.scalars(select(Circle).where(Circle.facilitator_id == facilitator.id).order_by(Circle.id)).all()
    views = _views(session, circles, now)
    ids = [c.id for c in circles]
    meetings = session.scalars(select(Meeting).where(Meeting.circle_id.in_(ids)).order_by(Meeting.starts_at)).all()
    answers = {
        (m, a): n
        for m, a, n in session.execute(
            select(Rsvp.meeting_id, Rsvp.answer, func.count())
            .join(Meeting, Meeting.id == Rsvp.meeting_id)
            .join(Enrollment, and_(Enrollment.contact_id == Rsvp.contact_id, Enrollment.circle_id == Meeting.circle_id))
            .where(Meeting.circle_id.in_(ids), Enrollment.status == EnrollmentStatus.ACTIVE)
            .group_by(Rsvp.meeting_id, Rsvp.answer)
        )
    }
    active = {c.id: views[c.code].enrolled for c in circles}
    by_circle: dict[int, list[MeetingView]] = {}
    for m in meetings:
        yes, no = answers.get((m.id, "yes"), 0), answers.get((m.id, "no"), 0)
        by_circle.setdefault(m.circle_id, []).append(
            MeetingView(m.id, m.seq, m.starts_at, m.status, yes, no, max(active[m.circle_id] - yes - no, 0))
        )
    handles = frozenset(
        session.scalars(
            select(RelayHandle.number)
            .join(Enrollment, Enrollment.contact_id == RelayHandle.contact_id)
            .where(
                RelayHandle.facilitator_id == facilitator.id,
                Enrollment.circle_id.in_(ids),
                Enrollment.status.in_(enrollments.CURRENT),
            )
        )
    )
    numbers = dict(
        session.execute(
            select(RelayHandle.contact_id, RelayHandle.number).where(RelayHandle.facilitator_id == facilitator.id)
        ).all()
    )
    learners: dict[int, list[LearnerName]] = {}
    for circle_id, contact_id, name in session.execute(
        select(Enrollment.circle_id, Contact.id, Contact.name)
        .join(Contact, Contact.id == Enrollment.contact_id)
        .where(Enrollment.circle_id.in_(ids), Enrollment.status == EnrollmentStatus.ACTIVE, Contact.erased_at.is_(None))
        .order_by(Enrollment.id)
    ):
        learners.setdefault(circle_id, []).append(LearnerName(contact_id, name or "", numbers.get(contact_id)))
    return FacilitatorView(
        facilitator.id,
        tuple(
            FacilitatedCircle(views[c.code], tuple(by_circle.get(c.id, ())), tuple(learners.get(c.id, ())))
            for c in circles
        ),
        handles,
    )


def find_open_circles(session: Session, place: str, now: datetime, limit: int = 3) -> tuple[CircleView, ...]:
    """Open circles (not archived, a place free, a meeting ahead) whose postal code or city is ``place``."""
    from flows.keywords import normalize

    wanted = normalize(place)
    if not wanted:
        return ()
    candidates = session.scalars(
        select(Circle).where(
            Circle.archived_at.is_(None),
            or_(
                func.upper(Circle.postal_code) == wanted,
                func.upper(Circle.city) == wanted,
                func.upper(Circle.city) == place.strip().upper(),
            ),
        )
    ).all()
    views = _views(session, candidates, now)
    found = [(v.next_meeting, v) for v in views.values() if v.next_meeting is not None and not v.full]
    return tuple(view for _, view in sorted(found, key=lambda pair: pair[0])[:limit])
