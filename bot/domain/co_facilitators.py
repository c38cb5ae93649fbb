"""Co-facilitators of a circle: added by name and number (and told by text, with how to decline), removed.

The lead adds a co-facilitator on the circle's page; the new co-facilitator gets one text that says which
circle, where to sign in, and that they can remove themselves there if it is not for them. Any facilitator
of the circle (the co-facilitator too) can remove a co-facilitator; the lead cannot be removed here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import contacts, outbox, roles
from bot.domain.outbox import Planned, insert_new
from bot.store.models import Circle, CircleFacilitator, Contact, Facilitator
from flows import keys
from flows.results import Reply

NAME_MOST = 40


def add(
    session: Session, circle: Circle, phone: str, name: str | None, sign_in_url: str, now: datetime
) -> tuple[Facilitator, list[Planned]]:
    """Makes the person at E.164 ``phone`` a co-facilitator of ``circle`` and texts them once.

    Their name is kept when they had none (a name they gave themselves wins). Adding someone already a
    co-facilitator (or the lead) texts nobody.

    Returns:
        The facilitator and the outbox rows to queue after the commit (none when nothing changed).
    """
    before = {f.id for f in roles.co_facilitators(session, circle)}
    facilitator = roles.add_co_facilitator(session, circle, phone, now)
    if name:
        facilitator.name = facilitator.name or name
        contact = session.get(Contact, facilitator.contact_id) if facilitator.contact_id else None
        if contact is not None:
            contact.name = contact.name or name
    if facilitator.id in before or facilitator.id == circle.facilitator_id:
        return facilitator, []
    to = contacts.recipient(session, facilitator.contact_id, circle.language)
    if to is None:
        return facilitator, []
    said = (Reply(keys.PAGES_CO_FACILITATOR_ADDED, {"circle": circle.name, "url": sign_in_url}),)
    key = f"co-facilitator:{circle.id}:{facilitator.id}:{now:%Y%m%dT%H%M%S%f}"
    return facilitator, insert_new(
        session, [outbox.row(key, outbox.OutboxKind.NOTICE, to, said, now, now, timezone=circle.timezone)]
    )


def remove(session: Session, circle: Circle, facilitator_id: int) -> Facilitator | None:
    """Takes ``facilitator_id`` off ``circle``'s co-facilitators; returns who it was (None: not one)."""
    link = session.scalar(
        select(CircleFacilitator).where(
            CircleFacilitator.circle_id == circle.id, CircleFacilitator.facilitator_id == facilitator_id
        )
    )
    if link is None:
        return None
    session.delete(link)
    session.flush()
    return session.get(Facilitator, facilitator_id)
