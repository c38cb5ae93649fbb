"""Moving and cancelling meetings: learners are told once, in their language; reminders follow."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot import outbox
from bot.models import Circle, Enrollment, Meeting, Outbox, Rsvp
from bot.outbox import Planned, insert_new
from bot.planning.audience import active_learners
from bot.planning.reminders import plan
from flows import dates, keys
from flows.results import Reply, When


class MeetingError(ValueError):
    """A meeting that cannot be changed as asked."""


def find(session: Session, circle: Circle, seq: int) -> Meeting:
    """Meeting number ``seq`` (1-based) of ``circle``."""
    meeting = session.scalar(select(Meeting).where(Meeting.circle_id == circle.id, Meeting.seq == seq))
    if meeting is None:
        raise MeetingError(f"{circle.code} has no meeting {seq} (it has {len(circle.meetings)})")
    return meeting


def cancel(session: Session, settings, circle: Circle, seq: int, now: datetime) -> list[Planned]:
    """Cancels a meeting, withdraws its pending reminders and tells every active learner once."""
    meeting = find(session, circle, seq)
    if meeting.status == "cancelled":
        return []
    if meeting.starts_at <= now:
        raise MeetingError("that meeting has already started")
    meeting.status = "cancelled"
    _withdraw(session, meeting.id)
    return _notify(session, circle, meeting, keys.MEETING_CANCELLED, f"cancelled:{meeting.id}", now)


def move(session: Session, settings, circle: Circle, seq: int, to: datetime, now: datetime) -> list[Planned]:
    """Moves a meeting to ``to`` (UTC), tells every active learner once, and re-plans its reminders."""
    meeting = find(session, circle, seq)
    if to <= now:
        raise MeetingError("the new time must be in the future")
    if dates.too_far(to, now):
        raise MeetingError("the new time is too far ahead: a meeting can move to any time in the next ten years")
    if meeting.status == "cancelled":
        raise MeetingError("that meeting is cancelled")
    if to == meeting.starts_at:
        return []
    taken = session.scalar(select(Meeting.seq).where(Meeting.circle_id == circle.id, Meeting.id != meeting.id,
                                                     Meeting.status != "cancelled", Meeting.starts_at == to))
    if taken is not None:
        raise MeetingError(f"meeting {taken} of {circle.code} is already at that time")
    old = meeting.starts_at
    length = meeting.ends_at - meeting.starts_at
    meeting.starts_at, meeting.ends_at, meeting.status = to, to + length, "moved"
    _withdraw(session, meeting.id)
    _retire(session, meeting.id, now)
    session.flush()
    planned = _notify(session, circle, meeting, keys.MEETING_MOVED, f"moved:{meeting.id}:{now:%Y%m%dT%H%M%S%f}",
                      now, old=old)
    return planned + plan(session, settings, now, meeting_id=meeting.id)


def _retire(session: Session, meeting_id: int, now: datetime) -> None:
    """A moved meeting's earlier reminders and tally (sent or withdrawn) no longer count: it is reminded
    again at its new time, and again if it moves back, while each stays on record."""
    stamp = f":moved{now:%Y%m%dT%H%M%S%f}"
    for kind in ("reminder", "tally"):
        session.execute(update(Outbox).where(Outbox.meeting_id == meeting_id, Outbox.kind == kind)
                        .values(kind=f"{kind}-old", dedupe_key=Outbox.dedupe_key + stamp))


def _withdraw(session: Session, meeting_id: int) -> None:
    session.execute(
        update(Outbox).where(Outbox.meeting_id == meeting_id, Outbox.kind.in_(("reminder", "tally")),
                             Outbox.status == outbox.PENDING)
        .values(status=outbox.CANCELLED, last_error="meeting changed")
    )


def _notify(session: Session, circle: Circle, meeting: Meeting, key: str, prefix: str, now: datetime,
            old: datetime | None = None):
    params = {"circle": circle.name, "venue": circle.venue, "when": When(meeting.starts_at, circle.timezone)}
    if old is not None:
        params["old"] = When(old, circle.timezone)
    said = (Reply(key, params),)
    rows = [outbox.row(f"{prefix}:{learner.to.contact_id}", "change", learner.to, said, now, now,
                       meeting_id=meeting.id)
            for learner in active_learners(session, circle.id, circle.language, circle.timezone)]
    return insert_new(session, rows)


def tally(session: Session, meeting_id: int) -> dict:
    """RSVP counts for one meeting among its circle's active learners."""
    meeting = session.get(Meeting, meeting_id)
    active = select(Enrollment.contact_id).where(Enrollment.circle_id == meeting.circle_id,
                                                 Enrollment.status == "active")
    answers = dict(session.execute(
        select(Rsvp.answer, func.count()).where(Rsvp.meeting_id == meeting_id, Rsvp.contact_id.in_(active))
        .group_by(Rsvp.answer)
    ).all())
    total = session.scalar(select(func.count()).select_from(active.subquery()))
    yes, no = answers.get("yes", 0), answers.get("no", 0)
    return {"yes": yes, "no": no, "none": max(total - yes - no, 0)}


def tally_reply(session: Session, meeting_id: int) -> Reply:
    """The facilitator's tally for one meeting, counted now (at send time)."""
    meeting = session.get(Meeting, meeting_id)
    circle = session.get(Circle, meeting.circle_id)
    params = {"circle": circle.name, "when": When(meeting.starts_at, circle.timezone), **tally(session, meeting_id)}
    return Reply(keys.FACILITATOR_TALLY, params)
