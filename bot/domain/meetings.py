"""Moving and cancelling meetings: learners are told once, in their language; reminders follow."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.domain import outbox
from bot.domain.circles import CircleError, check_first, restore_meeting
from bot.domain.enrollments import EnrollmentStatus
from bot.domain.outbox import OutboxKind, Planned, insert_new
from bot.domain.planning import reminders
from bot.domain.planning.audience import active_learners
from bot.domain.schedule import MeetingStatus, weekly_meetings, zone
from bot.store.models import Circle, Enrollment, Meeting, Outbox, Rsvp
from flows import dates, keys, standing
from flows.results import Reply, When


class MeetingError(ValueError):
    """A meeting that cannot be changed as asked; ``reason`` is a short code a page turns into words."""

    def __init__(self, message: str, reason: str | None = None):
        super().__init__(message)
        self.reason = reason


def find(session: Session, circle: Circle, seq: int) -> Meeting:
    """Meeting number ``seq`` (1-based) of ``circle``."""
    meeting = session.scalar(select(Meeting).where(Meeting.circle_id == circle.id, Meeting.seq == seq))
    if meeting is None:
        raise MeetingError(f"{circle.code} has no meeting {seq} (it has {len(circle.meetings)})", "missing")
    return meeting


def cancel(session: Session, settings, circle: Circle, seq: int, now: datetime, notify: bool = True) -> list[Planned]:
    """Cancels a meeting, withdraws its pending reminders and tells every active learner once
    (``notify=False``: the caller tells them, as ``reschedule`` does with one notice for the whole change)."""
    meeting = find(session, circle, seq)
    if meeting.status == MeetingStatus.CANCELLED:
        return []
    if meeting.starts_at <= now:
        raise MeetingError("that meeting has already started", "past")
    meeting.status = MeetingStatus.CANCELLED
    _withdraw(session, meeting.id)
    if not notify:
        return []
    return _notify(session, circle, meeting, keys.MEETING_CANCELLED, f"cancelled:{meeting.id}", now)


def move(
    session: Session,
    settings,
    circle: Circle,
    seq: int,
    to: datetime,
    now: datetime,
    check_taken: bool = True,
    notify: bool = True,
    keep_order: bool = False,
) -> list[Planned]:
    """Moves a meeting to ``to`` (UTC), tells every active learner once, and re-plans its reminders.

    ``check_taken=False`` (a whole schedule re-planned, ``reschedule``) lets a meeting pass through a time
    another meeting is leaving in the same change. ``keep_order=True`` (the page before it asked) refuses
    a move that would put the meeting past another one (reason ``order``; ``flows.standing.passed_by``).
    """

    meeting = find(session, circle, seq)
    if to <= now:
        raise MeetingError("the new time must be in the future", "past")
    if dates.too_far(to, now):
        raise MeetingError(
            "the new time is too far ahead: a meeting can move to any time in the next ten years", "too_far"
        )
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingError("that meeting is cancelled", "cancelled")
    if to == meeting.starts_at:
        return []
    taken = (
        None
        if not check_taken
        else session.scalar(
            select(Meeting.seq).where(
                Meeting.circle_id == circle.id,
                Meeting.id != meeting.id,
                Meeting.status != MeetingStatus.CANCELLED,
                Meeting.starts_at == to,
            )
        )
    )
    if taken is not None:
        raise MeetingError(f"meeting {taken} of {circle.code} is already at that time", "taken")
    passed = standing.passed_by(meeting, to, circle.meetings) if keep_order else None
    if passed is not None:
        raise MeetingError(f"meeting {seq} would then come after meeting {passed.seq}", "order")
    old = meeting.starts_at
    length = meeting.ends_at - meeting.starts_at
    meeting.starts_at, meeting.ends_at, meeting.status = to, to + length, MeetingStatus.MOVED
    _withdraw(session, meeting.id)
    _retire(session, meeting.id, now)
    session.flush()
    planned = (
        _notify(session, circle, meeting, keys.MEETING_MOVED, f"moved:{meeting.id}:{now:%Y%m%dT%H%M%S%f}", now, old=old)
        if notify
        else []
    )
    return planned + reminders.plan(session, settings, now, meeting_id=meeting.id)


@dataclass
class Replanned:
    """What ``reschedule`` did to the meetings ahead, and the outbox rows to queue after the commit."""

    moved: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    added: list[int] = field(default_factory=list)
    planned: list[Planned] = field(default_factory=list)


def restore(session: Session, settings, circle: Circle, seq: int, now: datetime) -> list[Planned]:
    """Puts a cancelled meeting back (``circles.restore_meeting``) and tells every active learner once that
    it is on again (the pages' restore; the CLI's leaves it to the reminder)."""
    meeting, planned = restore_meeting(session, settings, circle, seq, now)
    stamp = f"restored:{meeting.id}:{now:%Y%m%dT%H%M%S%f}"
    return planned + _notify(session, circle, meeting, keys.MEETING_RESTORED, stamp, now)


def reschedule(
    session: Session,
    settings,
    circle: Circle,
    weekday: int,
    at: time,
    tz_name: str,
    starts: date,
    weeks: int,
    now: datetime,
) -> Replanned:
    """Gives ``circle`` a new weekly schedule and re-plans the meetings that have not started yet.

    Meetings that have started (or been held) stay as they are. Meeting ``n`` ahead goes to the ``n``-th
    time of the new series, with the reminders of ``move``; one beyond ``weeks``, or whose new time has
    passed, is cancelled as by ``cancel``; new weeks are added and reminded. Learners get **one** notice
    for the whole change (the new schedule and the next meeting), not one text per meeting; only when no
    meeting is left ahead does each cancelled one get ``cancel``'s notice. A meeting
    cancelled by hand stays cancelled (at its new time); one cancelled because ``weeks`` went down comes
    back when it goes up again. Before the first meeting the start date is checked as at creation.

    Raises:
        CircleError / ScheduleError: a start date, time zone or number of weeks that cannot be used.
    """

    zone(tz_name)
    if not 1 <= weeks <= 52:
        raise CircleError("weeks must be between 1 and 52")
    meetings = sorted(circle.meetings, key=lambda m: m.seq)
    held = [m for m in meetings if m.starts_at <= now]
    if not held:
        check_first(starts, weekday, at, tz_name, now)
    elif weeks < max(m.seq for m in held):
        raise CircleError(
            f"the circle has already met up to meeting {max(m.seq for m in held)}; weeks cannot go below that",
            "weeks_below",
        )
    old_weeks = circle.weeks
    circle.weekday, circle.start_time, circle.timezone, circle.starts_on, circle.weeks = (
        weekday,
        at,
        tz_name,
        starts,
        weeks,
    )
    series = weekly_meetings(starts, weekday, at, tz_name, weeks)
    done = Replanned()
    for meeting in meetings:
        if meeting.starts_at <= now:
            continue
        new_time = series[meeting.seq - 1] if meeting.seq <= weeks else None
        if new_time is None or new_time[0] <= now:
            if meeting.status != MeetingStatus.CANCELLED:
                done.planned += cancel(session, settings, circle, meeting.seq, now, notify=False)
                done.cancelled.append(meeting.seq)
            continue
        start, end = new_time
        if meeting.status == MeetingStatus.CANCELLED:
            meeting.starts_at, meeting.ends_at = start, end
            if meeting.seq > old_weeks:  # dropped by an earlier, shorter schedule: back in the series
                session.flush()
                done.planned += restore_meeting(session, settings, circle, meeting.seq, now)[1]
                done.added.append(meeting.seq)
            continue
        if start != meeting.starts_at:
            done.planned += move(session, settings, circle, meeting.seq, start, now, check_taken=False, notify=False)
            done.moved.append(meeting.seq)
        meeting.ends_at, meeting.status = end, MeetingStatus.SCHEDULED
    for seq in range(max((m.seq for m in meetings), default=0) + 1, weeks + 1):
        start, end = series[seq - 1]
        if start <= now:
            continue
        meeting = Meeting(circle=circle, seq=seq, starts_at=start, ends_at=end, status=MeetingStatus.SCHEDULED)
        session.add(meeting)
        session.flush()
        done.planned += reminders.plan(session, settings, now, meeting_id=meeting.id)
        done.added.append(seq)
    session.flush()
    if done.moved or done.cancelled:
        done.planned += _tell_schedule(session, circle, done, now)
    return done


def _tell_schedule(session: Session, circle: Circle, done: Replanned, now: datetime) -> list[Planned]:
    """One notice per learner for a whole new schedule: it names the next meeting (at its new time)."""
    ahead = session.scalars(
        select(Meeting)
        .where(Meeting.circle_id == circle.id, Meeting.starts_at > now, Meeting.status != MeetingStatus.CANCELLED)
        .order_by(Meeting.starts_at)
    ).first()
    if ahead is None:  # nothing left ahead: each cancelled meeting is told as CANCEL tells it
        return [
            row
            for seq in done.cancelled
            for row in _notify(
                session,
                circle,
                find(session, circle, seq),
                keys.MEETING_CANCELLED,
                f"cancelled:{find(session, circle, seq).id}",
                now,
            )
        ]
    return _notify(session, circle, ahead, keys.SCHEDULE_CHANGED, f"schedule:{circle.id}:{now:%Y%m%dT%H%M%S%f}", now)


def _retire(session: Session, meeting_id: int, now: datetime) -> None:
    """A moved meeting's earlier reminders and tally (sent or withdrawn) no longer count: it is reminded
    again at its new time, and again if it moves back, while each stays on record."""
    stamp = f":moved{now:%Y%m%dT%H%M%S%f}"
    for kind, retired in ((OutboxKind.REMINDER, OutboxKind.REMINDER_OLD), (OutboxKind.TALLY, OutboxKind.TALLY_OLD)):
        session.execute(
            update(Outbox)
            .where(Outbox.meeting_id == meeting_id, Outbox.kind == kind)
            .values(kind=retired, dedupe_key=Outbox.dedupe_key + stamp)
        )


def _withdraw(session: Session, meeting_id: int) -> None:
    session.execute(
        update(Outbox)
        .where(Outbox.meeting_id == meeting_id, Outbox.kind.in_(outbox.ABOUT_MEETING), Outbox.status == outbox.PENDING)
        .values(status=outbox.CANCELLED, last_error="meeting changed")
    )


def _notify(
    session: Session,
    circle: Circle,
    meeting: Meeting,
    key: str,
    prefix: str,
    now: datetime,
    old: datetime | None = None,
):
    params = {"circle": circle.name, "venue": circle.venue, "when": When(meeting.starts_at, circle.timezone)}
    if old is not None:
        params["old"] = When(old, circle.timezone)
    said = (Reply(key, params),)
    rows = [
        outbox.row(
            f"{prefix}:{learner.to.contact_id}", OutboxKind.CHANGE, learner.to, said, now, now, meeting_id=meeting.id
        )
        for learner in active_learners(session, circle.id, circle.language, circle.timezone)
    ]
    return insert_new(session, rows)


def tally(session: Session, meeting_id: int) -> dict:
    """RSVP counts for one meeting among its circle's active learners."""
    meeting = session.get_one(Meeting, meeting_id)
    active = select(Enrollment.contact_id).where(
        Enrollment.circle_id == meeting.circle_id, Enrollment.status == EnrollmentStatus.ACTIVE
    )
    answers = dict(
        session.execute(
            select(Rsvp.answer, func.count())
            .where(Rsvp.meeting_id == meeting_id, Rsvp.contact_id.in_(active))
            .group_by(Rsvp.answer)
        ).all()
    )
    total = session.scalar(select(func.count()).select_from(active.subquery())) or 0
    yes, no = answers.get("yes", 0), answers.get("no", 0)
    return {"yes": yes, "no": no, "none": max(total - yes - no, 0)}


def tally_reply(session: Session, meeting_id: int) -> Reply:
    """The facilitator's tally for one meeting, counted now (at send time)."""
    meeting = session.get_one(Meeting, meeting_id)
    circle = session.get_one(Circle, meeting.circle_id)
    params = {"circle": circle.name, "when": When(meeting.starts_at, circle.timezone), **tally(session, meeting_id)}
    return Reply(keys.FACILITATOR_TALLY, params)
