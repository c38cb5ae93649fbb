"""Who may use the facilitator pages, and which circles each person sees.

- A **facilitator** sees the circles they lead (``circle.facilitator_id``) or co-facilitate.
- An **organizer** of a team sees every circle whose lead facilitator is in that team.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.domain.circles import facilitator_for
from bot.store.models import Circle, CircleFacilitator, Contact, Facilitator, Organizer, Team


@dataclass(frozen=True)
class Person:
    """A signed-in person: their contact, facilitator id (if any) and organizer teams."""

    contact_id: int
    name: str | None
    facilitator_id: int | None
    team_ids: tuple[int, ...]

    @property
    def is_staff(self) -> bool:
        """True when they hold any role."""
        return self.facilitator_id is not None or bool(self.team_ids)


def person(session: Session, contact_id: int) -> Person | None:
    """The person behind a signed-in contact, or None when they hold no role any more (or were erased)."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.erased_at is not None:
        return None
    facilitator = session.scalar(select(Facilitator).where(Facilitator.contact_id == contact_id))
    teams = tuple(session.scalars(select(Organizer.team_id).where(Organizer.contact_id == contact_id)))
    found = Person(
        contact_id,
        contact.name or (facilitator.name if facilitator else None),
        facilitator.id if facilitator else None,
        teams,
    )
    return found if found.is_staff else None


def visible(who: Person):
    """A WHERE clause for the circles ``who`` may see and change."""
    terms = []
    if who.facilitator_id is not None:
        terms.append(Circle.facilitator_id == who.facilitator_id)
        terms.append(
            Circle.id.in_(
                select(CircleFacilitator.circle_id).where(CircleFacilitator.facilitator_id == who.facilitator_id)
            )
        )
    if who.team_ids:
        terms.append(Circle.facilitator_id.in_(select(Facilitator.id).where(Facilitator.team_id.in_(who.team_ids))))
    return or_(*terms) if terms else Circle.id.is_(None)


def circle_for(session: Session, who: Person, code: str) -> Circle | None:
    """The circle with ``code`` if ``who`` may see it, else None (the page answers 404 either way)."""
    return session.scalar(select(Circle).where(Circle.code == (code or "").strip().upper(), visible(who)))


def team(session: Session, name: str, now: datetime) -> Team:
    """The team called ``name``, made if new."""
    found = session.scalar(select(Team).where(Team.name == name.strip()))
    if found is None:
        found = Team(name=name.strip(), created_at=now)
        session.add(found)
        session.flush()
    return found


def add_facilitator(
    session: Session, phone: str, now: datetime, name: str | None = None, team_name: str | None = None
) -> Facilitator:
    """Grants the facilitator role to the person with E.164 ``phone`` (made if new), in a team if named."""
    facilitator = facilitator_for(session, phone, now)
    if name:
        facilitator.name = name.strip()[:80]
        contact = session.get_one(Contact, facilitator.contact_id)
        contact.name = contact.name or name.strip()[:40]
    if team_name:
        facilitator.team_id = team(session, team_name, now).id
    session.flush()
    return facilitator


def add_organizer(session: Session, phone: str, team_name: str, now: datetime, name: str | None = None) -> Organizer:
    """Grants the organizer role of ``team_name`` (made if new) to the person with E.164 ``phone``."""
    from bot.domain.contacts import ConsentSource, make_with_phone

    contact = make_with_phone(session, phone, now, source=ConsentSource.ORGANIZER)
    if name and not contact.name:
        contact.name = name.strip()[:40]
    found_team = team(session, team_name, now)
    organizer = session.scalar(
        select(Organizer).where(Organizer.contact_id == contact.id, Organizer.team_id == found_team.id)
    )
    if organizer is None:
        organizer = Organizer(contact_id=contact.id, team_id=found_team.id, created_at=now)
        session.add(organizer)
        session.flush()
    return organizer


def co_facilitators(session: Session, circle: Circle) -> list[Facilitator]:
    """The circle's co-facilitators (not its lead)."""
    return list(
        session.scalars(
            select(Facilitator)
            .join(CircleFacilitator, CircleFacilitator.facilitator_id == Facilitator.id)
            .where(CircleFacilitator.circle_id == circle.id)
            .order_by(CircleFacilitator.id)
        )
    )


def add_co_facilitator(session: Session, circle: Circle, phone: str, now: datetime) -> Facilitator:
    """Makes the person with E.164 ``phone`` a co-facilitator of ``circle`` (once)."""
    facilitator = facilitator_for(session, phone, now)
    if (
        facilitator.id != circle.facilitator_id
        and session.scalar(
            select(CircleFacilitator.id).where(
                CircleFacilitator.circle_id == circle.id, CircleFacilitator.facilitator_id == facilitator.id
            )
        )
        is None
    ):
        session.add(CircleFacilitator(circle_id=circle.id, facilitator_id=facilitator.id, created_at=now))
        session.flush()
    return facilitator
