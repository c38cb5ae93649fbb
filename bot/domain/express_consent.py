"""Express consent (issue 29): where the law asks for opt-in (Kenya's Data Protection Act 2019), a
learner their facilitator added on paper gets no scheduled text until they reply YES.

``EXPRESS_CONSENT_COUNTRIES`` (default ``KE``; empty-looking ``-`` for none) lists the countries, read
from the circle's time zone (CLDR's zone → territory table). Such a learner's address is kept without
consent (``consent_source`` ``asked``) and is not the one scheduled texts go to, so no planner, notice
or broadcast reaches it; the one text sent is the question (``flows/consent.py``), and a YES records
consent (``RecordConsent``), which makes the address preferred: the next tick plans their reminders.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import contacts, enrollments, outbox
from bot.domain.enrollments import EnrollmentStatus
from bot.domain.outbox import OutboxKind, Planned, Recipient, insert_new
from bot.render.i18n import region_of
from bot.store.models import Address, Circle, Contact
from flows import consent
from flows.inbound import SMS

SETTING = "EXPRESS_CONSENT_COUNTRIES"
DEFAULT_COUNTRIES = "KE"


def required(settings, circle_timezone: str | None) -> bool:
    """True when a learner added on paper to a circle in this zone must reply YES first."""
    countries = str(settings.extra.get(SETTING) or DEFAULT_COUNTRIES)
    wanted = {c.strip().upper() for c in countries.split(",") if c.strip() and c.strip() != "-"}
    return (region_of(circle_timezone) or "") in wanted


def ask_first(
    session: Session, circle: Circle, contact: Contact, phone: str, now: datetime
) -> tuple[str, list[Planned]]:
    """Enrolls a new learner added on paper and texts them only the consent question.

    Returns:
        Their status (``active`` or ``waitlist``) and the outbox row (the question) to queue after the commit.
    """
    address = session.scalar(select(Address).where(Address.contact_id == contact.id, Address.channel == SMS))
    if address is None:  # make_with_phone made it: a new contact always has its SMS address
        raise LookupError("a contact added on paper has an SMS address")
    address.consent_at, address.consent_source, address.preferred = None, contacts.ConsentSource.ASKED, False
    enrollment = enrollments.enroll(session, contact.id, circle, now)
    to = Recipient(contact.id, address.id, SMS, phone, contact.language or circle.language, None)
    expires = (now + timedelta(days=consent.LIFETIME_DAYS)).isoformat()
    row = outbox.row(
        f"consent:{enrollment.id}",
        OutboxKind.NOTICE,
        to,
        (consent.question(contact.name or "", circle.name, circle.venue),),
        now,
        now,
        timezone=circle.timezone,
        conversation=dict(consent.opening(circle.code, expires)),
    )
    return EnrollmentStatus(enrollment.status), insert_new(session, [row])
