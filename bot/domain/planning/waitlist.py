"""Offering freed places to the waiting list, in order, one offer per free place.

A place is free when the circle has fewer reachable active learners than its capacity (a learner who
LEAVEs or is erased no longer counts, nor one who STOPped every address). Each tick offers each free
place to the first waitlisted learner never offered one: an outbox row with yes/no choices that opens
the offer conversation. An offer that lapses unanswered (``OFFER_FOR``) frees the place for the next.
Who is offered a place is decided by ``flows.planner.offers_due``; this module loads and writes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.domain.contacts import preferred_join
from bot.domain.enrollments import QUEUE_ORDER, EnrollmentStatus
from bot.domain.outbox import Planned, insert_new
from bot.domain.planning.audience import REACHABLE
from bot.domain.planning.rows import outbox_rows
from bot.store.models import Address, Circle, Contact, Enrollment
from flows import planner, plans
from flows.planner import OFFER_FOR

__all__ = ["OFFER_FOR", "plan"]


def plan(session: Session, now: datetime) -> list[Planned]:
    """Creates the offers that are due now; returns the new rows."""
    reachable_active = (
        select(Enrollment.circle_id, func.count().label("n"))
        .join(Contact, Contact.id == Enrollment.contact_id)
        .join(Address, preferred_join())
        .where(Enrollment.status == EnrollmentStatus.ACTIVE, *REACHABLE)
        .group_by(Enrollment.circle_id)
        .subquery()
    )
    live_offers = (
        select(Enrollment.circle_id, func.count().label("n"))
        .where(Enrollment.status == EnrollmentStatus.WAITLIST, Enrollment.offered_at > now - OFFER_FOR)
        .group_by(Enrollment.circle_id)
        .subquery()
    )
    circles = session.execute(
        select(Circle, func.coalesce(reachable_active.c.n, 0), func.coalesce(live_offers.c.n, 0))
        .outerjoin(reachable_active, reachable_active.c.circle_id == Circle.id)
        .outerjoin(live_offers, live_offers.c.circle_id == Circle.id)
        .where(
            Circle.id.in_(
                select(Enrollment.circle_id).where(
                    Enrollment.status == EnrollmentStatus.WAITLIST, Enrollment.offered_at.is_(None)
                )
            )
        )
    ).all()
    planned: list[plans.PlannedMessage] = []
    for row, active, offered in circles:
        free = row.capacity - active - offered
        if free <= 0:
            continue
        waiting = [
            plans.Learner(e_id, plans.To(c_id, a_id, channel, value, lang, tz), name)
            for e_id, c_id, a_id, channel, value, lang, tz, name in session.execute(
                select(
                    Enrollment.id,
                    Contact.id,
                    Address.id,
                    Address.channel,
                    Address.value,
                    Contact.language,
                    Contact.timezone,
                    Contact.name,
                )
                .join(Contact, Contact.id == Enrollment.contact_id)
                .join(Address, preferred_join())
                .where(
                    Enrollment.circle_id == row.id,
                    Enrollment.status == EnrollmentStatus.WAITLIST,
                    Enrollment.offered_at.is_(None),
                    *REACHABLE,
                )
                .order_by(*QUEUE_ORDER)
                .limit(free)
            )
        ]
        circle = plans.Circle(row.id, row.code, row.name, row.venue, row.timezone, row.language, capacity=row.capacity)
        offers = planner.offers_due(circle, active, offered, waiting, now)
        if offers:
            offered_ids = [learner.enrollment_id for learner, _ in offers]
            session.execute(update(Enrollment).where(Enrollment.id.in_(offered_ids)).values(offered_at=now))
        planned.extend(message for _, message in offers)
    return insert_new(session, outbox_rows(planned, now))
