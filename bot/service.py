"""The service layer: one inbound message, one transaction (DESIGN.md §1).

The service knows no channel's format: it returns the replies (message keys, parameters and
choices) and their language, and the webhook renders them for its channel.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import contacts, jobs, links, outbox, segments
from bot.effects import Applier
from bot.models import Circle, Contact, Conversation, Meeting, Message, Outbox
from bot.render import codec, render
from bot.views import circle_views, contact_view, facilitator_view, find_open_circles
from flows import keys, keywords, languages
from flows.context import Context, PendingRsvp
from flows.inbound import Inbound
from flows.results import Reply, Result
from flows.router import handle

log = logging.getLogger(__name__)
CONVERSATION_TTL = timedelta(hours=24)


@dataclass(frozen=True)
class Handled:
    """The outcome the webhook renders: the replies, their language, and whether this was a replay.

    ``texts`` holds the finished replies of a message stored before replies were kept as keys.
    """

    replies: tuple[Reply, ...] = ()
    language: str = languages.DEFAULT
    replay: bool = False
    texts: tuple[str, ...] | None = None

    def rendered(self, channel: str) -> list:
        """Each reply rendered for ``channel`` (``bot.render.Rendered``), in order."""
        if self.texts is not None:
            from bot.render import Rendered

            return [Rendered(channel, t) for t in self.texts]
        return [render(channel, (reply,), self.language) for reply in self.replies]


def handle_inbound(uow, inbound: Inbound, settings) -> Handled:
    """Stores ``inbound`` exactly once, runs the flows, applies their effects and commits.

    A replay (the same provider id again) returns the stored replies and changes nothing.
    """
    with uow() as session:
        stored = _stored(session, inbound.provider_id)
        if stored is not None:
            return stored
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
            return _stored(session, inbound.provider_id) or Handled(replay=True)

        contact, address = (contacts.for_inbound(session, inbound.channel, inbound.address, inbound.received_at)
                            if inbound.address_ok else (None, None))
        message.contact_id = contact.id if contact else None
        conversation = _open_conversation(session, contact, inbound.received_at)
        state = conversation.state if conversation else None
        opted_out_before = address is not None and address.opted_out_at is not None
        ctx = _context(session, inbound, contact, opted_out_before, conversation, state, settings)
        result = handle(state, inbound, ctx)
        lang = languages.pick(result.language or (contact.language if contact is not None else None)
                              or settings.default_language)
        _save_state(session, result, contact, conversation, inbound.received_at)
        applier = Applier(session, settings, contact, address, message, inbound.received_at)
        planned = applier.apply(result.effects)
        replies = _allowed(result, opted_out_before)
        message.replies = {"language": lang, "replies": codec.dump(replies)}
        session.commit()
    jobs.enqueue_rows(planned)
    if applier.erased:
        jobs.scrub_after_erasure(inbound.received_at)
    return Handled(replies, lang)


def _allowed(result: Result, was_opted_out: bool) -> tuple[Reply, ...]:
    """An opted-out address gets only the STOP confirmation and HELP's answer (and START's welcome)."""
    if not was_opted_out or any(r.key == keys.START_CONFIRMED for r in result.replies):
        return tuple(result.replies)
    return tuple(r for r in result.replies if r.key in keys.ALLOWED_WHEN_OPTED_OUT)


def _context(session: Session, inbound: Inbound, contact, opted_out: bool, conversation, state,
             settings) -> Context:
    now = inbound.received_at
    codes = set(keywords.candidate_codes(inbound.text))
    trigger = keywords.join_trigger(inbound.text)
    if trigger and trigger[0]:
        codes.add(trigger[0])
    if state and state.get("code"):
        codes.add(state["code"])
    find = keywords.command(inbound.text, {keywords.FIND: keywords.COMMANDS[keywords.FIND]})
    return Context(
        now=now,
        contact=contact_view(session, contact, now, opted_out),
        circles=circle_views(session, codes, now, lock=True),
        default_language=settings.default_language,
        languages=languages.SHIPPED,
        pending_rsvp=pending_rsvp(session, contact, conversation, now),
        facilitator=facilitator_view(session, contact.id, now) if contact is not None else None,
        found=find_open_circles(session, " ".join(find[2]), now) if find and find[2] else (),
        link=links.view(session, inbound, contact, now),
    )


def _stored(session: Session, provider_id: str) -> Handled | None:
    """The answer already given to this provider id, or None when it is new."""
    row = session.execute(select(Message.replies).where(Message.provider_id == provider_id)).first()
    return None if row is None else from_stored(row[0])


def from_stored(stored) -> Handled:
    """The replies kept on an inbound ``Message`` row (``Message.replies``), ready to render again."""
    if isinstance(stored, dict):
        return Handled(codec.load(stored.get("replies")), languages.pick(stored.get("language")), replay=True)
    return Handled(replay=True, texts=tuple(stored or ()))


def _open_conversation(session: Session, contact: Contact | None, now: datetime) -> Conversation | None:
    if contact is None:
        return None
    conversation = session.scalar(select(Conversation).where(Conversation.contact_id == contact.id))
    if conversation is not None and conversation.expires_at <= now:
        session.delete(conversation)
        session.flush()
        return None
    return conversation


def _save_state(session: Session, result: Result, contact: Contact | None, conversation: Conversation | None,
                now: datetime) -> None:
    if contact is None:
        return
    if result.state is None:
        if conversation is not None:
            session.delete(conversation)
        return
    if conversation is None:
        conversation = Conversation(contact_id=contact.id, flow="", state={}, expires_at=now, updated_at=now)
        session.add(conversation)
    conversation.flow = result.state.get("flow", "")
    conversation.state = dict(result.state)
    expires = result.state.get("expires")
    conversation.expires_at = datetime.fromisoformat(expires) if expires else now + CONVERSATION_TTL
    conversation.updated_at = now
    session.flush()


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
