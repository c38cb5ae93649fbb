"""Who can be texted: the one definition of a reachable learner, shared by every fan-out."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import Contact, Enrollment

# A contact we may text: not opted out, not erased, with a phone number.
REACHABLE = (Contact.opted_out_at.is_(None), Contact.erased_at.is_(None), Contact.phone.is_not(None))


def active_learners(session: Session, circle_id: int):
    """The circle's active, reachable learners as rows ``(enrollment_id, contact_id, phone, language)``."""
    return session.execute(
        select(Enrollment.id, Contact.id, Contact.phone, Contact.language)
        .join(Contact, Contact.id == Enrollment.contact_id)
        .where(Enrollment.circle_id == circle_id, Enrollment.status == "active", *REACHABLE)
        .order_by(Enrollment.id)
    ).all()
