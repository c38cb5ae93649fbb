"""Page sessions kept on the server: the signed cookie carries only a random token; the ``web_session``
row (its SHA-256) says who is signed in. Signing out deletes the row, so a copied cookie is worthless
afterwards; a session ends after ``IDLE`` without a request and at ``LIFETIME`` whatever happens.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from bot.store.models import WebSession

IDLE = timedelta(hours=12)
LIFETIME = timedelta(hours=24)
TOUCH_EVERY = timedelta(minutes=1)  # seen_at is written at most this often (one UPDATE a minute, not a request)
TOKEN_BYTES = 32


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(db: Session, contact_id: int, now: datetime) -> str:
    """Opens a session for ``contact_id`` and returns its token (for the cookie); drops expired ones."""
    db.execute(delete(WebSession).where(_expired(now)))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.add(WebSession(token_hash=_hash(token), contact_id=contact_id, created_at=now, seen_at=now))
    return token


def contact_for(db: Session, token: object, now: datetime) -> int | None:
    """The contact signed in with ``token``, or None when it is unknown, ended or expired (then deleted)."""
    if not isinstance(token, str) or not token or len(token) > 128:
        return None
    row = db.scalar(select(WebSession).where(WebSession.token_hash == _hash(token)))
    if row is None:
        return None
    if now - row.seen_at >= IDLE or now - row.created_at >= LIFETIME:
        db.delete(row)
        return None
    if now - row.seen_at >= TOUCH_EVERY:
        row.seen_at = now
    return row.contact_id


def end(db: Session, token: object) -> None:
    """Ends the session of ``token`` (signing out): the cookie, wherever it was copied, signs no one in."""
    if isinstance(token, str) and token:
        db.execute(delete(WebSession).where(WebSession.token_hash == _hash(token)))


def _expired(now: datetime):
    return or_(WebSession.seen_at <= now - IDLE, WebSession.created_at <= now - LIFETIME)
