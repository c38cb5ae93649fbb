"""People and their addresses: finding the sender, consent and opt-out per address, the preferred one.

A contact is a person; an address is one way to reach them (``sms``, ``whatsapp`` or ``voice`` phone
in E.164, or a ``telegram`` chat id). Phone channels of one number belong to one person: a learner who
joined by WhatsApp and later texts by SMS is the same contact, with a second address.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy import and_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain.outbox import Recipient
from bot.store.models import Address, Contact, Facilitator
from flows.inbound import SIMULATOR, SMS, TELEGRAM, VOICE, WHATSAPP

PHONE_CHANNELS = (SMS, WHATSAPP, VOICE, SIMULATOR)


class Identified(Protocol):
    """A contact as a row read without the ORM (``bot.inbound.load.SenderRow``): what knows its id."""

    @property
    def id(self) -> int: ...


class ConsentSource(StrEnum):
    """How an address came to be consented, as stored in ``address.consent_source``."""

    # The person's own message (or START) on that channel: the channel's name.
    SMS = SMS
    WHATSAPP = WHATSAPP
    TELEGRAM = TELEGRAM
    VOICE = VOICE
    SIMULATOR = SIMULATOR
    LINK = "link"  # their other address, joined to this one with a link code
    CALL_ME = "call me"  # they asked to be called into a meeting: a voice address beside their phone
    JOINED_BY_PHONE = "joined by phone"  # they called the bot's number and joined a circle by keypad
    ADDED_BY_FACILITATOR = "added_by_facilitator"  # a learner their facilitator added (on paper, ADD, a landline)
    ASKED = "asked"  # added on paper where consent must be express: no consent until they reply YES
    FACILITATOR = "facilitator"  # a facilitator, added by an operator (``circle create``, ``facilitator add``)
    ORGANIZER = "organizer"  # an organizer, added by an operator (``organizer add``)


# The address scheduled messages go to: the contact's preferred one, if it has not opted out.
DELIVERABLE = (Address.preferred.is_(True), Address.opted_out_at.is_(None))


def preferred_join(contact_column=Contact.id):
    """The join condition that picks each contact's deliverable address."""
    return and_(Address.contact_id == contact_column, *DELIVERABLE)


def find(session: Session, channel: str, value: str, lock: bool = False) -> tuple[Contact, Address] | None:
    """The contact and address behind ``(channel, value)``; ``lock`` takes the contact row for update."""
    query = (
        select(Contact, Address)
        .join(Address, Address.contact_id == Contact.id)
        .where(Address.channel == channel, Address.value == value)
    )
    if lock:
        query = query.with_for_update(of=Contact)
    row = session.execute(query).first()
    return (row[0], row[1]) if row else None


def for_inbound(session: Session, channel: str, value: str, now: datetime) -> tuple[Contact, Address]:
    """The sender's contact and address (locked for this message), made on their first message.

    A new phone channel of a number the bot knows joins that number's contact.
    """
    found = find(session, channel, value, lock=True)
    if found is not None:
        return found
    contact = None
    if channel in PHONE_CHANNELS:
        contact = session.scalar(
            select(Contact)
            .join(Address, Address.contact_id == Contact.id)
            .where(Address.value == value, Address.channel.in_(PHONE_CHANNELS))
            .order_by(Address.id)
            .limit(1)
            .with_for_update(of=Contact)
        )
    try:
        with session.begin_nested():
            if contact is None:
                contact = Contact(created_at=now)
                session.add(contact)
                session.flush()
            address = Address(contact_id=contact.id, channel=channel, value=value, preferred=False, created_at=now)
            session.add(address)
    except IntegrityError:  # made by a concurrent message from the same sender
        found = find(session, channel, value, lock=True)
        assert found is not None
        return found
    return contact, address


def lock_changing(session: Session, contact_id: int) -> None:
    """Locks a contact's row to change what an inbound message of theirs reads (a conversation, an address),
    by adding one to its version: a message that waited for this lock then knows its snapshot is older
    than the row it locked, and reads again (``bot.inbound.load``)."""
    session.execute(
        update(Contact)
        .where(Contact.id == contact_id)
        .values(version=Contact.version + 1)
        .execution_options(synchronize_session=False)
    )


def keep_username(session: Session, address: Address, username: str | None) -> None:
    """Keeps a Telegram address's username as its latest update gave it (no statement when unchanged).

    A username someone else had before (Telegram lets a name pass on) is taken off their address.
    """
    if address.username == username:
        return
    if username is not None:
        session.execute(
            update(Address)
            .where(Address.channel == TELEGRAM, Address.username == username, Address.id != address.id)
            .values(username=None)
            .execution_options(synchronize_session=False)
        )
    address.username = username


def consent(session: Session, contact: Contact, address: Address, now: datetime, source: ConsentSource) -> None:
    """Records consent on ``address``; the contact's first consented address becomes preferred."""
    if address.consent_at is None:
        address.consent_at, address.consent_source = now, source
    has_preferred = session.scalar(
        select(Address.id).where(Address.contact_id == contact.id, Address.preferred.is_(True))
    )
    if has_preferred is None:
        address.preferred = True


def opt_out(session: Session, address: Address, now: datetime) -> None:
    """Stops every message to ``address``; a preferred address hands that role to another live one."""
    address.opted_out_at = now
    if not address.preferred:
        return
    other = session.scalar(
        select(Address)
        .where(
            Address.contact_id == address.contact_id,
            Address.id != address.id,
            Address.opted_out_at.is_(None),
            Address.consent_at.is_not(None),
        )
        .order_by(Address.consent_at.desc())
        .limit(1)
    )
    if other is not None:
        address.preferred = False
        other.preferred = True


def opt_in(session: Session, address: Address, now: datetime) -> None:
    """Messages to ``address`` may go again; it becomes preferred if the contact has no live one."""
    address.opted_out_at = None
    if address.consent_at is None:
        address.consent_at, address.consent_source = now, ConsentSource(address.channel)
    live = session.scalar(select(Address.id).where(Address.contact_id == address.contact_id, *DELIVERABLE))
    if live is None:
        session.execute(update(Address).where(Address.contact_id == address.contact_id).values(preferred=False))
        address.preferred = True


def of_row(session: Session, address_id: int | None, channel: str, value: str) -> Address | None:
    """The address an outbox row goes to: by id, or by channel and value for a row that has none."""
    if address_id is not None:
        return session.get(Address, address_id)
    return session.scalar(select(Address).where(Address.channel == channel, Address.value == value))


def recipient(session: Session, contact_id: int | None, fallback_language: str | None = None) -> Recipient | None:
    """Where a message for ``contact_id`` goes now, or None when they cannot be reached."""
    if contact_id is None:
        return None
    row = session.execute(
        select(Contact.id, Address.id, Address.channel, Address.value, Contact.language, Contact.timezone)
        .join(Address, preferred_join())
        .where(Contact.id == contact_id, Contact.erased_at.is_(None))
    ).first()
    if row is None:
        return None
    return Recipient(row[0], row[1], row[2], row[3], row[4] or fallback_language, row[5])


def facilitator_recipient(
    session: Session, facilitator_id: int | None, fallback_language: str, opted_out_too: bool = False
) -> Recipient | None:
    """Where a message for facilitator ``facilitator_id`` goes now.

    ``opted_out_too`` also returns their preferred address when it has opted out (to hold a relay).
    """
    if facilitator_id is None:
        return None
    contact_id = session.scalar(select(Facilitator.contact_id).where(Facilitator.id == facilitator_id))
    found = recipient(session, contact_id, fallback_language)
    if found is not None or not opted_out_too or contact_id is None:
        return found
    row = session.execute(
        select(Contact.id, Address.id, Address.channel, Address.value, Contact.language, Contact.timezone)
        .join(Address, and_(Address.contact_id == Contact.id, Address.preferred.is_(True)))
        .where(Contact.id == contact_id, Contact.erased_at.is_(None))
    ).first()
    return Recipient(row[0], row[1], row[2], row[3], row[4] or fallback_language, row[5]) if row else None


def by_phone(session: Session, phone: str) -> Contact | None:
    """The contact with this E.164 phone number on any phone channel, or None."""
    return session.scalar(
        select(Contact)
        .join(Address, Address.contact_id == Contact.id)
        .where(Address.value == phone, Address.channel.in_(PHONE_CHANNELS))
        .limit(1)
    )


def make_with_phone(session: Session, phone: str, now: datetime, source: ConsentSource) -> Contact:
    """The contact with this phone number (any phone channel), made with an SMS address if new."""
    contact = by_phone(session, phone)
    if contact is not None:
        return contact
    contact = Contact(created_at=now)
    session.add(contact)
    session.flush()
    session.add(
        Address(
            contact_id=contact.id,
            channel=SMS,
            value=phone,
            preferred=True,
            consent_at=now,
            consent_source=source,
            created_at=now,
        )
    )
    session.flush()
    return contact


def with_landline(session: Session, phone: str, name: str, language: str, now: datetime) -> Contact:
    """The contact with this E.164 phone number (made with ``name`` and ``language`` if new), reached by
    calls: a number with no ``voice`` address gets one, preferred, consented as added by the facilitator."""
    contact = by_phone(session, phone)
    if contact is None:
        contact = Contact(name=name, language=language, created_at=now)
        session.add(contact)
        session.flush()
    if session.scalar(select(Address.id).where(Address.channel == VOICE, Address.value == phone)) is None:
        session.execute(
            update(Address)
            .where(Address.contact_id == contact.id)
            .values(preferred=False)
            .execution_options(synchronize_session=False)
        )
        session.add(
            Address(
                contact_id=contact.id,
                channel=VOICE,
                value=phone,
                preferred=True,
                consent_at=now,
                consent_source=ConsentSource.ADDED_BY_FACILITATOR,
                created_at=now,
            )
        )
    return contact
