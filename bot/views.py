"""Building the read-only flow context from the database (one query per kind of row)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.models import Circle, Contact, Enrollment, Meeting
from flows.context import CircleView, ContactView, EnrollmentView


def circle_views(session: Session, codes: set[str], now: datetime, lock: bool = False) -> dict[str, CircleView]:
    """Loads the circles named by ``codes``; ``lock`` takes their rows for update (capacity checks)."""
    if not codes:
        return {}
    query = select(Circle).where(Circle.code.in_(sorted(codes))).order_by(Circle.id)
    if lock:
        query = query.with_for_update()
    circles = session.scalars(query).all()
    return _views(session, circles, now)


def _views(session: Session, circles, now: datetime) -> dict[str, CircleView]:
    ids = [c.id for c in circles]
    if not ids:
        return {}
    enrolled = dict(session.execute(
        select(Enrollment.circle_id, func.count())
        .where(Enrollment.circle_id.in_(ids), Enrollment.status == "active")
        .group_by(Enrollment.circle_id)
    ).all())
    upcoming = dict(session.execute(
        select(Meeting.circle_id, func.min(Meeting.starts_at))
        .where(Meeting.circle_id.in_(ids), Meeting.starts_at > now, Meeting.status != "cancelled")
        .group_by(Meeting.circle_id)
    ).all())
    out = {}
    for c in circles:
        nxt = upcoming.get(c.id)
        if nxt is not None and nxt.tzinfo is None:
            from datetime import timezone

            nxt = nxt.replace(tzinfo=timezone.utc)
        out[c.code] = CircleView(
            code=c.code, name=c.name, venue=c.venue, timezone=c.timezone, language=c.language,
            capacity=c.capacity, enrolled=enrolled.get(c.id, 0), next_meeting=nxt,
        )
    return out


def contact_view(session: Session, contact: Contact | None, now: datetime) -> ContactView:
    """The sender as a flow sees them, with every enrollment and its circle."""
    if contact is None:
        return ContactView()
    rows = session.execute(
        select(Enrollment.status, Circle).join(Circle, Circle.id == Enrollment.circle_id)
        .where(Enrollment.contact_id == contact.id).order_by(Enrollment.created_at.desc())
    ).all()
    views = _views(session, [circle for _, circle in rows], now)
    return ContactView(
        name=contact.name, language=contact.language, opted_out=contact.opted_out_at is not None,
        enrollments=tuple(EnrollmentView(views[circle.code], status) for status, circle in rows),
    )
