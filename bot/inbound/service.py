"""The service layer: one inbound message, one transaction (DESIGN.md §1).

The service knows no channel's format: it returns the replies (message keys, parameters and
choices) and their language, and the webhook renders them for its channel.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from bot.domain import contacts, reach
from bot.domain import link_codes as links
from bot.domain import phone as phones
from bot.inbound import answers, upserts
from bot.inbound import load as sender
from bot.inbound.context import facilitator_view, find_open_circles
from bot.inbound.effects import FAILED, Applier, Draft
from bot.inbound.upserts import DELETE, UPDATE, Deferred, Shape, build
from bot.render import codec, segments
from bot.store import prebuilt as prebuilt_sql
from bot.store.models import Address, Conversation, Message
from flows import asked, keys, keywords, languages, media
from flows.context import ContactView, Context
from flows.inbound import TELEGRAM, WHATSAPP, Inbound
from flows.results import Enroll, Reply, Result
from flows.router import handle

log = logging.getLogger(__name__)
CONVERSATION_TTL = timedelta(hours=24)
TRIES = 4  # runs of one message that lost a race (a unique conflict or a deadlock) before it is kept as failed


@dataclass(frozen=True)
class Handled:
    """The outcome the webhook renders: the replies, their language, whether this was a replay, and
    ``texts``: the finished replies of a message stored before replies were kept as keys."""

    replies: tuple[Reply, ...] = ()
    language: str = languages.DEFAULT
    replay: bool = False
    texts: tuple[str, ...] | None = None
    queued: bool = False  # the replies were written to the outbox as the sender's answer (``answer_later``)


class Unavailable(Exception):
    """The message could not be handled; its inbound row is kept (status ``failed``) for a retry."""


def handle_inbound(uow, inbound: Inbound, settings, *, answer_later: bool = False) -> Handled:
    """Stores ``inbound`` exactly once, runs the flows, applies their effects and commits.

    ``answer_later``: no inline answer (Africa's Talking, the worker's retries): the replies are written to
    the outbox first, in this transaction (``bot.inbound.answers``; ``Handled.queued``).

    A replay (the same provider id again) returns the stored replies and changes nothing. A unique
    conflict or a deadlock (a race with another message) runs the whole message again, up to
    ``TRIES`` times. If it still fails, or fails any other way, the inbound row is kept in a fresh
    transaction with status ``failed`` and ``Unavailable`` is raised (the webhook answers 503): the
    text is never lost, and a retry with the same provider id handles it as new (issue 12, item 1).
    """
    error: Exception
    for attempt in range(1, TRIES + 1):
        try:
            return _handle_once(uow, inbound, settings, answer_later)
        except (IntegrityError, OperationalError) as exc:
            if attempt == TRIES or (_connection_lost(exc) and attempt > 1):
                error = exc  # a dead connection gets one more try on a new one (the pool was renewed)
                break
            log.warning("inbound %s: %s on try %d, running it again", inbound.channel, exc.__class__.__name__, attempt)
        except Exception as exc:  # noqa: BLE001 - whatever it is, the text must be kept
            error = exc
            break
    log.error("inbound %s not handled (%s); kept as failed", inbound.channel, error.__class__.__name__)
    stored = keep_failed(uow, inbound)
    if stored is not None:
        return stored
    raise Unavailable(str(error.__class__.__name__)) from error


def keep_failed(uow, inbound: Inbound) -> Handled | None:
    """Stores the inbound row with status ``failed`` (unless it is there); returns a stored answer if any."""
    with uow() as session:
        stored = _stored(session, inbound.provider_id)
        if stored is not None:
            return stored
        draft = _draft(inbound)
        draft.status = FAILED
        _insert_message(session, draft, None)
        session.commit()
    return None


def _connection_lost(exc) -> bool:
    return bool(getattr(exc, "connection_invalidated", False))


def _handle_once(uow, inbound: Inbound, settings, answer_later: bool = False) -> Handled:
    now = inbound.received_at
    draft = _draft(inbound)
    found: sender.Found | None = None
    with uow() as session:
        if inbound.address_ok:
            codes = _codes(inbound.text)
            found = sender.lock_and_load(session, inbound.channel, inbound.address, inbound.provider_id, codes, now)
            if found is None:
                stored = _stored(session, inbound.provider_id)
                if stored is not None:
                    return stored
                contacts.for_inbound(session, inbound.channel, inbound.address, now)  # a new sender: made
                session.flush()
                found = sender.lock_and_load(session, inbound.channel, inbound.address, inbound.provider_id, codes, now)
                assert found is not None
            elif found.stored is not None and found.stored.status != FAILED:
                return from_stored(found.stored.replies)
        else:
            stored = _stored(session, inbound.provider_id)
            if stored is not None:
                return stored
        contact = found.contact if found is not None else None
        address = found.address if found is not None else None
        draft.contact_id = contact.id if contact is not None else None
        applier = Applier(session, settings, contact, address, draft, now, found.loaded if found else None)
        if found is not None:
            _touch_address(applier, inbound, found.address, now)
        opted_out_before = address is not None and address.opted_out_at is not None
        conversation, state, ctx = _context_of(session, inbound, found, opted_out_before, settings)
        # Pictures and no text: say so, and leave any question open (a plain text never enters flows.media).
        pictures_only = inbound.media > 0 and media.only_media(inbound)
        result = media.text_only(state) if pictures_only else handle(state, inbound, ctx)
        if found is not None and _places_moved(session, result, ctx):
            # A place was taken or freed meanwhile: decide again with those circles locked (issue 31: only then).
            found = sender.lock_and_load(session, inbound.channel, inbound.address, inbound.provider_id, codes, now)
            assert found is not None
            applier.loaded = found.loaded
            conversation, state, ctx = _context_of(session, inbound, found, opted_out_before, settings)
            result = handle(state, inbound, ctx)
        if inbound.media:
            result = media.noted(result, inbound)
        lang = languages.pick(
            result.language or (contact.language if contact is not None else None) or settings.default_language
        )
        if found is not None:
            _save_state(applier, result, found.loaded.conversation, conversation, now, pictures_only)
        replies = _allowed(result, opted_out_before)
        if replies and replies[-1].choices is not None:  # its buttons name the question (flows.asked)
            replies = asked.tag(replies, asked.of_state(result.state))
        queued = bool(answer_later and replies and found is not None and not answers.erases(result))
        if queued:
            answers.queue(applier, inbound, replies, lang)
        applier.apply(result.effects)
        kept = {"language": lang, "replies": codec.dump(replies)}
        written = applier.contact_write()
        if written is not None and session.get_bind().dialect.name == "postgresql":
            applier.deferred.append(written)  # the version matters where rows are locked (bot.inbound.load)
        elif written is not None and written.shape.changes:
            applier.deferred.append(written)
        if _insert_message(session, draft, kept, applier.take_deferred()) is None:
            session.rollback()  # the same provider id was stored meanwhile: this is a replay
            return _stored(session, inbound.provider_id) or Handled(replay=True)
        session.commit()  # queues the outbox rows written (and an erasure's scrub)
    return Handled(replies, lang, queued=queued)


def _codes(text: str) -> set[str]:
    """The circle codes a text may name (a JOIN trigger's, or any word shaped like a code)."""
    codes = set(keywords.candidate_codes(text))
    trigger = keywords.join_trigger(text)
    if trigger and trigger[0]:
        codes.add(trigger[0])
    return codes


def _touch_address(applier: Applier, inbound: Inbound, address: sender.AddressRow, now: datetime) -> None:
    """What a message says about the address it came from (the ORM address is read only when it changes)."""
    if inbound.channel == TELEGRAM and address.username != inbound.username:
        contacts.keep_username(applier.session, applier.sender_address, inbound.username)
    if address.unreachable_at is not None:
        reach.clear(applier.sender_address)  # it texted in: texts reach it again (issue 22, item 15)
    if inbound.channel == WHATSAPP:  # WhatsApp's 24-hour window for free-form text opens (issue 28)
        values = {"id": address.id, "last_inbound_at": now}
        applier.deferred.append(Deferred(_SEEN, build(_SEEN, applier.session.get_bind().dialect.name), values))


def _places_moved(session: Session, result: Result, ctx: Context) -> bool:
    """Whether a place taken by ``result`` (an ``Enroll``) was counted on stale figures: the circles are
    locked and counted afresh (two statements, only for an Enroll), and the flow decides again only when
    a count or a capacity changed since the load (a race for the last place)."""
    codes = {e.code for e in result.effects if isinstance(e, Enroll)}
    if not codes:
        return False
    fresh = sender.recount(session, codes)
    for code in codes:
        view = ctx.circles.get(code)
        if view is None or fresh.get(code) != (view.capacity, view.enrolled):
            return True
    return False


def _draft(inbound: Inbound) -> Draft:
    return Draft(inbound.channel, inbound.provider_id, inbound.address[:64], inbound.text, inbound.received_at)


def _insert_message(session: Session, draft: Draft, replies, deferred=()) -> int | None:
    """Inserts the inbound row; a ``failed`` row with this provider id is taken over. None: already stored.

    ``deferred``: upserts the effects left to send (``bot.inbound.effects.Applier.apply``). On PostgreSQL they
    go in the same statement, as data-modifying CTEs (``WITH d0 AS (INSERT … ON CONFLICT …) INSERT INTO
    message …``): one round trip for an RSVP's row and the inbound row. Elsewhere they are sent first.
    """
    values = {
        "m_direction": "in",
        "m_channel": draft.channel,
        "m_provider_id": draft.provider_id,
        "m_address": draft.address,
        "m_body": draft.body,
        "m_segments": segments.count(draft.body).segments,
        "m_status": draft.status,
        "m_replies": replies,
        "m_created_at": draft.created_at,
        "m_contact_id": draft.contact_id,
    }
    dialect = session.get_bind().dialect.name
    if deferred and (dialect != "postgresql" or not _distinct_rows(deferred)):
        # Two CTEs of one statement may not both upsert one row: those go one by one, in order.
        for each in deferred:
            session.execute(each.statement, upserts.bound(each))
        deferred = ()
    for i, (_shape, _statement, params) in enumerate(deferred):
        values.update({f"d{i}_{column}": value for column, value in params.items()})
    shapes = tuple(d.shape for d in deferred)
    connection = session.connection()
    prebuilt = prebuilt_sql.for_psycopg(
        connection.dialect, ("message", shapes), lambda: _message_insert(dialect, shapes)
    )
    if prebuilt is not None:  # PostgreSQL: compiled once, sent as the driver's SQL
        rows = prebuilt_sql.run(connection, prebuilt, values)
        return rows[0][0] if rows else None
    return connection.execute(_message_insert(dialect, shapes), values).scalar()


def _distinct_rows(deferred) -> bool:
    """True when no two deferred upserts aim at the same row (the same table and unique key)."""
    keys = [(d.shape.table.name, tuple(d.values[column] for column in d.shape.unique)) for d in deferred]
    return len(set(keys)) == len(keys)


@functools.lru_cache(maxsize=64)
def _message_insert(dialect: str, deferred: tuple = ()):
    """``[WITH dN AS (upsert) …] INSERT … ON CONFLICT (provider_id) DO UPDATE … WHERE status = 'failed'
    RETURNING id`` on the Core table, built once per dialect and deferred upserts' shapes."""
    table = Message.__table__
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = insert(table).values(
        {column: bindparam(f"m_{column}", type_=table.c[column].type) for column in MESSAGE_COLUMNS}
    )
    statement = values.on_conflict_do_update(
        index_elements=["provider_id"],
        where=table.c.status == FAILED,
        set_={k: values.excluded[k] for k in ("contact_id", "address", "body", "status", "replies")},
    ).returning(table.c.id)
    for i, shape in enumerate(deferred):
        names = tuple(f"d{i}_{column}" for column in shape.columns)
        statement = statement.add_cte(upserts.build(shape, dialect, names).cte(f"d{i}"))
    return statement


MESSAGE_COLUMNS = (
    "direction",
    "channel",
    "provider_id",
    "address",
    "body",
    "segments",
    "status",
    "replies",
    "created_at",
    "contact_id",
)


def _context_of(session: Session, inbound: Inbound, found: sender.Found | None, opted_out: bool, settings):
    """``(open conversation, state, flow context)`` from what ``lock_and_load`` read (no statement, except
    a facilitator's view, FIND, LINK and a tapped reminder)."""
    now = inbound.received_at
    if found is None:
        return None, None, _context(inbound, ContactView(), None, {}, None, settings, session, None)
    contact, loaded = found.contact, found.loaded
    codes = _codes(inbound.text)
    conversation = loaded.conversation
    if conversation is not None and conversation.expires_at <= now:
        conversation = None  # lapsed: deleted with the state (``_save_state``)
    state = conversation.state if conversation is not None else None
    if state and state.get("code"):
        codes.add(state["code"])
    named = {code: view for code, view in loaded.circles.items() if code in codes}
    pending, sent_at = loaded.pending, loaded.pending_sent_at  # a pending reminder was sent: it has a time
    if pending is not None and conversation is not None and sent_at is not None and conversation.updated_at > sent_at:
        pending = None
    if inbound.asked is not None and asked.reminder_of(inbound.asked) is not None:  # the keyboard's own reminder
        pending = sender.tapped_reminder(session, loaded, contact.id, asked.reminder_of(inbound.asked), now)
    view = ContactView(
        name=contact.name, language=contact.language, opted_out=opted_out, enrollments=loaded.contact_view.enrollments
    )
    facilitator = facilitator_view(session, contact.id, now) if loaded.facilitator_id is not None else None
    return conversation, state, _context(inbound, view, pending, named, facilitator, settings, session, contact)


def _context(
    inbound: Inbound,
    contact: ContactView,
    pending,
    circles,
    facilitator,
    settings,
    session: Session,
    contact_row: sender.SenderRow | None,
) -> Context:
    now = inbound.received_at
    find = keywords.command(inbound.text, {keywords.FIND: keywords.COMMANDS[keywords.FIND]})
    return Context(
        now=now,
        contact=contact,
        circles=circles,
        default_language=settings.default_language,
        languages=languages.SHIPPED,
        pending_rsvp=pending,
        facilitator=facilitator,
        found=find_open_circles(session, " ".join(find[2]), now) if find and find[2] else (),
        link=links.view(session, inbound, contact_row, now) if keywords.about_link(inbound.text) else None,
        dial_in=phones.display(settings.texting_number) if settings.texting_number else None,
    )


def _allowed(result: Result, was_opted_out: bool) -> tuple[Reply, ...]:
    """An opted-out address gets only the STOP confirmation and HELP's answer (and START's welcome)."""
    if not was_opted_out or any(r.key == keys.START_CONFIRMED for r in result.replies):
        return tuple(result.replies)
    return tuple(r for r in result.replies if r.key in keys.ALLOWED_WHEN_OPTED_OUT)


def _stored(session: Session, provider_id: str) -> Handled | None:
    """The answer already given to this provider id, or None when it is new (or was kept as failed)."""
    row = session.execute(select(Message.replies, Message.status).where(Message.provider_id == provider_id)).first()
    return None if row is None or row[1] == FAILED else from_stored(row[0])


def from_stored(stored) -> Handled:
    """The replies kept on an inbound ``Message`` row (``Message.replies``), ready to render again."""
    if isinstance(stored, dict):
        return Handled(codec.load(stored.get("replies")), languages.pick(stored.get("language")), replay=True)
    return Handled(replay=True, texts=tuple(stored or ()))


_SEEN = Shape(cast(Table, Address.__table__), ("id",), ("last_inbound_at",), ("id", "last_inbound_at"), kind=UPDATE)
CONVERSATION = cast(Table, Conversation.__table__)
_STATE = Shape(
    CONVERSATION,
    ("contact_id",),
    ("flow", "state", "expires_at", "updated_at"),
    ("contact_id", "flow", "state", "expires_at", "updated_at"),
)
_CLOSED = Shape(CONVERSATION, ("contact_id",), (), ("contact_id",), kind=DELETE)


def _save_state(
    applier: Applier,
    result: Result,
    stored: sender.ConversationRow | None,
    conversation: sender.ConversationRow | None,
    now: datetime,
    pictures_only: bool,
) -> None:
    """Keeps the flow's new state as the sender's conversation (an upsert), or closes it (a delete), as a
    write deferred to the inbound row's statement; a lapsed one is deleted. ``stored``: the row as read,
    ``conversation``: the same while open. Pictures only leave an open question as it was."""
    dialect = applier.session.get_bind().dialect.name
    contact_id = applier.contact_id
    if pictures_only or result.state is None:
        if stored is not None and (not pictures_only or conversation is None):
            applier.deferred.append(Deferred(_CLOSED, build(_CLOSED, dialect), {"contact_id": contact_id}))
        return
    expires = result.state.get("expires")
    values = {
        "contact_id": contact_id,
        "flow": result.state.get("flow", ""),
        "state": dict(result.state),
        "expires_at": datetime.fromisoformat(expires) if expires else now + CONVERSATION_TTL,
        "updated_at": now,
    }
    applier.deferred.append(Deferred(_STATE, build(_STATE, dialect), values))
