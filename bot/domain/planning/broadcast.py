"""A facilitator's message to the whole circle (``MSG code text`` by text, or the pages' form)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.domain import history, outbox
from bot.domain.outbox import Planned, insert_new
from bot.domain.planning.audience import active_learners
from bot.store.models import Circle
from flows import keys
from flows.results import Quote, Reply


def said(circle: Circle, text: str) -> tuple[Reply, ...]:
    """What every learner gets: ``<circle name>: <text>``."""
    return (Reply(keys.FAC_BROADCAST, {"circle": circle.name, "text": Quote(text)}),)


def plan(session: Session, circle: Circle, text: str, key: str, now: datetime) -> list[Planned]:
    """One outbox row per active, reachable learner, each on their own channel (``key`` makes it once),
    noted in the circle's history (``bot.domain.history``)."""
    history.record(session, circle.id, history.SentKind.BROADCAST, key, text, now)
    rows = [
        outbox.row(
            f"{key}:{learner.to.contact_id}", outbox.OutboxKind.BROADCAST, learner.to, said(circle, text), now, now
        )
        for learner in active_learners(session, circle.id, circle.language, circle.timezone)
    ]
    return insert_new(session, rows)
