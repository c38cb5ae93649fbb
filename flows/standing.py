"""How a meeting and a circle stand at a given time, the one owner of "held", "ended" and meeting order.

A meeting whose start has passed and that was not cancelled was *held* (a display status by time: the
stored status stays ``scheduled`` or ``moved``). A circle with meetings and none ahead that is not
cancelled has *ended*. A meeting moved past another one still ahead changes the meetings' order, which
MOVE refuses and the pages ask about.
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable, Protocol, TypeVar

CANCELLED = "cancelled"
HELD = "held"
ENDED = "ended"


class _Meeting(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def seq(self) -> int: ...

    @property
    def starts_at(self) -> datetime: ...

    @property
    def status(self) -> str: ...


M = TypeVar("M", bound=_Meeting)


def shown(status: str, starts_at: datetime, now: datetime) -> str:
    """The status a page, the CLI or a text shows: ``held`` once a meeting that was not cancelled began."""
    if status != CANCELLED and starts_at <= now:
        return HELD
    return status


def ended(meetings: Iterable[_Meeting], now: datetime) -> bool:
    """True when the circle had meetings and none that is not cancelled is still ahead."""
    found = list(meetings)
    return bool(found) and not any(m.status != CANCELLED and m.starts_at > now for m in found)


def passed_by(meeting: _Meeting, to: datetime, meetings: Iterable[M]) -> M | None:
    """The first other meeting (not cancelled) whose place in the order ``meeting`` would swap with if
    it moved to ``to``: a later one at or before ``to``, or an earlier one at or after it; None when the
    order stays."""
    swapped = [
        m
        for m in meetings
        if m.id != meeting.id
        and m.status != CANCELLED
        and ((m.seq > meeting.seq and m.starts_at <= to) or (m.seq < meeting.seq and m.starts_at >= to))
    ]
    return min(swapped, key=lambda m: m.seq) if swapped else None
