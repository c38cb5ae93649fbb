"""The simulator's "Go to…": named moments of the demo circle the demo clock can jump to.

  reminder          when the next meeting's reminder goes out (24 hours before, or now for a late
                    joiner; held by quiet hours until they end)
  before-N          5 minutes before meeting N: inside its call window, so a call gets into the conference
  after-N           the morning after meeting N, when its check-in goes out
  survey            the morning after the last meeting, when the end-of-circle survey goes out
  now               back to the real time (what was sent stays sent)

A jump moves the clock forward only (except ``now``), then plans and sends what is due there, as
fast-forward does; for the reminder, the check-in and the survey it then follows that text to the moment
it actually goes out (quiet hours may hold it a little).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.demo import seed as demo
from bot.domain import circles as circle_ops
from bot.domain import outbox
from bot.domain.planning.reminders import PLAN_HORIZON
from bot.domain.schedule import MeetingStatus, zone
from bot.outbound import jobs
from bot.store.models import Meeting, Outbox
from flows.timing import FOLLOW_UP_AT

BEFORE_MEETING = timedelta(minutes=5)
# How far past a moment a text of the kind it names may still be held (quiet hours, a planner's round).
FOLLOW_WITHIN = timedelta(hours=14)


@dataclass(frozen=True)
class Moment:
    """One place on the demo's timeline: its name for ``go_to``, a label for people, and when it is."""

    name: str
    label: str
    at: datetime
    follow: str | None = None  # the kind of text that goes out there, followed if quiet hours hold it
    meeting_id: int | None = None


def moments(runtime) -> list[Moment]:
    """The DEMO circle's moments, in time order, from the clock's now (``now`` first)."""
    now = runtime.clock()
    found: list[Moment] = [Moment("now", "Now (the real time)", now.replace(microsecond=0) - runtime.clock.offset)]
    with runtime.uow() as session:
        circle = circle_ops.find(session, demo.DEMO_CODE)
        if circle is None:
            return found
        tz = zone(circle.timezone)
        meetings = list(
            session.execute(
                select(Meeting.id, Meeting.seq, Meeting.starts_at, Meeting.ends_at, Meeting.status)
                .where(Meeting.circle_id == circle.id)
                .order_by(Meeting.starts_at)
            ).all()
        )
    lead = runtime.settings.reminder_lead
    ahead = [m for m in meetings if m.status != MeetingStatus.CANCELLED and m.starts_at > now]
    if ahead:
        nxt = ahead[0]
        found.append(
            Moment("reminder", f"The reminder of meeting {nxt.seq}", max(now, nxt.starts_at - lead), "reminder", nxt.id)
        )
    for m in meetings:
        if m.status == MeetingStatus.CANCELLED:
            continue
        found.append(Moment(f"before-{m.seq}", f"5 minutes before meeting {m.seq}", m.starts_at - BEFORE_MEETING))
        morning = datetime.combine(m.ends_at.astimezone(tz).date() + timedelta(days=1), FOLLOW_UP_AT, tzinfo=tz)
        if m.seq == meetings[-1].seq:
            found.append(Moment("survey", "The morning after the last meeting (survey)", morning, "survey", m.id))
        else:
            found.append(Moment(f"after-{m.seq}", f"After meeting {m.seq} (check-ins)", morning, "checkin", m.id))
    return [found[0], *sorted(found[1:], key=lambda x: x.at)]


def go_to(runtime, name: str) -> demo.Jump | None:
    """Moves the demo clock to the moment ``name`` and sends what is due; None when there is no such
    moment or it is already past (the clock never goes back, except to ``now``)."""
    if not isinstance(runtime.clock, demo.DemoClock):
        raise RuntimeError("Go to needs the demo clock")
    with demo.LOCK:
        moment = next((m for m in moments(runtime) if m.name == name), None)
        if moment is None:
            return None
        if moment.name == "now":
            runtime.clock.reset()
            return demo.Jump(runtime.clock(), [])
        if moment.at < runtime.clock() - timedelta(seconds=1):
            return None
        runtime.clock.move_to(moment.at)
        jobs.plan_now(moment.at)
        sent = demo.send_due(runtime, runtime.clock())
        if moment.follow and not any(s["kind"] == moment.follow for s in sent):
            sent += _follow(runtime, moment)
        return demo.Jump(runtime.clock(), sent)


def _follow(runtime, moment: Moment) -> list[dict]:
    """Plans on from the moment (``PLAN_HORIZON`` at a time, as fast-forward does) until its kind of text
    falls due, at most ``FOLLOW_WITHIN`` later; moves there and sends it."""
    start = runtime.clock()
    step = start
    while step <= start + FOLLOW_WITHIN:
        jobs.plan_now(step)
        held = _held(runtime, moment)
        if held is not None and held <= step + PLAN_HORIZON:
            runtime.clock.move_to(held)
            return demo.send_due(runtime, runtime.clock())
        step += PLAN_HORIZON
    return []


def _held(runtime, moment: Moment) -> datetime | None:
    """When the first pending text of the moment's kind (for its meeting) goes out, if soon after it."""
    now = runtime.clock()
    with runtime.uow() as session:
        query = select(Outbox.send_after).where(
            Outbox.status == outbox.PENDING,
            Outbox.kind == moment.follow,
            Outbox.send_after >= now,
            Outbox.send_after <= now + FOLLOW_WITHIN,
        )
        if moment.follow != "survey" and moment.meeting_id is not None:
            query = query.where(Outbox.meeting_id == moment.meeting_id)
        return session.scalar(query.order_by(Outbox.send_after).limit(1))
