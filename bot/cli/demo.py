"""The demo's data: the seeded circle ``DEMO``, and ``demo --reset`` (embedded database only)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import delete

from bot import circles as ops

DEMO_CODE = "DEMO"
DEMO_TIMEZONE = "America/Chicago"
DEMO_FACILITATOR = "+18165550199"


class ResetRefused(RuntimeError):
    """``demo --reset`` was asked for on a database that is not the embedded demo one."""


def seed(runtime) -> bool:
    """Creates the circle ``DEMO`` unless it exists; returns True when it was created.

    Its first meeting is about three hours from now, so a learner who joins sees the reminder (a late
    joiner's reminder goes out at once) and can RSVP right away.
    """
    from bot.schedule import zone

    with runtime.uow() as session:
        if ops.find(session, DEMO_CODE) is not None:
            return False
        first = (datetime.now(zone(DEMO_TIMEZONE)) + timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
        ops.create_circle(session, ops.NewCircle(
            name="Demo Circle: Intro to Computers", venue="Central Library, Room 2", weekday=first.weekday(),
            start_time=first.time(), timezone=DEMO_TIMEZONE, starts=first.date(), weeks=6, language="en",
            facilitator_phone=DEMO_FACILITATOR, capacity=12, city="Kansas City", postal_code="64105",
            code=DEMO_CODE,
        ), datetime.now(timezone.utc))
        session.commit()
        return True


def reset(runtime) -> int:
    """Empties every table of the embedded demo database; returns how many rows went.

    Raises:
        ResetRefused: ``DATABASE_URL`` is set, so the database may hold real circles.
    """
    from bot.models import Base

    if runtime.settings.database_url:
        raise ResetRefused("demo --reset empties the whole database, so it only works on the embedded demo "
                           "database; DATABASE_URL is set. Unset it, or point it at a database you can lose.")
    removed = 0
    with runtime.uow() as session:
        for table in reversed(Base.metadata.sorted_tables):
            removed += session.execute(delete(table)).rowcount or 0
        session.commit()
    return removed
