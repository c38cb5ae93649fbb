"""Everything the flows need about one sender, locked and read in one statement (issues 15 and 31).

``lock_and_load`` is one ``SELECT … FOR UPDATE OF contact``: the sender's contact and address as Core rows
(the contact row locked for this message), the answer already given to this provider id (a replay), their
open conversation, whether they are a facilitator, the reminder a short reply answers, and one row per circle
involved (their enrollments, the codes in the message or the state, the pending reminder's circle), each with
its counts, its facilitator's address and the sender's relay handle there.

Under READ COMMITTED a statement that waited for a lock reads the locked row as it is once the lock is
granted, but every other row as it was when the statement began. So every inbound message (and every job
that locks a contact to change what this reads) adds one to ``contact.version`` in its write, and the
statement also reads the version from its own snapshot: when the two differ, another transaction changed
this sender while we waited, and the statement runs once more, now holding the lock (``Found.stale``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, any_, bindparam, case, exists, func, literal, select, union_all
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from bot.domain import enrollments, outbox
from bot.domain.enrollments import EnrollmentStatus
from bot.domain.outbox import Recipient
from bot.domain.schedule import MeetingStatus
from bot.inbound.context import circle_view
from bot.inbound.loaded import (  # the rows' types, importable from here as before
    AddressRow,
    CircleRow,
    ConversationRow,
    Found,
    Loaded,
    SenderRow,
    Stored,
)
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
from bot.store.prebuilt import Prebuilt, for_psycopg, run
from flows.context import ContactView, EnrollmentView, PendingRsvp


def lock_and_load(session: Session, channel: str, value: str, provider_id: str, codes: set[str], now: datetime):
    """Locks the sender ``(channel, value)`` and reads everything about them in one statement.

    Returns a ``Found``, or None for a sender the bot does not know. When the snapshot turns out older
    than the locked row (see the module's docstring), the statement runs again, holding the lock now.
    """
    params = {"channel": channel, "value": value, "provider_id": provider_id, "codes": sorted(codes), "now": now}
    connection = session.connection()  # Core rows: no ORM result processing on the hot path
    prebuilt = prebuilt_statement(connection.dialect)

    def rows():
        if prebuilt is not None:  # PostgreSQL: the SQL compiled once, sent as the driver's (bot.store.prebuilt)
            return run(connection, prebuilt, params)
        return connection.execute(_statement(connection.dialect.name), params).all()

    found = _read(rows(), now)
    if found is not None and found.stale:
        found = _read(rows(), now)
    return found


def prebuilt_statement(dialect) -> Prebuilt | None:
    """The lock-and-load as PostgreSQL runs it: compiled once, under its generic plan (``bot.store.prebuilt``);
    None elsewhere."""
    return for_psycopg(dialect, "lock_and_load", lambda: _statement("postgresql"), generic=True)


@functools.lru_cache(maxsize=4)
def _statement(dialect: str):
    """Built once per dialect: the shape never changes, only its parameters (channel, value, provider id,
    codes, now). SQLite takes no row locks (``BEGIN IMMEDIATE`` serializes writers), so it reads no version."""
    # Common table expressions, each written once: the SQL stays under psycopg's 4,096 characters, so its
    # conversion is cached (and PostgreSQL parses less).
    sender_of = (
        select(Address.contact_id)
        .where(Address.channel == bindparam("channel"), Address.value == bindparam("value"))
        .cte("sender")
    )
    sender = select(sender_of.c.contact_id).scalar_subquery()
    now = bindparam("now", type_=UTCDateTime())
    pending_of = (
        select(Outbox.meeting_id, Outbox.sent_at)
        .where(Outbox.contact_id == sender, Outbox.kind == outbox.OutboxKind.REMINDER, Outbox.status == outbox.SENT)
        .order_by(Outbox.sent_at.desc())
        .limit(1)
        .cte("pending")
    )
    pm_id = select(pending_of.c.meeting_id).scalar_subquery()
    pm_sent = pending_of.c.sent_at
    stored = select(Message.status, Message.replies).where(Message.provider_id == bindparam("provider_id")).subquery()
    snapshot = aliased(Contact, name="seen")
    seen_version = (
        select(snapshot.version).where(snapshot.id == Contact.id).scalar_subquery()
        if dialect == "postgresql"
        else Contact.version
    )
    me = aliased(Facilitator, name="me")  # short names: see the CTEs above
    pm = aliased(Meeting, name="pm")
    mine = aliased(Enrollment, name="mine")
    fac = aliased(Facilitator, name="fac")
    fac_contact = aliased(Contact, name="fc")
    fac_address = aliased(Address, name="fa")
    handle = aliased(RelayHandle, name="h")
    others = aliased(Enrollment, name="o")
    ahead = aliased(Enrollment, name="w")
    upcoming = aliased(Meeting, name="u")
    relays = aliased(Outbox, name="r")
    position = select(func.count()).select_from(ahead).where(enrollments.ahead_of(ahead, mine)).scalar_subquery()
    # The circles involved, as ids found through indexes (a join on an OR of these read every circle).
    open_code = select(Conversation.state["code"].as_string()).where(Conversation.contact_id == sender)
    involved = union_all(  # ALL: a UNION's rows are guessed at 200, and "IN" removes the duplicates
        select(Enrollment.circle_id.label("circle_id")).where(Enrollment.contact_id == sender),
        select(Meeting.circle_id).where(Meeting.id == pm_id),
        select(Circle.id).where(Circle.code == open_code.scalar_subquery()),
        select(Circle.id).where(
            Circle.code == any_(bindparam("codes", type_=ARRAY(String)))
            if dialect == "postgresql"  # one SQL text whatever the number of codes (bot.store.prebuilt)
            else Circle.code.in_(bindparam("codes", expanding=True))
        ),
    ).subquery("involved")
    # Their rows, each found by its key (a repeated id repeats a row, which ``_read`` skips). Joined to the
    # ids as a table, PostgreSQL hashed every circle and every facilitator for each text, a cost that grew
    # with the network (issue 31, 500 circles); LATERAL looks each one up by its key. SQLite has no LATERAL.
    # With it, found by key in the same lookup: its facilitator's contact id, and the sender's place there
    # and their place on its waiting list (outside it, PostgreSQL merge-joined every enrollment: issue 31).
    by_id = (
        select(
            *(Circle.__table__.c[name] for name in CircleRow._fields),
            fac.contact_id.label("fcid"),
            mine.status.label("mst"),
            mine.created_at.label("mca"),
            position.label("pos"),
        )
        .outerjoin(fac, fac.id == Circle.facilitator_id)
        .outerjoin(mine, and_(mine.circle_id == Circle.id, mine.contact_id == sender))
        .where(Circle.id == involved.c.circle_id)
    )
    # (LIMIT 1 of a key: nothing cut, but it keeps PostgreSQL from flattening the lookup into that hash.)
    ci = by_id.limit(1).lateral("ci") if dialect == "postgresql" else by_id.subquery("ci")
    circle = aliased(Circle, ci)
    fac_contact_id = ci.c.fcid
    enrolled = (
        select(func.count())
        .select_from(others)
        .where(others.circle_id == circle.id, others.status == EnrollmentStatus.ACTIVE)
        .scalar_subquery()
    )
    next_meeting = (
        select(func.min(upcoming.starts_at))
        .where(upcoming.circle_id == circle.id, upcoming.starts_at > now, upcoming.status != MeetingStatus.CANCELLED)
        .scalar_subquery()
    )
    return (
        select(
            Contact.id,
            Contact.name,
            Contact.language,
            Contact.version,
            seen_version,
            Address.id,
            Address.opted_out_at,
            Address.unreachable_at,
            Address.username,
            stored.c.status,
            stored.c.replies,
            Conversation.id,
            Conversation.flow,
            Conversation.state,
            Conversation.expires_at,
            Conversation.updated_at,
            circle.id,
            circle.code,
            circle.name,
            circle.venue,
            circle.timezone,
            circle.language,
            circle.capacity,
            circle.phone_code,
            circle.facilitator_id,
            me.id,
            pm_sent,
            pm.id,
            pm.starts_at,
            pm.ends_at,
            pm.status,
            pm.circle_id,
            ci.c.mst,
            ci.c.mca,
            ci.c.pos,
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
            case(
                (
                    handle.number == 1,
                    exists().where(relays.kind == outbox.OutboxKind.RELAY, relays.contact_id == fac_contact_id),
                )
            ),
        )
        .select_from(Contact)
        .join(Address, Address.contact_id == Contact.id)
        .outerjoin(stored, literal(True))
        .outerjoin(Conversation, Conversation.contact_id == Contact.id)
        .outerjoin(me, me.contact_id == Contact.id)
        .outerjoin(pending_of, literal(True))
        .outerjoin(pm, pm.id == pending_of.c.meeting_id)
        .outerjoin(involved, literal(True))
        .outerjoin(circle, literal(True) if dialect == "postgresql" else circle.id == involved.c.circle_id)
        .outerjoin(fac_contact, and_(fac_contact.id == fac_contact_id, fac_contact.erased_at.is_(None)))
        .outerjoin(fac_address, and_(fac_address.contact_id == fac_contact_id, fac_address.preferred.is_(True)))
        .outerjoin(handle, and_(handle.facilitator_id == circle.facilitator_id, handle.contact_id == Contact.id))
        .where(Address.channel == bindparam("channel"), Address.value == bindparam("value"))
        .order_by(circle.id)
        .with_for_update(of=Contact)
    )


def _read(rows: Sequence[Any], now: datetime) -> Found | None:
    """The rows of ``_statement`` as a ``Found`` (None when there are none: an unknown sender)."""
    if not rows:
        return None
    first = rows[0]
    contact = SenderRow(*first[0:4])
    stale = first[3] != first[4]
    address = AddressRow(*first[5:9])
    stored = Stored(first[9], first[10]) if first[9] is not None else None
    loaded = Loaded()
    if first[11] is not None:
        loaded.conversation = ConversationRow(*first[11:16])
    loaded.facilitator_id = first[25]
    mine = []
    pending = None
    for row in rows:
        circle = CircleRow(*row[16:25]) if row[16] is not None else None
        (sent_at, pm_id_, pm_starts, pm_ends, pm_status, pm_circle, status, joined, ahead_n, n_enrolled, nxt) = row[
            26:37
        ]
        fa_id, fa_channel, fa_value, fa_out, fc_id, fc_lang, fc_tz, number, relayed = row[37:46]
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
            if relayed is not None:
                loaded.relayed_before[circle.code] = bool(relayed)
        if status is not None:
            position = enrollments.position(ahead_n) if status == EnrollmentStatus.WAITLIST else None
            mine.append((joined, EnrollmentView(view, status, position)))
    loaded.contact_view = ContactView(
        enrollments=tuple(e for _, e in sorted(mine, key=lambda pair: pair[0], reverse=True))
    )
    loaded.pending_sent_at = pending[1] if pending else None
    if pending is not None:
        meeting_id, _, starts, ends, status, circle_id = pending
        pending_circle = next((c for c in loaded.rows.values() if c.id == circle_id), None)
        if pending_circle is not None and status != MeetingStatus.CANCELLED and ends > now:
            loaded.pending = PendingRsvp(meeting_id, loaded.circles[pending_circle.code], starts)
    return Found(contact, address, stored, loaded, stale)


def recount(session: Session, codes: set[str]) -> dict[str, tuple[int, int]]:
    """Locks the circles ``codes`` (in id order), then counts their places afresh: ``{code: (capacity,
    enrolled)}``. Two statements on purpose: a count in the locking statement would read the rows as they
    were before the lock was granted."""
    wanted = sorted(codes)
    session.execute(select(Circle.id).where(Circle.code.in_(wanted)).order_by(Circle.id).with_for_update())
    enrolled = (
        select(func.count())
        .where(Enrollment.circle_id == Circle.id, Enrollment.status == EnrollmentStatus.ACTIVE)
        .scalar_subquery()
    )
    rows = session.execute(select(Circle.code, Circle.capacity, enrolled).where(Circle.code.in_(wanted)))
    return {code: (capacity, n) for code, capacity, n in rows}


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
