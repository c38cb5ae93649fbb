"""Calling learners in (CALL ME): an outbox row per call, placed at the meeting's start, retried once.

A call goes through the same exactly-once outbox as a text (kind ``call``, channel ``voice``), so a
crash never places it twice (the sweeper asks Twilio's ``calls.list`` before any resend). When it is
answered, ``/twilio/voice/answer?row=<id>`` puts the learner into the meeting's conference; a call
nobody answers (or a voicemail) gets one more try ``RETRY_AFTER`` later.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.domain import callers as voice
from bot.domain import outbox
from bot.domain.contacts import PHONE_CHANNELS, ConsentSource
from bot.domain.outbox import Planned, Recipient
from bot.domain.phone import mask
from bot.domain.schedule import MeetingStatus
from bot.store.models import Address, Circle, Contact, Meeting, Outbox
from flows import keys
from flows import voice as call_flow
from flows.inbound import VOICE
from flows.results import Reply

log = logging.getLogger(__name__)
KIND = outbox.OutboxKind.CALL  # the kind of every CALL ME row
RETRY_AFTER = timedelta(minutes=5)
NOT_ANSWERED = ("no-answer", "busy", "failed", "canceled")


def placing(settings, row: Outbox) -> dict:
    """What the calls adapter needs: the TwiML URL on answer and the status callback."""
    base = settings.public_base_url
    return {
        "url": f"{base}/twilio/voice/answer?row={row.id}",
        "status_callback": f"{base}/twilio/voice/status?row={row.id}",
    }


def voice_address(session, contact: Contact, now: datetime) -> Address | None:
    """The contact's ``voice`` address for their phone number, added (consented: they asked) if missing."""
    phone = session.scalar(
        select(Address)
        .where(Address.contact_id == contact.id, Address.channel.in_(PHONE_CHANNELS))
        .order_by(Address.id)
    )
    if phone is None:
        return None
    if phone.channel == VOICE:
        return phone
    existing = session.scalar(select(Address).where(Address.channel == VOICE, Address.value == phone.value))
    if existing is not None:
        return existing if existing.contact_id == contact.id else None
    address = Address(
        contact_id=contact.id,
        channel=VOICE,
        value=phone.value,
        preferred=False,
        consent_at=now,
        consent_source=ConsentSource.CALL_ME,
        created_at=now,
    )
    session.add(address)
    session.flush()
    return address


def request(session, contact: Contact, circle: Circle, meeting: Meeting, now: datetime) -> list[Planned]:
    """Plans the call for ``meeting`` (once per meeting and learner), at its start or now if it has begun."""
    address = voice_address(session, contact, now)
    if address is None or address.opted_out_at is not None:
        return []
    to = Recipient(contact.id, address.id, VOICE, address.value, contact.language, circle.timezone)
    said = (Reply(keys.VOICE_JOIN_LEARNER, {"circle": circle.name}),)
    return outbox.insert_new(
        session,
        [
            outbox.row(
                f"call:{meeting.id}:{contact.id}",
                KIND,
                to,
                said,
                max(meeting.starts_at, now),
                now,
                meeting_id=meeting.id,
            )
        ],
    )


def answered(session, row_id: int, call_sid: str, answered_by: str | None, now: datetime):
    """The TwiML step for a call-me call that was answered, and its room (None unless joining).

    A machine (voicemail) gets a short message and no conference, and does not count as an answer.
    """
    row = session.get(Outbox, row_id)
    if row is None or row.kind != KIND or row.meeting_id is None:
        return call_flow.Goodbye("en", (Reply(keys.VOICE_GOODBYE),)), None
    meeting = session.get(Meeting, row.meeting_id)
    circle = session.get(Circle, meeting.circle_id)
    contact = session.get(Contact, row.contact_id) if row.contact_id else None
    lang = (contact.language if contact else None) or row.language or circle.language
    if answered_by and answered_by.startswith("machine"):
        return call_flow.Goodbye(lang, (Reply(keys.VOICE_VOICEMAIL, {"circle": circle.name}),)), None
    if meeting.status == MeetingStatus.CANCELLED:
        return call_flow.Goodbye(lang, (Reply(keys.VOICE_NO_MEETINGS, {"circle": circle.name}),)), None
    who = voice.Caller(contact.id if contact else None, lang, None)
    room = voice.join(session, call_sid, meeting.id, who, row.address, False, now)
    return call_flow.Join(lang, meeting.id, False, (Reply(keys.VOICE_JOIN_LEARNER, {"circle": circle.name}),)), room


def ended(session, row_id: int, status: str, answered_by: str | None, now: datetime) -> list[Planned]:
    """A finished call-me call: not answered (or a voicemail) is tried once more ``RETRY_AFTER`` later."""
    row = session.get(Outbox, row_id)
    if row is None or row.kind != KIND or row.dedupe_key.endswith(":retry"):
        return []
    machine = bool(answered_by and answered_by.startswith("machine"))
    if status not in NOT_ANSWERED and not machine:
        return []
    meeting = session.get(Meeting, row.meeting_id)
    if meeting is None or meeting.status == MeetingStatus.CANCELLED or meeting.ends_at <= now + RETRY_AFTER:
        return []
    log.info("call to %s not answered (%s); one more try in 5 minutes", mask(row.address), status)
    retry = {
        c.name: getattr(row, c.name)
        for c in Outbox.__table__.columns
        if c.name not in ("id", "provider_id", "sent_at", "claimed_at", "delivery_status", "last_error")
    }
    retry.update(
        dedupe_key=row.dedupe_key + ":retry",
        status=outbox.PENDING,
        attempts=0,
        body=None,
        send_after=now + RETRY_AFTER,
        created_at=now,
    )
    return outbox.insert_new(session, [retry])


def first_call_added_by_facilitator(session, row: Outbox) -> bool:
    """True for the first call to an address the facilitator added: it says how to stop."""
    address = session.get(Address, row.address_id) if row.address_id else None
    if address is None or address.consent_source != ConsentSource.ADDED_BY_FACILITATOR:
        return False
    earlier = (
        select(func.count())
        .select_from(Outbox)
        .where(Outbox.address_id == address.id, Outbox.status == outbox.SENT, Outbox.id != row.id)
    )
    if row.sent_at is not None:
        earlier = earlier.where(Outbox.sent_at < row.sent_at)
    return not session.scalar(earlier)
