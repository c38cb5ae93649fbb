"""What was sent and how it went: the providers' delivery reports, the facilitator's sent messages (the
history page), and WhatsApp's approved templates. Imported by ``bot.store.models``, which names them all;
import them from there."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models import Base, UTCDateTime


class DeliveryEvent(Base):
    """One delivery status reported by the provider, once per (message, status)."""

    __tablename__ = "delivery_event"
    __table_args__ = (UniqueConstraint("provider_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SentMessage(Base):
    """One message a facilitator sent through the bot (a broadcast or a relay answer), for the history page:
    its outbox rows are those whose ``dedupe_key`` is ``outbox_key`` (a relay) or starts with
    ``outbox_key + ":"`` (a broadcast, one row per learner)."""

    __tablename__ = "sent_message"
    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circle.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    outbox_key: Mapped[str] = mapped_column(String(120), unique=True)
    text: Mapped[str] = mapped_column(Text)
    about_contact_id: Mapped[int | None] = mapped_column(Integer)  # a relay answer: the learner it answered
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WhatsAppTemplate(Base):
    """One Content Template per message and language (named by the message keys, ``bot.render.whatsapp``), as
    ``circlebot whatsapp templates sync`` created it: its ``HX`` sid and WhatsApp's approval state."""

    __tablename__ = "whatsapp_template"
    __table_args__ = (UniqueConstraint("name", "language", name="uq_whatsapp_template_name_language"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(8))
    sid: Mapped[str | None] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
