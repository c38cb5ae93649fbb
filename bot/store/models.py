"""SQLAlchemy 2 models (DESIGN.md §3). Times are stored in UTC; numbers in E.164."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given where UTC is required")
            value = value.astimezone(timezone.utc)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    """The declarative base of every model."""

    # Every model maps one ``Table`` (SQLAlchemy types it as any ``FromClause``), so Core statements
    # (``insert(Message.__table__)``, ``LinkCode.__table__.delete()``) type-check without a cast.
    __table__: ClassVar[Table]


class Facilitator(Base):
    """A librarian or volunteer who runs circles: a contact (reachable on any channel) with a role."""

    __tablename__ = "facilitator"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(80))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), unique=True)
    # The library system whose organizers see this facilitator's circles (``circlebot organizer add``).
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Team(Base):
    """A library system: its organizers see every circle of its facilitators."""

    __tablename__ = "team"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Organizer(Base):
    """A contact who sees (and may run) every circle of one team."""

    __tablename__ = "organizer"
    __table_args__ = (UniqueConstraint("contact_id", "team_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CircleFacilitator(Base):
    """A co-facilitator of a circle (the circle's own ``facilitator_id`` is its lead)."""

    __tablename__ = "circle_facilitator"
    __table_args__ = (UniqueConstraint("circle_id", "facilitator_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circle.id"), index=True)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("facilitator.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Circle(Base):
    """A learning circle: a group that meets weekly at a venue."""

    __tablename__ = "circle"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    phone_code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    course: Mapped[str | None] = mapped_column(String(120))
    course_url: Mapped[str | None] = mapped_column(String(300))
    venue: Mapped[str] = mapped_column(String(40))
    city: Mapped[str | None] = mapped_column(String(60))
    postal_code: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    timezone: Mapped[str] = mapped_column(String(64))
    capacity: Mapped[int] = mapped_column(Integer)
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday
    start_time: Mapped[time] = mapped_column(Time())
    starts_on: Mapped[date] = mapped_column(Date())
    weeks: Mapped[int] = mapped_column(Integer)
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("facilitator.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set by ``circlebot circle archive``: the circle leaves lists and FIND; its data stays for export.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Digits a facilitator types after the phone code and ``*`` when calling from another phone.
    facilitator_pin: Mapped[str | None] = mapped_column(String(8))
    # The learning circle's id on P2PU (learningcircles.p2pu.org) when ``circle import`` brought it in.
    p2pu_id: Mapped[int | None] = mapped_column(Integer, unique=True)

    facilitator: Mapped[Facilitator | None] = relationship()
    meetings: Mapped[list["Meeting"]] = relationship(back_populates="circle", order_by="Meeting.seq")


class Meeting(Base):
    """One weekly meeting of a circle."""

    __tablename__ = "meeting"
    __table_args__ = (UniqueConstraint("circle_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circle.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    # The conference room's name (random, no personal data), made on the first call in.
    room: Mapped[str | None] = mapped_column(String(32), unique=True)

    circle: Mapped[Circle] = relationship(back_populates="meetings")


class Contact(Base):
    """A person (learner, facilitator, organizer), reachable at one or more addresses."""

    __tablename__ = "contact"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(8))
    timezone: Mapped[str | None] = mapped_column(String(64))
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # One more for every inbound message handled for this contact, and for every job that locks the contact
    # to change what the inbound path reads: a stale snapshot behind the lock shows (bot/inbound/load.py).
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    enrollments: Mapped[list["Enrollment"]] = relationship(back_populates="contact")
    addresses: Mapped[list["Address"]] = relationship(back_populates="contact", order_by="Address.id")


class Address(Base):
    """Where a contact can be reached: an SMS, WhatsApp or voice phone (E.164), or a Telegram chat id.

    Consent and opt-out belong to the address: STOP on one stops that one only. The ``preferred``
    address (one per contact: the one they joined on, until they change it) gets scheduled messages.
    """

    __tablename__ = "address"
    __table_args__ = (UniqueConstraint("channel", "value"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(64))
    preferred: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consent_source: Mapped[str | None] = mapped_column(String(24))
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # A Telegram address's public username (lower-case, no ``@``), as its latest update gave it: the
    # facilitator pages send a sign-in code to ``@username``. None when the user has none.
    username: Mapped[str | None] = mapped_column(String(32), index=True)
    # Texts to this address fail for good (a landline, an unreachable number: Twilio 30003, 30005,
    # 30006…): nothing more is texted to it until it texts in again (bot/domain/reach.py).
    unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unreachable_code: Mapped[str | None] = mapped_column(String(8))
    # When the learner last wrote on this WhatsApp address: WhatsApp's 24-hour window for free-form text.
    last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    contact: Mapped[Contact] = relationship(back_populates="addresses")


class Enrollment(Base):
    """A contact in a circle: active, on the waitlist, or left."""

    __tablename__ = "enrollment"
    __table_args__ = (UniqueConstraint("contact_id", "circle_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), index=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circle.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When a freed place was offered to this waitlisted learner (once; the offer lapses, then passes on).
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    contact: Mapped[Contact] = relationship(back_populates="enrollments")
    circle: Mapped[Circle] = relationship()


class Message(Base):
    """Every message in or out. Inbound rows are unique by provider id and keep their replies."""

    __tablename__ = "message"
    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))  # "in" | "out"
    channel: Mapped[str] = mapped_column(String(16))
    provider_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    body: Mapped[str] = mapped_column(Text)
    segments: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16))
    replies: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class Conversation(Base):
    """A contact's one open conversation: which flow, its state, and when it lapses."""

    __tablename__ = "conversation"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), unique=True)
    flow: Mapped[str] = mapped_column(String(32))
    state: Mapped[dict] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Outbox(Base):
    """A message waiting to go out; ``dedupe_key`` makes it go out exactly once."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_contact_kind_sent", "contact_id", "kind", "sent_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="notice", server_default="notice")
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivery_status: Mapped[str | None] = mapped_column(String(16))
    # The conversation to open for the contact once this text is sent (a check-in or survey question).
    conversation: Mapped[dict | None] = mapped_column(JSON)
    # Whose personal data the body carries, when that is not the recipient (a relay, a "joined" note):
    # FORGET scrubs these rows too.
    about_contact_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # Where it goes: the address row (checked for opt-out at send time), its channel and value.
    address_id: Mapped[int | None] = mapped_column(ForeignKey("address.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    # What to say (message keys, parameters, choices; bot/render/codec.py), rendered at send time in
    # the contact's language of that moment, else ``language``. ``body`` keeps what was sent.
    replies: Mapped[list | None] = mapped_column(JSON)
    language: Mapped[str | None] = mapped_column(String(8))
    # The zone its quiet hours are read in when the contact has none of their own (the circle's).
    timezone: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[str | None] = mapped_column(Text)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The batch send job the row waits in (bot/domain/batches.py), or None when it has a job of its own.
    batch: Mapped[str | None] = mapped_column(String(48))
    provider_id: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Rsvp(Base):
    """A learner's answer to "are you coming?" for one meeting; a changed mind updates it."""

    __tablename__ = "rsvp"
    __table_args__ = (UniqueConstraint("meeting_id", "contact_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), index=True)
    answer: Mapped[str] = mapped_column(String(8))  # "yes" | "no"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Answer(Base):
    """One answer to one question: a check-in or a survey, by a learner or a facilitator.

    ``subject`` says whose answer it is without naming anyone: ``enrollment:<id>`` for a learner,
    ``facilitator:<id>:circle:<id>`` for a facilitator. ``value`` is None for a skipped question.
    """

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("subject", "question_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(64))
    circle_id: Mapped[int] = mapped_column(ForeignKey("circle.id"), index=True)
    question_key: Mapped[str] = mapped_column(String(64))
    value: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RelayHandle(Base):
    """The short number (``#3``) a facilitator uses for one learner in the masked relay."""

    __tablename__ = "relay_handle"
    __table_args__ = (UniqueConstraint("facilitator_id", "number"), UniqueConstraint("facilitator_id", "contact_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("facilitator.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LinkCode(Base):
    """A LINK code: a contact asked on one address to join another to them (``bot/domain/link_codes.py``).

    Only the code's SHA-256 is kept. It lives ``links.TTL``; ``used_at`` is set when it is redeemed.
    """

    __tablename__ = "link_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


# The phone line's rows (calls, conference events, attendance, held meetings, mutes, recorded prompts) live in
# ``bot/store/models_calls.py``; imported here so that ``bot.store.models`` names every table, as before.
from bot.store.models_calls import (  # noqa: E402
    Attendance,
    CallMute,
    ConferenceEvent,
    HeldMeeting,
    VoiceCall,
    VoicePrompt,
)

# What was sent and how it went (delivery reports, the facilitator's sent messages, WhatsApp's templates).
from bot.store.models_sending import DeliveryEvent, SentMessage, WhatsAppTemplate  # noqa: E402

# The facilitator pages' sign-in rows (one-time codes, sessions, the guard on wrong codes).
from bot.store.models_signin import LoginCode, LoginGuard, WebSession  # noqa: E402

__all__ = [
    "Attendance",
    "CallMute",
    "ConferenceEvent",
    "DeliveryEvent",
    "HeldMeeting",
    "LoginCode",
    "LoginGuard",
    "SentMessage",
    "VoiceCall",
    "VoicePrompt",
    "WebSession",
    "WhatsAppTemplate",
]
