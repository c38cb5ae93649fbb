"""The facilitator's commands by text, applied inside the inbound message's transaction: ADD, attendance, an
answer to a learner's ``#N``, a message to the whole circle, a meeting moved or cancelled.

Each is a handler of ``bot.inbound.effects.HANDLERS``, ``(applier, effect)``, using the applier's session,
circles and outbox helpers; they live apart from the learner's effects, which every text runs.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.domain import contacts, enrollments, history, meetings
from bot.domain import phone as phones
from bot.domain.outbox import OutboxKind
from bot.domain.planning import broadcast as circle_broadcast
from bot.domain.planning import reminders
from bot.store.models import Circle, Contact, Enrollment, Facilitator, Meeting, RelayHandle
from flows import keys
from flows.results import AddLandline, Broadcast, ChangeMeeting, Quote, RecordAttendance, RelayToLearner, Reply

if TYPE_CHECKING:
    from bot.inbound.effects import Applier

log = logging.getLogger(__name__)


def add_landline(applier: Applier, effect: AddLandline) -> None:
    """A facilitator adds a learner by their phone number (ADD)."""
    circle = applier._circle(effect.circle_code)
    try:
        number = phones.parse(effect.phone, applier.settings.default_region)
    except phones.PhoneError:
        log.warning("ADD: unreadable number %s", phones.mask(effect.phone))
        return
    enrollment = enrollments.add_landline(applier.session, circle, number, effect.name, circle.language, applier.now)
    reminders.plan(applier.session, applier.settings, applier.now, contact_id=enrollment.contact_id)


def record_attendance(applier: Applier, effect: RecordAttendance) -> None:
    """A facilitator records who came in person."""
    from bot.domain import attendance

    attendance.record_in_person(applier.session, effect.meeting_id, list(effect.contact_ids), applier.now)


def relay_to_learner(applier: Applier, effect: RelayToLearner) -> None:
    """A facilitator answers a learner by their ``#N``: the learner gets it on their own channel."""
    facilitator_id = applier.session.scalar(select(Facilitator.id).where(Facilitator.contact_id == applier._sender_id))
    row = applier.session.execute(
        select(Contact.id, Contact.language, Circle.name, Circle.language, Circle.id)
        .join(RelayHandle, RelayHandle.contact_id == Contact.id)
        .join(Enrollment, Enrollment.contact_id == Contact.id)
        .join(Circle, Circle.id == Enrollment.circle_id)
        .where(
            RelayHandle.facilitator_id == facilitator_id,
            RelayHandle.number == effect.number,
            Circle.facilitator_id == facilitator_id,
            Enrollment.status.in_(enrollments.CURRENT),
        )
    ).first()
    if facilitator_id is None or row is None:
        return
    learner_id, language, circle_name, circle_language, circle_id = row
    to = contacts.recipient(applier.session, learner_id, language or circle_language)
    if to is None:
        return
    said = Reply(keys.RELAY_TO_LEARNER, {"circle": circle_name, "text": Quote(effect.text)})
    # about = the facilitator who wrote it: the inbox page shows each facilitator only their own replies
    applier._send(f"relay:{applier._inbound_key}", OutboxKind.RELAY, to, said, about=applier._sender_id)
    history.record(  # the circle's sent messages (issue 24)
        applier.session,
        circle_id,
        history.SentKind.RELAY,
        f"relay:{applier._inbound_key}",
        effect.text,
        applier.now,
        learner_id,
    )


def broadcast(applier: Applier, effect: Broadcast) -> None:
    """A facilitator's message to their whole circle."""
    circle = applier._circle(effect.circle_code)
    circle_broadcast.plan(applier.session, circle, effect.text, f"msg:{applier._inbound_key}", applier.now)


def change_meeting(applier: Applier, effect: ChangeMeeting) -> None:
    """A facilitator moves or cancels one of their meetings."""
    circle = applier._circle(effect.circle_code)
    meeting = applier.session.get(Meeting, effect.meeting_id)
    if meeting is None or meeting.circle_id != circle.id:
        return
    if effect.to is None:
        meetings.cancel(applier.session, applier.settings, circle, meeting.seq, applier.now)
    else:
        meetings.move(applier.session, applier.settings, circle, meeting.seq, effect.to, applier.now)
