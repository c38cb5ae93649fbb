"""The roster of a circle for its facilitator: who, on which channel, their status, RSVPs and attendance; adding a
learner who signed up on paper; promoting from the waiting list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain import attendance, contacts, enrollments, express_consent, outbox, reach, relay_handles
from bot.domain.enrollments import EnrollmentStatus
from bot.domain.outbox import OutboxKind, Planned, insert_new
from bot.domain.phone import mask
from bot.domain.planning import reminders
from bot.domain.schedule import MeetingStatus
from bot.store.models import Address, Circle, Contact, Enrollment, Meeting, Rsvp
from flows import keys, plans
from flows.results import Reply, When
from flows.signup import clean_name

STOPPED = "stopped"
ASKED = "asked"


class RosterError(ValueError):
    """A roster change that cannot be made; ``reason`` is a short code the page translates."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Row:
    """One learner as the roster shows them (never a full number)."""

    enrollment_id: int
    handle: int | None
    name: str
    reached_at: str
    language: str | None
    channel: str | None
    joined: datetime
    status: str
    rsvps: dict  # meeting id → "yes" | "no"
    attended: dict  # meeting id → "phone" | "in person" | "phone + in person" (as the export writes it)
    texts_fail: bool = False  # their text address fails for good and calls are not set up (bot/domain/reach.py)
    erased: bool = False  # FORGET ran: the page says so in its own language
    # Meetings over before they joined, with no RSVP or attendance of theirs: not theirs, so never "no reply".
    before: frozenset[int] = frozenset()


def rows(session: Session, circle: Circle) -> list[Row]:
    """One row per learner who ever enrolled, waiting list in order, then the rest in join order."""
    found = session.execute(
        select(Enrollment, Contact)
        .join(Contact, Contact.id == Enrollment.contact_id)
        .where(Enrollment.circle_id == circle.id)
        .order_by(*enrollments.QUEUE_ORDER)
    ).all()
    ids = [contact.id for _, contact in found]
    addresses: dict[int, list[Address]] = {}
    for address in session.scalars(select(Address).where(Address.contact_id.in_(ids)).order_by(Address.id)):
        addresses.setdefault(address.contact_id, []).append(address)
    handles = relay_handles.numbers(session, circle.facilitator_id, ids)
    meeting_ids = select(Meeting.id).where(Meeting.circle_id == circle.id)
    held = [
        plans.Meeting(m_id, seq, starts, status, ends)
        for m_id, seq, starts, status, ends in session.execute(
            select(Meeting.id, Meeting.seq, Meeting.starts_at, Meeting.status, Meeting.ends_at).where(
                Meeting.circle_id == circle.id
            )
        )
    ]
    came: dict[int, dict] = {}
    for (contact_id, meeting_id), how in attendance.how_attended(session, list(session.scalars(meeting_ids))).items():
        came.setdefault(contact_id, {})[meeting_id] = how
    rsvps: dict[int, dict] = {}
    for rsvp in session.scalars(select(Rsvp).where(Rsvp.meeting_id.in_(meeting_ids), Rsvp.contact_id.in_(ids))):
        rsvps.setdefault(rsvp.contact_id, {})[rsvp.meeting_id] = rsvp.answer
    out = []
    for enrollment, contact in found:
        own = addresses.get(contact.id, [])
        main = next((a for a in own if a.preferred), own[0] if own else None)
        status = enrollment.status
        if status in enrollments.CURRENT and own and all(a.opted_out_at is not None for a in own):
            status = STOPPED
        elif (
            status in enrollments.CURRENT and own and all(a.consent_source == contacts.ConsentSource.ASKED for a in own)
        ):
            status = ASKED  # added on paper in Kenya: no texts until they reply YES (bot.domain.express_consent)
        out.append(
            Row(
                enrollment.id,
                handles.get(contact.id),
                "(erased)" if contact.erased_at else contact.name or "",
                _shown(main),
                contact.language,
                main.channel if main else None,
                enrollment.created_at,
                status,
                rsvps.get(contact.id, {}),
                came.get(contact.id, {}),
                reach.texts_fail(main),
                contact.erased_at is not None,
                frozenset(
                    m.id
                    for m in held
                    if not plans.in_time(enrollment.created_at, m)
                    and m.id not in rsvps.get(contact.id, {})
                    and m.id not in came.get(contact.id, {})
                ),
            )
        )
    return out


def _texts_fail(session: Session, contact_id: int) -> bool:
    """True when the contact's preferred address is a text address whose texts fail for good."""
    preferred = session.scalar(select(Address).where(Address.contact_id == contact_id, Address.preferred.is_(True)))
    return reach.texts_fail(preferred)


def _shown(address: Address | None) -> str:
    if address is None:
        return ""
    if address.channel == "telegram":
        return "Telegram " + mask("telegram:" + address.value)[len("telegram:") :]
    return mask(address.value)


def add_on_paper(
    session: Session, settings, circle: Circle, name: str, phone: str, language: str, now: datetime
) -> tuple[str, list[Planned]]:
    """Enrolls a learner who signed up on paper and texts them one welcome that says how to STOP.

    Consent is recorded as added by the facilitator. A full circle puts them on the waiting list. In a
    country that asks for express consent (Kenya, ``bot.domain.express_consent``) a new number gets only
    the question "reply YES", and nothing scheduled until it does.

    Returns:
        Their status (``active`` or ``waitlist``) and the outbox rows to queue after the commit.

    Raises:
        RosterError: ``already`` (they are in the circle or on its list), ``stopped`` (that number
            asked for no more texts).
    """
    new = contacts.by_phone(session, phone) is None
    contact = contacts.make_with_phone(session, phone, now, source=contacts.ConsentSource.ADDED_BY_FACILITATOR)
    contact.name = contact.name or name
    contact.language = contact.language or language
    if enrollments.is_current(session, contact.id, circle.id):
        raise RosterError("already")
    if new and express_consent.required(settings, circle.timezone):  # Kenya: they reply YES first (issue 29)
        return express_consent.ask_first(session, circle, contact, phone, now)
    to = contacts.recipient(session, contact.id, circle.language)
    if to is None:
        raise RosterError("stopped")
    enrollment = enrollments.enroll(session, contact.id, circle, now)
    status = EnrollmentStatus(enrollment.status)
    key = keys.PAGES_ADDED_BY_FACILITATOR if status == EnrollmentStatus.ACTIVE else keys.SIGNUP_WAITLISTED
    said = (
        Reply(
            key,
            {"name": contact.name, "circle": circle.name, "venue": circle.venue, "when": _next(session, circle, now)},
        ),
    )
    planned = insert_new(
        session,
        [
            outbox.row(
                f"paper:{enrollment.id}:{now:%Y%m%dT%H%M%S%f}",
                OutboxKind.NOTICE,
                to,
                said,
                now,
                now,
                timezone=circle.timezone,
            )
        ],
    )
    return status, planned + reminders.plan(session, settings, now, contact_id=contact.id)


def add_landline(
    session: Session, settings, circle: Circle, name: str, phone: str, language: str, now: datetime
) -> tuple[str, list[Planned]]:
    """Enrolls a learner who has only a landline (``enrollments.add_landline``, as the facilitator's ADD does):
    reminders and surveys come as calls, consent is "added by facilitator", and the first call says how to
    stop. A full circle puts them on the waiting list.

    Returns:
        Their status (``active`` or ``waitlist``) and the outbox rows (reminder calls) to queue after the commit.

    Raises:
        RosterError: ``already`` (they are in the circle or on its list), ``stopped`` (that number asked
            for no more calls).
    """
    from flows.inbound import VOICE

    known = contacts.by_phone(session, phone)
    if known is not None:
        if enrollments.is_current(session, known.id, circle.id) and not _texts_fail(session, known.id):
            raise RosterError("already")  # one whose texts fail may be switched to calls
        if session.scalar(
            select(Address.id).where(
                Address.value == phone, Address.channel == VOICE, Address.opted_out_at.is_not(None)
            )
        ):
            raise RosterError("stopped")
    enrollment = enrollments.add_landline(session, circle, phone, name, language, now)
    status = EnrollmentStatus(enrollment.status)
    return status, reminders.plan(session, settings, now, contact_id=enrollment.contact_id)


def promote(session: Session, settings, circle: Circle, enrollment_id: int, now: datetime) -> list[Planned]:
    """Moves a waitlisted learner into the circle and tells them.

    Raises:
        RosterError: ``missing`` (not on this circle's waiting list), ``full`` (no place free).
    """
    enrollment = session.scalar(
        select(Enrollment).where(Enrollment.id == enrollment_id, Enrollment.circle_id == circle.id).with_for_update()
    )
    if enrollment is None or enrollment.status != EnrollmentStatus.WAITLIST:
        raise RosterError("missing")
    if not enrollments.has_room(session, circle):
        raise RosterError("full")
    enrollment.status, enrollment.created_at = EnrollmentStatus.ACTIVE, now  # took a place now (as an offer taken)
    session.flush()
    contact = session.get_one(Contact, enrollment.contact_id)
    to = contacts.recipient(session, contact.id, circle.language)
    if to is None:
        return []
    said = (
        Reply(
            keys.PAGES_PROMOTED,
            {
                "name": contact.name or "",
                "circle": circle.name,
                "venue": circle.venue,
                "when": _next(session, circle, now),
            },
        ),
    )
    planned = insert_new(
        session,
        [
            outbox.row(
                f"promoted:{enrollment.id}:{now:%Y%m%dT%H%M%S%f}",
                OutboxKind.NOTICE,
                to,
                said,
                now,
                now,
                timezone=circle.timezone,
            )
        ],
    )
    return planned + reminders.plan(session, settings, now, contact_id=contact.id)


def _next(session: Session, circle: Circle, now: datetime) -> When | None:
    at = session.scalar(
        select(func.min(Meeting.starts_at)).where(
            Meeting.circle_id == circle.id, Meeting.starts_at > now, Meeting.status != MeetingStatus.CANCELLED
        )
    )
    return When(at, circle.timezone) if at else None


def rename(session: Session, circle: Circle, enrollment_id: int, name: str) -> str:
    """Gives a learner of the circle a new name (one who joined by phone as "Caller ending 0271", a typo).

    Returns the name kept (letters, spaces, ``-'.``, 20 at most, as a texted name).

    Raises:
        RosterError: ``not_here`` (not a learner of this circle, or erased), ``name`` (no letters in it).
    """
    kept = clean_name(name)
    if kept is None:
        raise RosterError("name")
    contact = session.scalar(
        select(Contact)
        .join(Enrollment, Enrollment.contact_id == Contact.id)
        .where(Enrollment.id == enrollment_id, Enrollment.circle_id == circle.id, Contact.erased_at.is_(None))
    )
    if contact is None:
        raise RosterError("not_here")
    contact.name = kept
    return kept
