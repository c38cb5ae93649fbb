"""Offering freed places to the waiting list, in order, one offer per free place.

A place is free when the circle has fewer reachable active learners than its capacity (a learner who
LEAVEs or is erased no longer counts, nor one who STOPped every address). Each tick offers each free
place to the first waitlisted learner never offered one: an outbox row with yes/no choices that opens
the offer conversation. An offer that lapses unanswered (``OFFER_FOR``) frees the place for the next.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import outbox
from bot.contacts import Recipient, preferred_join
from bot.models import Address, Circle, Contact, Enrollment
from bot.outbox import Planned, insert_new
from bot.planning.audience import REACHABLE
from flows import offer

OFFER_FOR = timedelta(days=2)


def plan(session: Session, now: datetime) -> list[Planned]:
    """Creates the offers that are due now; returns the new rows."""
    reachable_active = (
        select(Enrollment.circle_id, func.count().label("n"))
        .join(Contact, Contact.id == Enrollment.contact_id).join(Address, preferred_join())
        .where(Enrollment.status == "active", *REACHABLE).group_by(Enrollment.circle_id).subquery())
    live_offers = (
        select(Enrollment.circle_id, func.count().label("n"))
        .where(Enrollment.status == "waitlist", Enrollment.offered_at > now - OFFER_FOR)
        .group_by(Enrollment.circle_id).subquery())
    circles = session.execute(
        select(Circle, func.coalesce(reachable_active.c.n, 0), func.coalesce(live_offers.c.n, 0))
        .outerjoin(reachable_active, reachable_active.c.circle_id == Circle.id)
        .outerjoin(live_offers, live_offers.c.circle_id == Circle.id)
        .where(Circle.id.in_(select(Enrollment.circle_id).where(Enrollment.status == "waitlist",
                                                                 Enrollment.offered_at.is_(None))))
    ).all()
    rows = []
    for circle, active, offered in circles:
        free = circle.capacity - active - offered
        if free <= 0:
            continue
        waiting = session.execute(
            select(Enrollment, Contact, Address).join(Contact, Contact.id == Enrollment.contact_id)
            .join(Address, preferred_join())
            .where(Enrollment.circle_id == circle.id, Enrollment.status == "waitlist",
                   Enrollment.offered_at.is_(None), *REACHABLE)
            .order_by(Enrollment.created_at, Enrollment.id).limit(free)).all()
        for enrollment, contact, address in waiting:
            enrollment.offered_at = now
            to = Recipient(contact.id, address.id, address.channel, address.value,
                           contact.language or circle.language, contact.timezone or circle.timezone)
            state = offer.opening(circle.code, (now + OFFER_FOR).isoformat())
            rows.append(outbox.row(f"offer:{enrollment.id}", "offer", to,
                                   (offer.question(contact.name or "", circle.name),), now, now, conversation=state))
    return insert_new(session, rows)
