"""One-time sign-in codes for the facilitator pages, sent as a normal text through the outbox.

A code is 6 digits, valid for ``CODE_TTL`` and ``MAX_TRIES`` wrong tries; it is stored only as a
keyed hash (HMAC with ``SECRET_KEY``). Who may sign in: a contact who is a facilitator or an
organizer, at a live (not opted-out) phone or Telegram address (by chat id, or by the username its
latest update carried). Anyone else gets the same answer and
no text, so the form does not tell which numbers belong to staff.

**Same answer, same work.** The wrong tries are counted per *typed* address in ``login_guard`` (a keyed
hash of it, never the number), for staff and strangers alike: both get "not right", then "too many wrong
tries" after ``MAX_TRIES``, "expired" after ``CODE_TTL``, and the same statements run for both (a
stranger's code is checked against a decoy hash). At most ``DAILY_WRONG`` wrong codes per address per
UTC day, whatever the number of codes asked for (the rate limits alone let ~2,160 through a day).

**The code is never stored in clear**, not even in the outbox: its row carries a random ``salt`` and the
code is ``HMAC(SECRET_KEY, salt)``, derived again by the send job when it renders the text (``reveal``).
The row's ``body`` keeps the text with the code masked. A retry, or the sweeper asking the provider
whether a crashed send went out, derives the very same text, so the row still goes out exactly once;
scrubbing after the send would have left the code in clear while pending and in a ``sending`` row. The
web and the workers must share ``SECRET_KEY``: a worker with another key fails the row (``WrongKey``)
rather than text a code that cannot work.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.domain import outbox
from bot.domain import phone as phones
from bot.domain.contacts import PHONE_CHANNELS
from bot.domain.outbox import Planned, Recipient, insert_new
from bot.store.models import Address, Contact, Facilitator, LoginCode, LoginGuard, Organizer
from flows import keys
from flows.results import Reply

CODE_TTL = timedelta(minutes=10)
MAX_TRIES = 5
DAILY_WRONG = 20  # wrong codes per typed address per UTC day, over every code asked for that day
GUARD_KEPT = timedelta(days=2)  # a typed address's guard row is forgotten this long after its last use
MASK = "******"  # what the stored text shows instead of the code
CODE_DIGITS = 6
TELEGRAM = "telegram"
USERNAME = "username"  # a Telegram username typed as ``@name``
_USERNAME = re.compile(r"[a-z][a-z0-9_]{4,31}")

OK, WRONG, EXPIRED, LOCKED, LOCKED_TODAY = "ok", "wrong", "expired", "locked", "locked_today"
# What a stranger's typed code is compared with: no code's HMAC is 64 zeros.
_DECOY = "0" * 64


class WrongKey(Exception):
    """The code's row was made with another ``SECRET_KEY`` than this process has: its code cannot work."""


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


def code_for(secret: str, salt: str) -> str:
    """The 6-digit code of an outbox row's ``salt`` (only who holds ``SECRET_KEY`` can tell it)."""
    number = int(_digest(secret, f"login-code:{salt}"), 16) % 10**CODE_DIGITS
    return f"{number:0{CODE_DIGITS}d}"


def key_id(secret: str) -> str:
    """A short fingerprint of ``SECRET_KEY``: the send job checks it is deriving with the same key."""
    return _digest(secret, "login-key-id")[:8]


def guard_key(secret: str, kind: str, value: str) -> str:
    """The ``login_guard`` key of a typed address: a keyed hash, so no stranger's number is kept."""
    return _digest(secret, f"login-guard:{kind}:{value}")


def reveal(secret: str, replies: tuple[Reply, ...]) -> tuple[Reply, ...]:
    """The sign-in text's replies with the code derived again from their ``salt``, to send.

    Raises:
        WrongKey: the row was made with another ``SECRET_KEY``.
    """
    out = []
    for reply in replies:
        params = reply.params or {}
        if "salt" in params:
            if params.get("kid") != key_id(secret):
                raise WrongKey("SECRET_KEY differs between the web app and this worker")
            reply = Reply(reply.key, {"code": code_for(secret, str(params["salt"]))})
        out.append(reply)
    return tuple(out)


def masked(replies: tuple[Reply, ...]) -> tuple[Reply, ...]:
    """The sign-in text's replies with the code masked: what the outbox row keeps as its body."""
    return tuple(Reply(r.key, {"code": MASK}) if "salt" in (r.params or {}) else r for r in replies)


def _guard(session: Session, key: str, now: datetime) -> LoginGuard:
    """The typed address's guard row, made when new and locked for this transaction; a new day starts afresh."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(LoginGuard)
        .values(key=key, day=now.date(), wrong_today=0, tries=0, expires_at=None, updated_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    guard = session.scalars(
        select(LoginGuard).where(LoginGuard.key == key).with_for_update().execution_options(populate_existing=True)
    ).one()
    if guard.day != now.date():
        guard.day, guard.wrong_today = now.date(), 0
    return guard


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
    """Starts a code for a typed address: its tries and validity restart, staff or not; for a staff
    address it makes the code and plans its text (none once the address used up its day's tries).

    Earlier unused codes for that address stop working. Returns the outbox rows to queue after commit.
    """
    guard = _guard(session, guard_key(secret, kind, value), now)
    guard.tries, guard.expires_at, guard.updated_at = 0, now + CODE_TTL, now
    address = staff_address(session, kind, value)
    if address is None or guard.wrong_today >= DAILY_WRONG:
        return []
    for old in session.scalars(
        select(LoginCode).where(LoginCode.address_id == address.id, LoginCode.used_at.is_(None))
    ):
        old.used_at = now
    salt = secrets.token_hex(16)
    row = LoginCode(
        address_id=address.id,
        code_hash=_digest(secret, code_for(secret, salt)),
        tries=0,
        expires_at=now + CODE_TTL,
        created_at=now,
    )
    session.add(row)
    session.flush()
    contact = session.get_one(Contact, address.contact_id)
    to = Recipient(
        contact.id, address.id, address.channel, address.value, contact.language or language, contact.timezone
    )
    said = (Reply(keys.PAGES_LOGIN_CODE, {"salt": salt, "kid": key_id(secret)}),)
    return insert_new(session, [outbox.row(f"login:{row.id}", outbox.OutboxKind.LOGIN, to, said, now, now)])


def check(session: Session, secret: str, kind: str, value: str, code: str, now: datetime) -> Checked:
    """Checks ``code`` against the newest code of that address; counts a wrong try.

    A stranger's address goes through the very same steps (its code is compared with a decoy), so it
    gets the same answers after the same statements: ``wrong``, then ``locked`` after ``MAX_TRIES``,
    ``expired`` after ``CODE_TTL``, ``locked_today`` after ``DAILY_WRONG`` wrong codes in a day.
    """
    guard = _guard(session, guard_key(secret, kind, value), now)
    address = staff_address(session, kind, value)
    row = session.scalar(
        select(LoginCode)
        .where(LoginCode.address_id == (address.id if address is not None else 0))
        .order_by(LoginCode.id.desc())
        .limit(1)
        .with_for_update()
    )
    typed = "".join(ch for ch in (code or "") if ch.isdigit())[:CODE_DIGITS]
    usable = row is not None and row.used_at is None and row.expires_at > now
    matches = hmac.compare_digest(row.code_hash if row is not None and usable else _DECOY, _digest(secret, typed))
    if guard.wrong_today >= DAILY_WRONG:
        return Checked(LOCKED_TODAY)
    if guard.tries >= MAX_TRIES:
        return Checked(LOCKED)
    if guard.expires_at is not None and guard.expires_at <= now:
        return Checked(EXPIRED)
    if not matches or guard.expires_at is None or row is None or address is None:
        guard.tries += 1
        guard.wrong_today += 1
        guard.updated_at = now
        if guard.wrong_today >= DAILY_WRONG:
            return Checked(LOCKED_TODAY)
        return Checked(LOCKED if guard.tries >= MAX_TRIES else WRONG)
    row.used_at = now
    guard.tries, guard.expires_at, guard.updated_at = 0, None, now
    return Checked(OK, address.contact_id)


def forget_stale(session: Session, now: datetime) -> int:
    """Deletes the guard rows not used for ``GUARD_KEPT`` (their day is over); returns how many went."""
    gone = session.execute(delete(LoginGuard).where(LoginGuard.updated_at < now - GUARD_KEPT))
    return int(getattr(gone, "rowcount", 0) or 0)
