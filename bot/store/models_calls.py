"""The phone line's rows: calls, conference events, attendance (in person or by phone), meetings held by
phone, the facilitator's mutes, and recorded prompts. Imported by ``bot.store.models``, which names them all;
import them from there."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models import Base, UTCDateTime


class VoiceCall(Base):
    """A call put into a meeting's conference: who it is, so conference events find the person."""

    __tablename__ = "voice_call"
    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    caller: Mapped[str | None] = mapped_column(String(24))  # masked (``+1******0188``), never the full number
    facilitator: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConferenceEvent(Base):
    """One conference status callback, kept once (a replay or a duplicate changes nothing)."""

    __tablename__ = "conference_event"
    __table_args__ = (UniqueConstraint("conference_sid", "event", "call_sid", "sequence"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    conference_sid: Mapped[str] = mapped_column(String(64), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    event: Mapped[str] = mapped_column(String(32))
    call_sid: Mapped[str] = mapped_column(String(64), default="", server_default="")
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Attendance(Base):
    """Who came to a meeting: by phone (one row per call) or in person (recorded by the facilitator).

    ``contact_id`` is None for a caller the bot does not know; ``caller`` then holds the masked number.
    ``seconds`` counts time in the running conference (waiting for the facilitator is not attending).
    """

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "source", "ref"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    source: Mapped[str] = mapped_column(String(16))  # "phone" | "in_person"
    ref: Mapped[str] = mapped_column(String(64))  # the CallSid, or ``contact:<id>`` in person
    caller: Mapped[str | None] = mapped_column(String(24))
    facilitator: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class VoicePrompt(Base):
    """A recorded prompt for a language with no Twilio voice (issue 29): the audio itself, so that every web
    process serves it from the database (``GET /voice/prompts/<lang>/<key>``)."""

    __tablename__ = "voice_prompt"
    __table_args__ = (UniqueConstraint("language", "key", name="uq_voice_prompt_language_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(32))
    audio: Mapped[bytes] = mapped_column(LargeBinary)
    # A short hash of the audio: the served URL carries it, so a new recording is a new URL for Twilio's cache.
    digest: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(8))  # file, page or phone
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HeldMeeting(Base):
    """A meeting whose conference started (issue 26): held, with its start, end and how many callers."""

    __tablename__ = "held_meeting"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), unique=True)
    conference_sid: Mapped[str] = mapped_column(String(64), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    callers: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CallMute(Base):
    """A call the facilitator muted (or unmuted) in its conference, for the live panel and the simulator."""

    __tablename__ = "call_mute"
    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    muted: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
