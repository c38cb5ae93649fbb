"""``circlebot export CODE --what meetings``: one row per meeting, with whether its conference call was held.

A meeting is *held* when its conference started (``bot.domain.conference_room``); the row gives the
call's start and end (ISO-8601 UTC) and how many calls joined it, next to the RSVPs and attendance.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.attendance import attended_counts
from bot.domain.conference_room import held
from bot.domain.schedule import iso_utc
from bot.reports.export import Table
from bot.store.models import Circle, Meeting, Rsvp

HEADER = ["meeting", "starts_at", "status", "yes", "no", "attended", "held", "call_started", "call_ended", "callers"]


def meetings(session: Session, circle: Circle) -> Table:
    """One row per meeting of ``circle``, in order."""
    rows = session.scalars(select(Meeting).where(Meeting.circle_id == circle.id).order_by(Meeting.seq)).all()
    ids = [m.id for m in rows]
    rsvps = {
        (m, a): n
        for m, a, n in session.execute(
            select(Rsvp.meeting_id, Rsvp.answer, func.count())
            .where(Rsvp.meeting_id.in_(ids))
            .group_by(Rsvp.meeting_id, Rsvp.answer)
        )
    }
    came, calls = attended_counts(session, ids), held(session, ids)
    table = []
    for m in rows:
        call = calls.get(m.id)
        table.append(
            [
                str(m.seq),
                iso_utc(m.starts_at),
                m.status,
                str(rsvps.get((m.id, "yes"), 0)),
                str(rsvps.get((m.id, "no"), 0)),
                str(came.get(m.id, 0)),
                "yes" if call else "no",
                iso_utc(call.started_at) if call else "",
                iso_utc(call.ended_at) if call and call.ended_at else "",
                str(call.callers) if call else "",
            ]
        )
    return Table(HEADER, table)
