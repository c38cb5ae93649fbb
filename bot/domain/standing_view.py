"""A stored meeting or circle as it stands now: ``held`` and ``ended`` (``flows.standing`` decides)."""

from __future__ import annotations

from datetime import datetime

from bot.store.models import Circle, Meeting
from flows import standing


def meeting(found: Meeting, now: datetime) -> str:
    """``held`` for a meeting that began and was not cancelled; its stored status otherwise."""
    return standing.shown(found.status, found.starts_at, now)


def circle(found: Circle, now: datetime) -> bool:
    """True when the circle had meetings and none that is not cancelled is ahead: it has ended."""
    return standing.ended(found.meetings, now)
