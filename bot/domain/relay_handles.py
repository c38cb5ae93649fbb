"""A learner's ``#N`` for one facilitator: how a facilitator answers a relayed text without seeing a number."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.store.models import RelayHandle, UTCDateTime

HANDLE_TRIES = 20


def numbers(session: Session, facilitator_id: int | None, contact_ids: list[int] | None = None) -> dict[int, int]:
    """Each learner's ``#N`` with this facilitator, by contact id (only ``contact_ids`` when given); empty
    for a circle without a facilitator."""
    if facilitator_id is None or contact_ids == []:
        return {}
    query = select(RelayHandle.contact_id, RelayHandle.number).where(RelayHandle.facilitator_id == facilitator_id)
    if contact_ids is not None:
        query = query.where(RelayHandle.contact_id.in_(contact_ids))
    return dict(session.execute(query).all())


def handle_for(session: Session, facilitator_id: int, contact_id: int, now: datetime) -> int:
    """The learner's ``#N`` for this facilitator, made on first use (1, 2, 3… per facilitator).

    One ``INSERT … SELECT max + 1 … ON CONFLICT DO NOTHING``: two first relays to one facilitator at
    once both try the same number, and the loser inserts nothing instead of failing (which would roll
    the inbound message back); it reads again (a new statement sees the winner's row) and tries the next.
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    taken = select(RelayHandle.number).where(
        RelayHandle.facilitator_id == facilitator_id, RelayHandle.contact_id == contact_id
    )
    for _ in range(HANDLE_TRIES):
        following = select(
            literal(facilitator_id),
            literal(contact_id),
            func.coalesce(func.max(RelayHandle.number), 0) + 1,
            literal(now, UTCDateTime()),
        )
        following = following.where(RelayHandle.facilitator_id == facilitator_id)
        made = session.execute(
            insert(RelayHandle)
            .from_select(["facilitator_id", "contact_id", "number", "created_at"], following)
            .on_conflict_do_nothing()
            .returning(RelayHandle.number)
        ).scalar()
        if made is not None:
            return made
        existing = session.scalar(taken)
        if existing is not None:
            return existing
    raise RuntimeError("could not make a relay handle")
