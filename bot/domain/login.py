"""One-time sign-in codes for the facilitator pages, sent as a normal text through the outbox.

A code is 6 digits, valid for ``CODE_TTL`` and ``MAX_TRIES`` wrong tries; it is stored only as a
keyed hash (HMAC with ``SECRET_KEY``). Who may sign in: a contact who is a facilitator or an
organizer, at a live (not opted-out) phone or Telegram address (by chat id, or by the username its
latest update carried). Anyone else gets the same answer and
no text, so the form does not tell which numbers belong to staff.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.domain import outbox
from bot.domain import phone as phones
from bot.domain.contacts import PHONE_CHANNELS
from bot.domain.outbox import Planned, Recipient, insert_new
from bot.store.models import Address, Contact, Facilitator, LoginCode, Organizer
from flows import keys
from flows.results import Reply

CODE_TTL = timedelta(minutes=10)
MAX_TRIES = 5
CODE_DIGITS = 6
TELEGRAM = "telegram"
USERNAME = "username"  # a Telegram username typed as ``@name``
_USERNAME = re.compile(r"[a-z][a-z0-9_]{4,31}")

OK, WRONG, EXPIRED, LOCKED = "ok", "wrong", "expired", "locked"


@dataclass(frozen=True)
class Checked:
    """The result of checking a code: ``status`` and, when it is ``ok``, who signed in."""

    status: str
    contact_id: int | None = None


def normalize(typed: str, region: str) -> tuple[str, str] | None:
    """``(kind, value)`` for what a person typed: a phone (E.164), a Telegram chat id (``telegram:123``), or
    a Telegram username (``@name``, also ``t.me/name``; kept lower-case without the ``@``).

    Returns None when it is neither (the caller answers the same as for an unknown address).
    """
    typed = (typed or "").strip()[:64]
    if typed.lower().startswith("telegram:"):
        chat = typed.split(":", 1)[1].strip()
        return (TELEGRAM, chat) if chat.lstrip("-").isdigit() else None
    lowered = typed.lower()
    for prefix in ("https://t.me/", "http://t.me/", "t.me/", "@"):
        if lowered.startswith(prefix):
            name = lowered[len(prefix) :].strip().lstrip("@")
            return (USERNAME, name) if _USERNAME.fullmatch(name) else None
    try:
        return ("phone", phones.parse(typed, region))
    except phones.PhoneError:
        return None


def _digest(secret: str, code: str) -> str:
    return hmac.new(secret.encode(), code.encode(), hashlib.sha256).hexdigest()


def staff_address(session: Session, kind: str, value: str) -> Address | None:
    """The live address of a facilitator or organizer with this phone, chat id or Telegram username, or None."""
    channels = PHONE_CHANNELS if kind == "phone" else (TELEGRAM,)
    column = Address.username if kind == USERNAME else Address.value
    staff = or_(Contact.id.in_(select(Facilitator.contact_id)), Contact.id.in_(select(Organizer.contact_id)))
    return session.scalar(
        select(Address)
        .join(Contact, Contact.id == Address.contact_id)
        .where(
            column == value,
            Address.channel.in_(channels),
            Address.opted_out_at.is_(None),
            Contact.erased_at.is_(None),
            staff,
        )
        .order_by(Address.preferred.desc(), Address.id)
        .limit(1)
    )


def issue(session: Session, secret: str, kind: str, value: str, language: str, now: datetime) -> list[Planned]:
    """Makes a code for a staff address and plans its text; does nothing for anyone else.

    Earlier unused codes for that address stop working. Returns the outbox rows to queue after commit.
    """
    address = staff_address(session, kind, value)
    if address is None:
        return []
    for old in session.scalars(
        select(LoginCode).where(LoginCode.address_id == address.id, LoginCode.used_at.is_(None))
    ):
        old.used_at = now
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row = LoginCode(
        address_id=address.id, code_hash=_digest(secret, code), tries=0, expires_at=now + CODE_TTL, created_at=now
    )
    session.add(row)
    session.flush()
    contact = session.get_one(Contact, address.contact_id)
    to = Recipient(
        contact.id, address.id, address.channel, address.value, contact.language or language, contact.timezone
    )
    said = (Reply(keys.PAGES_LOGIN_CODE, {"code": code}),)
    return insert_new(session, [outbox.row(f"login:{row.id}", outbox.OutboxKind.LOGIN, to, said, now, now)])


def check(session: Session, secret: str, kind: str, value: str, code: str, now: datetime) -> Checked:
    """Checks ``code`` against the newest code of that address; counts a wrong try.

    An unknown address is answered ``wrong``, like a wrong code.
    """
    address = staff_address(session, kind, value)
    if address is None:
        return Checked(WRONG)
    row = session.scalar(
        select(LoginCode)
        .where(LoginCode.address_id == address.id)
        .order_by(LoginCode.id.desc())
        .limit(1)
        .with_for_update()
    )
    if row is None or row.used_at is not None:
        return Checked(WRONG)
    if row.tries >= MAX_TRIES:
        return Checked(LOCKED)
    if row.expires_at <= now:
        return Checked(EXPIRED)
    typed = "".join(ch for ch in (code or "") if ch.isdigit())[:CODE_DIGITS]
    if not hmac.compare_digest(row.code_hash, _digest(secret, typed)):
        row.tries += 1
        return Checked(LOCKED if row.tries >= MAX_TRIES else WRONG)
    row.used_at = now
    return Checked(OK, address.contact_id)
