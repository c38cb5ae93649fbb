"""A facilitator takes a learner off their circle (the roster's "Remove", after the page asked)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.domain import contacts, enrollments, outbox
from bot.domain.outbox import OutboxKind, Planned, insert_new
from bot.store.models import Circle, Contact, Enrollment, Meeting, Outbox
from flows import keys
from flows.results import Reply


class RemovalError(ValueError):
    """The learner is not in the circle (nor on its waiting list)."""


def said(circle: Circle) -> tuple[Reply, ...]:
    """The one text a removed learner gets (the confirmation page shows it before)."""
    return (Reply(keys.PAGES_REMOVED, {"circle": circle.name, "code": circle.code}),)


def current(session: Session, circle: Circle, enrollment_id: int) -> tuple[Enrollment, Contact]:
    """The enrollment ``enrollment_id`` of ``circle`` and its learner, while they are in it or waiting.

    Raises:
        RemovalError: no such current enrollment in this circle.
    """
    found = session.execute(
        select(Enrollment, Contact)
        .join(Contact, Contact.id == Enrollment.contact_id)
        .where(
            Enrollment.id == enrollment_id,
            Enrollment.circle_id == circle.id,
            Enrollment.status.in_(enrollments.CURRENT),
        )
    ).first()
    if found is None:
        raise RemovalError(enrollment_id)
    return found[0], found[1]


def remove(session: Session, circle: Circle, enrollment_id: int, now: datetime) -> list[Planned]:
    """Takes the learner off the circle as LEAVE does (their reminders for it are withdrawn) and texts
    them once that they were, and how to join again.

    Raises:
        RemovalError: they are not in the circle.
    """
    enrollment, contact = current(session, circle, enrollment_id)
    enrollments.leave(session, contact.id, circle.id)
    session.execute(
        update(Outbox)
        .where(
            Outbox.contact_id == contact.id,
            Outbox.meeting_id.in_(select(Meeting.id).where(Meeting.circle_id == circle.id)),
            Outbox.status == outbox.PENDING,
        )
        .values(status=outbox.CANCELLED, last_error="removed by the facilitator")
        .execution_options(synchronize_session=False)
    )
    to = contacts.recipient(session, contact.id, circle.language)
    if to is None:
        return []
    row = outbox.row(
        f"removed:{enrollment.id}:{now:%Y%m%dT%H%M%S%f}",
        OutboxKind.NOTICE,
        to,
        said(circle),
        now,
        now,
        timezone=circle.timezone,
    )
    return insert_new(session, [row])
