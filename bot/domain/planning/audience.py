"""Who can be reached: the one definition of a reachable learner, shared by every fan-out."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.contacts import preferred_join
from bot.domain.enrollments import EnrollmentStatus
from bot.domain.outbox import Recipient
from bot.store.models import Address, Contact, Enrollment

# A contact we may message: not erased, with a preferred address that has not opted out (the join).
REACHABLE = (Contact.erased_at.is_(None),)


@dataclass(frozen=True)
class Learner:
    """An active learner of a circle, and where to reach them."""

    enrollment_id: int
    to: Recipient


def active_learners(
    session: Session, circle_id: int, language: str | None = None, timezone: str | None = None
) -> list[Learner]:
    """The circle's active, reachable learners, with ``language``/``timezone`` where they have none."""
    rows = session.execute(
        select(
            Enrollment.id, Contact.id, Address.id, Address.channel, Address.value, Contact.language, Contact.timezone
        )
        .join(Contact, Contact.id == Enrollment.contact_id)
        .join(Address, preferred_join())
        .where(Enrollment.circle_id == circle_id, Enrollment.status == EnrollmentStatus.ACTIVE, *REACHABLE)
        .order_by(Enrollment.id)
    ).all()
    return [Learner(e, Recipient(c, a, ch, v, lang or language, tz or timezone)) for e, c, a, ch, v, lang, tz in rows]
