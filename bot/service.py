"""The service layer: one inbound message, one transaction (DESIGN.md §1)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import i18n, jobs, outbox, reminders, segments
from bot.models import Circle, Contact, Conversation, Enrollment, Meeting, Message, Outbox, Rsvp
from bot.reminders import Planned
from bot.phone import mask
from bot.views import circle_views, contact_view
from flows import keys, keywords
from flows.context import Context, PendingRsvp
from flows.inbound import TELEGRAM, Inbound
from flows.results import (
    Enroll, OptIn, OptOut, RecordConsent, RecordRsvp, Reply, Result, SetLanguage, SetName,
)
from flows.router import handle

log = logging.getLogger(__name__)
CONVERSATION_TTL = timedelta(hours=24)


@dataclass(frozen=True)
class Handled:
    """The outcome the webhook renders: the reply texts and whether this was a replay."""

    replies: tuple[str, ...]
    replay: bool = False


def handle_inbound(uow, inbound: Inbound, settings) -> Handled:
    """Stores ``inbound`` exactly once, runs the flows, applies their effects and commits.

    A replay (the same provider id again) returns the stored replies and changes nothing.
    """
    default_language = settings.default_language
    with uow() as session:
        stored = _stored_replies(session, inbound.provider_id)
        if stored is not None:
            return Handled(stored, replay=True)
        message = Message(
            direction="in", channel=inbound.channel, provider_id=inbound.provider_id,
            address=inbound.address[:64], body=inbound.text, segments=segments.count(inbound.text).segments,
            status="received", created_at=inbound.received_at,
        )
        try:
            with session.begin_nested():
                session.add(message)
        except IntegrityError:
            session.rollback()
            return Handled(_stored_replies(session, inbound.provider_id) or (), replay=True)

        contact = _contact_for(session, inbound) if inbound.address_ok else None
        message.contact_id = contact.id if contact else None
        conversation = _open_conversation(session, contact, inbound.received_at)
        state = conversation.state if conversation else None

        codes = set(keywords.candidate_codes(inbound.text))
        trigger = keywords.join_trigger(inbound.text)
        if trigger and trigger[0]:
            codes.add(trigger[0])
        if state and state.get("code"):
            codes.add(state["code"])
        ctx = Context(
            now=inbound.received_at,
            contact=contact_view(session, contact, inbound.received_at),
            circles=circle_views(session, codes, inbound.received_at, lock=True),
            default_language=default_language,
            pending_rsvp=pending_rsvp(session, contact, conversation, inbound.received_at),
        )
        result = handle(state, inbound, ctx)
        notices = _apply(session, result, contact, conversation, inbound, settings)
        texts = _render(result, contact, default_language)
        message.replies = list(texts)
        session.commit()
    jobs.enqueue_rows(notices)
    return Handled(texts)


def _stored_replies(session: Session, provider_id: str) -> tuple[str, ...] | None:
    replies = session.execute(
        select(Message.replies).where(Message.provider_id == provider_id)
    ).first()
    return None if replies is None else tuple(replies[0] or ())


def _contact_for(session: Session, inbound: Inbound) -> Contact:
    column = Contact.telegram_chat_id if inbound.channel == TELEGRAM else Contact.phone
    address = inbound.address.removeprefix("telegram:")
    contact = session.scalar(select(Contact).where(column == address).with_for_update())
    if contact is not None:
        return contact
    contact = Contact(created_at=inbound.received_at)
    setattr(contact, column.key, address)
    try:
        with session.begin_nested():
            session.add(contact)
    except IntegrityError:  # created by a concurrent message from the same sender
        contact = session.scalar(select(Contact).where(column == address).with_for_update())
    return contact


def _open_conversation(session: Session, contact: Contact | None, now: datetime) -> Conversation | None:
    if contact is None:
        return None
    conversation = session.scalar(select(Conversation).where(Conversation.contact_id == contact.id))
    if conversation is not None and conversation.expires_at <= now:
        session.delete(conversation)
        session.flush()
        return None
    return conversation


def _apply(session: Session, result: Result, contact: Contact | None, conversation: Conversation | None,
           inbound: Inbound, settings) -> list[Planned]:
    """Applies the flow's effects and saves its state; returns outbox rows to queue after commit."""
    now = inbound.received_at
    notices = []
    if contact is not None:
        if result.state is None and conversation is not None:
            session.delete(conversation)
        elif result.state is not None:
            if conversation is None:
                conversation = Conversation(contact_id=contact.id, flow="", state={}, expires_at=now, updated_at=now)
                session.add(conversation)
            conversation.flow = result.state.get("flow", "")
            conversation.state = dict(result.state)
            conversation.expires_at = now + CONVERSATION_TTL
            conversation.updated_at = now
    for effect in result.effects:
        if isinstance(effect, SetName):
            contact.name = effect.name
        elif isinstance(effect, SetLanguage):
            contact.language = effect.language
        elif isinstance(effect, RecordConsent):
            contact.consent_at, contact.consent_channel = now, inbound.channel
        elif isinstance(effect, OptOut):
            contact.opted_out_at = now
            log.info("opt-out from %s", mask(inbound.address))
        elif isinstance(effect, OptIn):
            contact.opted_out_at = None
        elif isinstance(effect, Enroll):
            notices.extend(_enroll(session, contact, effect, now))
            session.flush()
            notices.extend(reminders.plan(session, settings, now, contact_id=contact.id))
        elif isinstance(effect, RecordRsvp):
            _record_rsvp(session, contact, effect, now)
    session.flush()
    return notices


def _enroll(session: Session, contact: Contact, effect: Enroll, now: datetime) -> list[Planned]:
    circle = session.scalar(select(Circle).where(Circle.code == effect.code))
    enrollment = session.scalar(
        select(Enrollment).where(Enrollment.contact_id == contact.id, Enrollment.circle_id == circle.id)
    )
    status = "waitlist" if effect.waitlist else "active"
    if enrollment is None:
        enrollment = Enrollment(contact_id=contact.id, circle_id=circle.id, status=status, created_at=now)
        session.add(enrollment)
    else:
        enrollment.status, enrollment.created_at = status, now
    session.flush()
    facilitator = circle.facilitator
    if facilitator is None or not facilitator.phone:
        return []
    enrolled = session.scalar(
        select(func.count()).select_from(Enrollment).where(Enrollment.circle_id == circle.id, Enrollment.status == "active")
    )
    key = keys.FACILITATOR_WAITLISTED if effect.waitlist else keys.FACILITATOR_JOINED
    lang = _facilitator_language(session, facilitator.phone, circle.language)
    body = i18n.render(Reply(key, {"name": contact.name or "?", "circle": circle.name,
                                   "enrolled": enrolled, "capacity": circle.capacity}), lang)
    row = outbox.add(session, f"joined:{enrollment.id}:{status}", "sms", facilitator.phone, body, now, now)
    return [Planned(row.id, now)] if row is not None else []


def _record_rsvp(session: Session, contact: Contact, effect: RecordRsvp, now: datetime) -> None:
    rsvp = session.scalar(select(Rsvp).where(Rsvp.meeting_id == effect.meeting_id, Rsvp.contact_id == contact.id))
    if rsvp is None:
        session.add(Rsvp(meeting_id=effect.meeting_id, contact_id=contact.id, answer=effect.answer,
                         created_at=now, updated_at=now))
    else:
        rsvp.answer, rsvp.updated_at = effect.answer, now


def pending_rsvp(session: Session, contact: Contact | None, conversation: Conversation | None,
                 now: datetime) -> PendingRsvp | None:
    """The most recent reminder this contact got, if its meeting is still ahead (or under way) and it
    is newer than the open conversation, so that a short reply answers it."""
    if contact is None:
        return None
    last = session.execute(
        select(Outbox.meeting_id, Outbox.sent_at)
        .where(Outbox.contact_id == contact.id, Outbox.kind == "reminder", Outbox.status == outbox.SENT)
        .order_by(Outbox.sent_at.desc()).limit(1)
    ).first()
    if last is None or (conversation is not None and conversation.updated_at > last.sent_at):
        return None
    meeting = session.get(Meeting, last.meeting_id)
    if meeting is None or meeting.status == "cancelled" or meeting.ends_at <= now:
        return None
    circle = session.get(Circle, meeting.circle_id)
    view = circle_views(session, {circle.code}, now)[circle.code]
    return PendingRsvp(meeting.id, view, meeting.starts_at)


def _facilitator_language(session: Session, phone: str, fallback: str) -> str:
    language = session.scalar(select(Contact.language).where(Contact.phone == phone))
    return language or fallback


def _render(result: Result, contact: Contact | None, default_language: str) -> tuple[str, ...]:
    lang = result.language or (contact.language if contact is not None else None) or default_language
    opted_out = contact is not None and contact.opted_out_at is not None
    replies = [r for r in result.replies if not opted_out or r.key in keys.ALLOWED_WHEN_OPTED_OUT]
    return tuple(i18n.render(r, lang) for r in replies)
