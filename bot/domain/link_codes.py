"""LINK codes: a contact asks on one address for a code and says it on another (``flows/link.py``).

A code is 6 random digits, kept only as its SHA-256, alive ``TTL`` (10 minutes) and used once. The
address that says a code gets ``TRIES`` (5) wrong codes per ``TTL``: its wrong tries are counted from
its own stored inbound messages (each answered ``link.wrong``), so no counter can drift. Linking moves
that address onto the code's contact; an address whose own contact is already in a circle is
refused (``busy``): the learner asks for the code there instead.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from bot.domain import contacts
from bot.store.models import Address, Contact, Conversation, Enrollment, LinkCode, Message
from flows import keys, link
from flows.context import LinkView
from flows.inbound import Inbound

TTL = timedelta(minutes=link.MINUTES)
TRIES = 5


def code_hash(code: str) -> str:
    """What is stored of a code."""
    return hashlib.sha256(code.encode()).hexdigest()


def view(session, inbound: Inbound, contact: Contact | contacts.Identified | None, now: datetime) -> LinkView:
    """A fresh code, and what a lone 6-digit text from this sender would be (``contact``: its row or id holder)."""
    fresh = f"{secrets.randbelow(1_000_000):06d}"
    if contact is None or not link.is_code(inbound):
        return LinkView(fresh)
    if _wrong_tries(session, inbound, now) >= TRIES:
        return LinkView(fresh, "locked")
    owner = session.scalar(
        select(LinkCode.contact_id).where(
            LinkCode.code_hash == code_hash(inbound.text.strip()),
            LinkCode.used_at.is_(None),
            LinkCode.expires_at > now,
            LinkCode.contact_id != contact.id,
        )
    )
    if owner is None:
        return LinkView(fresh, "wrong")
    if session.scalar(select(func.count()).select_from(Enrollment).where(Enrollment.contact_id == contact.id)):
        return LinkView(fresh, "busy")
    theirs = contacts.recipient(session, owner)
    return LinkView(fresh, "match", (inbound.channel, theirs.channel if theirs else inbound.channel))


def _wrong_tries(session, inbound: Inbound, now: datetime) -> int:
    stored = session.scalars(
        select(Message.replies).where(
            Message.direction == "in",
            Message.channel == inbound.channel,
            Message.address == inbound.address[:64],
            Message.created_at > now - TTL,
        )
    ).all()
    return sum(
        1
        for s in stored
        if isinstance(s, dict) and any(r.get("key") == keys.LINK_WRONG for r in s.get("replies") or ())
    )


def issue(session, contact: Contact, code: str, now: datetime) -> None:
    """Keeps ``code`` for ``contact``; an earlier unused code of theirs stops working."""
    session.execute(
        update(LinkCode).where(LinkCode.contact_id == contact.id, LinkCode.used_at.is_(None)).values(used_at=now)
    )
    session.add(LinkCode(contact_id=contact.id, code_hash=code_hash(code), expires_at=now + TTL, created_at=now))


def join(session, contact: Contact, address: Address, code: str, now: datetime) -> Contact:
    """Moves ``address`` (and its open conversation) onto the code's contact; returns that contact."""
    row = session.scalar(
        select(LinkCode)
        .where(LinkCode.code_hash == code_hash(code), LinkCode.used_at.is_(None), LinkCode.expires_at > now)
        .with_for_update()
    )
    if row is None:
        return contact
    row.used_at = now
    owner = session.get(Contact, row.contact_id)
    address.contact_id, address.preferred = owner.id, False
    if address.consent_at is None:
        address.consent_at, address.consent_source = now, contacts.ConsentSource.LINK
    address.opted_out_at = None
    mine = session.scalar(select(Conversation).where(Conversation.contact_id == contact.id))
    if mine is not None:
        session.execute(
            delete(Conversation).where(Conversation.contact_id == owner.id).execution_options(synchronize_session=False)
        )
        session.flush()
        mine.contact_id = owner.id
    session.execute(
        update(Message)
        .where(Message.contact_id == contact.id, Message.address == address.value)
        .values(contact_id=owner.id)
    )
    if owner.name is None:
        owner.name = contact.name
    session.flush()
    return owner


def prefer(session, contact: Contact, channel: str) -> None:
    """The contact's live address on ``channel`` becomes the one scheduled messages go to."""
    chosen = session.scalar(
        select(Address).where(
            Address.contact_id == contact.id, Address.channel == channel, Address.opted_out_at.is_(None)
        )
    )
    if chosen is None:
        return
    session.execute(update(Address).where(Address.contact_id == contact.id).values(preferred=False))
    chosen.preferred = True
