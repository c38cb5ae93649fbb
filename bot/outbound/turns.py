"""One question at a time (issue 22, item 3): two questions that take the same answers (digits, yes/no)
are never open at once for one learner, so a "1" always answers the question she was just asked.

- A reminder is about a meeting within hours (``REMINDER_LEAD``): it goes out, and an open check-in the
  learner has not answered is closed when it does (nothing is recorded for it). Her next "1" is the RSVP.
- A check-in, or a survey's question, waits while the learner has a reminder she has not answered for a
  meeting that has not started, or another check-in or survey question open (in another circle): it goes
  once she answers (looked at again every ``WAIT_STEP``), once that meeting starts or that question expires,
  and is dropped when the wait reaches its own expiry. (A check-in used to replace an open one, whose
  answer was then lost; a check-in sent during a survey had its "1" taken by the survey.)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from bot.domain import outbox
from bot.domain.schedule import MeetingStatus
from bot.store.models import Conversation, Meeting, Outbox, Rsvp
from flows import asked, checkin, survey

WAIT_STEP = timedelta(minutes=30)
# What waits for an unanswered reminder, and what a reminder closes.
WAITS_FOR_RSVP = frozenset({outbox.OutboxKind.CHECKIN, outbox.OutboxKind.SURVEY})
CLOSED_BY_REMINDER = frozenset({checkin.FLOW})
HOLDING_FLOWS = frozenset({checkin.FLOW, survey.FLOW})  # open questions a check-in or survey waits behind
WAITING = "waiting for the answer to an open reminder"
DROPPED = "expired while a reminder was open"


def unanswered_reminder(session: Session, contact_id: int, now: datetime) -> datetime | None:
    """When the meeting of the learner's earliest unanswered reminder starts (None: no reminder is open)."""
    answered = exists(select(Rsvp.id).where(Rsvp.meeting_id == Meeting.id, Rsvp.contact_id == contact_id))
    return session.scalar(
        select(Meeting.starts_at)
        .join(Outbox, Outbox.meeting_id == Meeting.id)
        .where(
            Outbox.contact_id == contact_id,
            Outbox.kind == outbox.OutboxKind.REMINDER,
            Outbox.status == outbox.SENT,
            Meeting.starts_at > now,
            Meeting.status != MeetingStatus.CANCELLED,
            ~answered,
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )


def wait(session: Session, row: Outbox, now: datetime) -> tuple[str, datetime | None] | None:
    """Whether a question must wait for an open reminder: ``(WAITING, until)``, ``(DROPPED, None)`` when the
    wait reaches the question's expiry, or None when it may go now."""
    if row.kind not in WAITS_FOR_RSVP or row.contact_id is None:
        return None
    starts = unanswered_reminder(session, row.contact_id, now)
    if starts is None:
        starts = _other_question_until(session, row, now)
    if starts is None:
        return None
    until = min(starts, now + WAIT_STEP)
    expires = (row.conversation or {}).get("expires")
    if expires and datetime.fromisoformat(expires) <= until:
        return DROPPED, None
    return WAITING, until


def _other_question_until(session: Session, row: Outbox, now: datetime) -> datetime | None:
    """When the learner's open check-in or survey question expires, if it is another question than ``row``'s
    (a survey's own reminder, the same survey, goes on)."""
    open_ = session.execute(
        select(Conversation.state, Conversation.expires_at).where(
            Conversation.contact_id == row.contact_id,
            Conversation.flow.in_(sorted(HOLDING_FLOWS)),
            Conversation.expires_at > now,
        )
    ).first()
    if open_ is None:
        return None
    current, planned = dict(open_.state or {}), dict(row.conversation or {})
    same_survey = current.get("flow") == planned.get("flow") == survey.FLOW and all(
        current.get(key) == planned.get(key) for key in ("subject", "survey")
    )
    if same_survey or asked.of_state(current) == asked.of_state(planned):
        return None
    return open_.expires_at


def after_reminder(session: Session, row: Outbox) -> None:
    """A reminder went out: an open check-in of the same learner is closed (the reminder's meeting is sooner)."""
    if row.kind != outbox.OutboxKind.REMINDER or row.contact_id is None:
        return
    session.execute(
        delete(Conversation).where(
            Conversation.contact_id == row.contact_id, Conversation.flow.in_(sorted(CLOSED_BY_REMINDER))
        )
    )
