"""The facilitator pages' sign-in rows: one-time codes, server-side sessions and the guard on wrong codes.
Imported by ``bot.store.models``, which names them all; import them from there."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models import Base, UTCDateTime


class LoginCode(Base):
    """A one-time sign-in code sent to one address: kept as a keyed hash, valid briefly, a few tries."""

    __tablename__ = "login_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    address_id: Mapped[int] = mapped_column(ForeignKey("address.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    tries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebSession(Base):
    """A signed-in facilitator's page session: the cookie carries a random token, this row its hash.

    Signing out deletes the row, so a copied cookie stops working; a session also ends after a while
    idle and at an absolute age (bot/web/sessions.py).
    """

    __tablename__ = "web_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    contact_id: Mapped[int] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class LoginGuard(Base):
    """Wrong sign-in codes per typed address, staff or not (so the answers never tell them apart).

    ``key`` is a keyed hash of what was typed (never the number itself); ``tries`` counts the wrong
    codes since the last code was asked for, ``wrong_today`` those of ``day`` (UTC), for the daily cap.
    """

    __tablename__ = "login_guard"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    wrong_today: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    tries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
