"""What a sent question leaves behind (the send job, ``bot.outbound.jobs``): it becomes the learner's open
conversation, so their next text answers it; a sent reminder closes an open check-in."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import contacts, outbox
from bot.outbound import turns
from bot.store.models import Conversation, Outbox

# Open conversations a newly sent question may replace; any other open one (a survey half answered,
# a signup, the language menu, FORGET's question) is the learner's and stays.
REPLACEABLE_FLOWS = frozenset({"checkin", "offer"})


def open_conversation(session: Session, row_id: int, now: datetime) -> None:
    """A sent question (check-in, survey) becomes the contact's open conversation; a sent reminder closes
    an open check-in (``bot.outbound.turns``).

    The contact's row is locked first, as the webhook does, so a learner's answer arriving at the
    same moment is applied before or after this, never lost between. A survey reminder carries a
    snapshot of the survey when it was planned: if the learner answered on since, their state stays
    (only marked reminded), so a reminder never rolls a survey back.
    """
    row = session.get(Outbox, row_id)
    if row is None:  # (the send job read it a moment ago, in its own transaction)
        return
    if row.kind == outbox.OutboxKind.REMINDER and row.contact_id is not None:
        contacts.lock_changing(session, row.contact_id)
        turns.after_reminder(session, row)
    if not row.conversation or row.contact_id is None:
        return
    contacts.lock_changing(session, row.contact_id)
    state = dict(row.conversation)
    expires = datetime.fromisoformat(state["expires"]) if state.get("expires") else now + timedelta(days=1)
    conversation = session.scalar(select(Conversation).where(Conversation.contact_id == row.contact_id))
    if conversation is None:
        session.add(
            Conversation(
                contact_id=row.contact_id, flow=state.get("flow", ""), state=state, expires_at=expires, updated_at=now
            )
        )
        return
    current = conversation.state or {}
    open_now = conversation.expires_at > now
    if open_now and state.get("reminded") and _same_survey(current, state):
        conversation.state = {**current, "reminded": True}
        return
    if open_now and conversation.flow not in REPLACEABLE_FLOWS:
        return
    conversation.flow, conversation.state = state.get("flow", ""), state
    conversation.expires_at, conversation.updated_at = expires, now


def _same_survey(current: dict, planned: dict) -> bool:
    return (
        current.get("flow") == planned.get("flow") == "survey"
        and current.get("subject") == planned.get("subject")
        and current.get("survey") == planned.get("survey")
    )
