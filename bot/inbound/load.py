"""Everything the flows need about one sender, in two statements (issue 15).

1. ``lock``: the sender's contact and address, the contact row locked for this message, and the answer
   already given to this provider id (a replay) in the same round trip.
2. ``load``: their open conversation, whether they are a facilitator, the reminder a short reply
   answers, and one row per circle involved (their enrollments, the codes in the message or the state,
   the pending reminder's circle), each with its counts, its facilitator's address and the sender's
   relay handle there.

The lock comes first and alone on purpose: under READ COMMITTED a statement that waited for a lock
still reads the other rows as they were when it started, so everything else is read afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, bindparam, func, literal, select, union
from sqlalchemy.orm import Session, aliased

from bot.domain import enrollments, outbox
from bot.domain.enrollments import EnrollmentStatus
from bot.domain.outbox import Recipient
from bot.domain.schedule import MeetingStatus
from bot.inbound.context import circle_view
from bot.store.models import (
    Address,
    Circle,
    Contact,
    Conversation,
    Enrollment,
    Facilitator,
    Meeting,
    Message,
    Outbox,
    RelayHandle,
    UTCDateTime,
)
from flows.context import CircleView, ContactView, EnrollmentView, PendingRsvp


@dataclass
class Stored:
    """An inbound row already there for this provider id."""

    status: str
    replies: object


@dataclass
class Loaded:
    """What ``load`` read: the flow context's parts and what the effects reuse."""

    conversation: Conversation | None = None
    facilitator_id: int | None = None
    contact_view: ContactView = field(default_factory=ContactView)
    circles: dict[str, CircleView] = field(default_factory=dict)
    pending: PendingRsvp | None = None
    pending_sent_at: datetime | None = None
    rows: dict[str, Circle] = field(default_factory=dict)  # the ORM circles by code
    facilitator_to: dict[str, Recipient | None] = field(default_factory=dict)  # live address, or None
    facilitator_held: dict[str, Recipient | None] = field(default_factory=dict)  # preferred, even opted out
    handles: dict[str, int] = field(default_factory=dict)  # the sender's #N with each circle's facilitator


def lock(session: Session, channel: str, value: str, provider_id: str):
    """``(contact, address, stored)`` for a known sender (contact locked), or None for a new one."""
    row = session.execute(_LOCK, {"channel": channel, "value": value, "provider_id": provider_id}).first()
    if row is None:
        return None
    return row[0], row[1], (Stored(row[2], row[3]) if row[2] is not None else None)


def _lock_statement():
    stored = select(Message.status, Message.replies).where(Message.provider_id == bindparam("provider_id")).subquery()
    return (
        select(Contact, Address, stored.c.status, stored.c.replies)
        .join(Address, Address.contact_id == Contact.id)
        .outerjoin(stored, literal(True))
        .where(Address.channel == bindparam("channel"), Address.value == bindparam("value"))
        .with_for_update(of=Contact)
    )


def _load_statement():
    """Built once: the statement's shape never changes, only its parameters (contact_id, codes, now)."""
    contact_id, now = bindparam("contact_id"), bindparam("now", type_=UTCDateTime())
    pending_of = (
        select(Outbox.meeting_id, Outbox.sent_at)
        .where(Outbox.contact_id == contact_id, Outbox.kind == outbox.OutboxKind.REMINDER, Outbox.status == outbox.SENT)
        .order_by(Outbox.sent_at.desc())
        .limit(1)
    )
    pm_id = pending_of.with_only_columns(Outbox.meeting_id).scalar_subquery()
    pm_sent = pending_of.with_only_columns(Outbox.sent_at).scalar_subquery()
    me = aliased(Facilitator)
    pm = aliased(Meeting)
    mine = aliased(Enrollment)
    fac = aliased(Facilitator)
    fac_contact = aliased(Contact)
    fac_address = aliased(Address)
    handle = aliased(RelayHandle)
    others = aliased(Enrollment)
    ahead = aliased(Enrollment)
    upcoming = aliased(Meeting)
    enrolled = (
        select(func.count())
        .select_from(others)
        .where(others.circle_id == Circle.id, others.status == EnrollmentStatus.ACTIVE)
        .scalar_subquery()
    )
    next_meeting = (
        select(func.min(upcoming.starts_at))
        .where(upcoming.circle_id == Circle.id, upcoming.starts_at > now, upcoming.status != MeetingStatus.CANCELLED)
        .scalar_subquery()
    )
    position = select(func.count()).select_from(ahead).where(enrollments.ahead_of(ahead, mine)).scalar_subquery()
    # The circles involved, as ids found through indexes (a join on an OR of these read every circle).
    open_code = (
        select(Conversation.state["code"].as_string()).where(Conversation.contact_id == contact_id).scalar_subquery()
    )
    involved = union(
        select(Enrollment.circle_id.label("circle_id")).where(Enrollment.contact_id == contact_id),
        select(Meeting.circle_id).where(Meeting.id == pm_id),
        select(Circle.id).where(Circle.code == open_code),
        select(Circle.id).where(Circle.code.in_(bindparam("codes", expanding=True))),
    ).subquery("involved")
    return (
        select(
            Conversation,
            Circle,
            me.id,
            pm_sent,
            pm.id,
            pm.starts_at,
            pm.ends_at,
            pm.status,
            pm.circle_id,
            mine.status,
            mine.created_at,
            position,
            enrolled,
            next_meeting,
            fac_address.id,
            fac_address.channel,
            fac_address.value,
            fac_address.opted_out_at,
            fac_contact.id,
            fac_contact.language,
            fac_contact.timezone,
            handle.number,
        )
        .select_from(Contact)
        .outerjoin(Conversation, Conversation.contact_id == Contact.id)
        .outerjoin(me, me.contact_id == Contact.id)
        .outerjoin(pm, pm.id == pm_id)
        .outerjoin(involved, literal(True))
        .outerjoin(Circle, Circle.id == involved.c.circle_id)
        .outerjoin(mine, and_(mine.circle_id == Circle.id, mine.contact_id == Contact.id))
        .outerjoin(fac, fac.id == Circle.facilitator_id)
        .outerjoin(fac_contact, and_(fac_contact.id == fac.contact_id, fac_contact.erased_at.is_(None)))
        .outerjoin(fac_address, and_(fac_address.contact_id == fac.contact_id, fac_address.preferred.is_(True)))
        .outerjoin(handle, and_(handle.facilitator_id == fac.id, handle.contact_id == Contact.id))
        .where(Contact.id == contact_id)
        .order_by(Circle.id)
    )


_LOCK = _lock_statement()
_LOAD = _load_statement()


def load(session: Session, contact_id: int, codes: set[str], now: datetime) -> Loaded:
    """Reads the sender's conversation, facilitator id, pending reminder and circles in one statement."""
    rows = session.execute(_LOAD, {"contact_id": contact_id, "codes": sorted(codes), "now": now})
    loaded = Loaded()
    mine = []
    pending = None
    for row in rows:
        (
            conversation,
            circle,
            me_id,
            sent_at,
            pm_id_,
            pm_starts,
            pm_ends,
            pm_status,
            pm_circle,
            status,
            joined,
            ahead_n,
            n_enrolled,
            nxt,
            fa_id,
            fa_channel,
            fa_value,
            fa_out,
            fc_id,
            fc_lang,
            fc_tz,
            number,
        ) = row
        loaded.conversation, loaded.facilitator_id = conversation, me_id
        if pm_id_ is not None and pending is None:
            pending = (pm_id_, sent_at, pm_starts, pm_ends, pm_status, pm_circle)
        if circle is None or circle.code in loaded.rows:
            continue
        view = circle_view(circle, n_enrolled or 0, nxt, fa_id is not None and fa_out is None)
        loaded.rows[circle.code] = circle
        loaded.circles[circle.code] = view
        held = (
            Recipient(fc_id, fa_id, fa_channel, fa_value, fc_lang or circle.language, fc_tz)
            if fa_id is not None and fc_id is not None
            else None
        )
        loaded.facilitator_held[circle.code] = held
        loaded.facilitator_to[circle.code] = held if fa_out is None else None
        if number is not None:
            loaded.handles[circle.code] = number
        if status is not None:
            position = enrollments.position(ahead_n) if status == EnrollmentStatus.WAITLIST else None
            mine.append((joined, EnrollmentView(view, status, position)))
    loaded.contact_view = ContactView(
        enrollments=tuple(e for _, e in sorted(mine, key=lambda pair: pair[0], reverse=True))
    )
    loaded.pending_sent_at = pending[1] if pending else None
    if pending is not None:
        meeting_id, _, starts, ends, status, circle_id = pending
        circle = next((c for c in loaded.rows.values() if c.id == circle_id), None)
        if circle is not None and status != MeetingStatus.CANCELLED and ends > now:
            loaded.pending = PendingRsvp(meeting_id, loaded.circles[circle.code], starts)
    return loaded


def tapped_reminder(
    session: Session, loaded: Loaded, contact_id: int, meeting_id: int | None, now: datetime
) -> PendingRsvp | None:
    """The reminder a tapped keyboard asked about, while its meeting is ahead and the learner is in its
    circle (None otherwise: the question is closed)."""
    row = session.execute(
        select(Meeting.id, Meeting.circle_id, Meeting.starts_at)
        .join(Outbox, Outbox.meeting_id == Meeting.id)
        .where(
            Meeting.id == meeting_id,
            Meeting.status != MeetingStatus.CANCELLED,
            Meeting.ends_at > now,  # as a typed answer: until the meeting ends
            Outbox.contact_id == contact_id,
            Outbox.kind == outbox.OutboxKind.REMINDER,
            Outbox.status == outbox.SENT,
        )
        .limit(1)
    ).first()
    if row is None:
        return None
    circle = next((c for c in loaded.rows.values() if c.id == row.circle_id), None)
    if circle is None or loaded.contact_view.enrollment(circle.code) is None:
        return None
    return PendingRsvp(row.id, loaded.circles[circle.code], row.starts_at)
