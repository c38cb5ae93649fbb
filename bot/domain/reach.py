"""Whether texts reach an address: what a provider's error code means, and the "texts fail" mark.

Twilio's codes fall in three classes (its error dictionary):

- **for good** (``UNREACHABLE``): 30003 unreachable handset, 30005 unknown handset, 30006 landline or
  unreachable carrier, and on create 21614 (not a mobile number). The address
  is marked (``unreachable_at``): nothing more is texted to it until it texts in (``clear``), the roster
  says so, and the facilitators of the learner's circles are told once; for a landline (30006, 21614)
  the notice says how to switch to reminder calls (ADD, or the roster's "phone calls").
- **for a moment** (``TRANSIENT``): 30001 queue overflow, 30008 unknown error, 30017 carrier congestion,
  30022 10DLC rate limit, 63018 WhatsApp rate limit: the message is sent again with a back-off.
- anything else is recorded only (21211, an invalid number, fails its row as before). 21610
  (unsubscribed) is an opt-out (``bot.inbound.delivery``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import contacts, enrollments, outbox
from bot.domain.outbox import OutboxKind, Planned, insert_new
from bot.store.models import Address, Circle, Contact, Enrollment
from flows import keys
from flows.inbound import SMS, WHATSAPP
from flows.results import Reply

LANDLINE = frozenset({"30006", "21614"})
UNREACHABLE = frozenset({"30003", "30005"}) | LANDLINE
TRANSIENT = frozenset({"30001", "30008", "30017", "30022", "63018"})
TEXT_CHANNELS = (SMS, WHATSAPP)
FOR_GOOD, FOR_A_MOMENT = "for good", "for a moment"


def classify(code: str | int | None) -> str | None:
    """``for good``, ``for a moment``, or None (record only) for a provider's error code."""
    code = str(code) if code is not None else None
    if code in UNREACHABLE:
        return FOR_GOOD
    if code in TRANSIENT:
        return FOR_A_MOMENT
    return None


def texts_fail(address: Address | None) -> bool:
    """True when texts to this address fail for good (it has not texted in since)."""
    return address is not None and address.channel in TEXT_CHANNELS and address.unreachable_at is not None


def mark(session: Session, address: Address, code: str, now: datetime) -> list[Planned]:
    """Marks a text address as failing for good and tells the facilitators of its circles, once.

    Returns the outbox rows (the facilitators' notices) to queue after commit; none when it was marked already.
    """
    if address.channel not in TEXT_CHANNELS or address.unreachable_at is not None:
        return []
    address.unreachable_at, address.unreachable_code = now, code
    contact = session.get(Contact, address.contact_id)
    if contact is None or contact.erased_at is not None:
        return []
    circles = session.scalars(
        select(Circle)
        .join(Enrollment, Enrollment.circle_id == Circle.id)
        .where(Enrollment.contact_id == contact.id, Enrollment.status.in_(enrollments.CURRENT))
        .order_by(Circle.id)
    ).all()
    key = keys.FAC_TEXTS_FAIL_LANDLINE if code in LANDLINE else keys.FAC_TEXTS_FAIL
    rows = []
    for circle in circles:
        to = contacts.facilitator_recipient(session, circle.facilitator_id, circle.language)
        if to is None:
            continue
        said = (Reply(key, {"name": contact.name or "?", "last": address.value[-4:], "code": circle.code}),)
        tag = f"texts-fail:{address.id}:{circle.id}:{now:%Y%m%d%H%M%S}"
        rows.append(outbox.row(tag, OutboxKind.NOTICE, to, said, now, now, about=contact.id))
    return insert_new(session, rows) if rows else []


def clear(address: Address) -> None:
    """The address texted in: texts reach it again (no statement when it was not marked)."""
    if address.unreachable_at is not None:
        address.unreachable_at, address.unreachable_code = None, None
