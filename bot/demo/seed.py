"""The demo: its seeded circle, its movable clock, fast-forward and reset.

``circlebot demo`` and the phone simulator share this module. The demo clock is the runtime's
clock plus an offset (kept in the instance folder, so a restarted demo keeps its date). Jobs,
planners and, in the simulator, inbound texts all read it, so moving it moves the whole bot.

Fast-forward finds the next thing the bot will send by running the real planners at later and
later moments (``PLAN_HORIZON`` apart, so nothing is skipped) until an outbox row falls due,
moves the clock there and sends what is due, as the worker would.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select

from bot.demo import zone as demo_zone
from bot.domain import circles as circle_ops
from bot.domain import outbox
from bot.domain.planning.reminders import PLAN_HORIZON
from bot.outbound import jobs
from bot.store.models import Base, Outbox

log = logging.getLogger(__name__)

DEMO_CODE = "DEMO"
DEMO_TIMEZONE = demo_zone.FALLBACK  # the zone when none is known (see ``bot/demo/zone.py``)
FACILITATOR_PHONE = "+18165550199"
CLOCK_FILE = "demo-clock.json"
# How far fast-forward looks for the next text before it says nothing more is planned.
LOOK_AHEAD = timedelta(days=21)
# What each kind of outbox row is, for the people watching the demo.
KIND_LABELS = {
    "reminder": "meeting reminder",
    "tally": "2-hour tally",
    "checkin": "check-in",
    "missyou": "we miss you",
    "survey": "end-of-circle survey",
    "notice": "notice",
    "relay": "relay",
    "call": "CALL ME call",
}

# One fast-forward, reset or worker tick at a time: a jump must not happen in the middle of a send.
LOCK = threading.RLock()


class DemoClock:
    """The real UTC time plus an offset that only moves forward (until a reset)."""

    def __init__(self, path: str | None = None):
        self.path = path
        self.offset = timedelta(0)
        if path and os.path.exists(path):
            try:
                with open(path, encoding="utf-8") as fp:
                    self.offset = timedelta(seconds=float(json.load(fp)["offset_seconds"]))
            except (OSError, ValueError, KeyError, TypeError):
                log.warning("ignoring an unreadable demo clock file %s", path)

    def __call__(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset

    def move_to(self, moment: datetime) -> None:
        """Moves the clock forward to ``moment`` (never backward)."""
        self._set(max(self.offset, moment - datetime.now(timezone.utc)))

    def reset(self) -> None:
        """Back to the real time."""
        self._set(timedelta(0))

    def _set(self, offset: timedelta) -> None:
        self.offset = offset
        if self.path:
            os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
            with open(self.path, "w", encoding="utf-8") as fp:
                json.dump({"offset_seconds": offset.total_seconds()}, fp)


def install_clock(runtime, instance_path: str) -> DemoClock:
    """Gives ``runtime`` a demo clock (once), kept in ``instance_path``."""
    if not isinstance(runtime.clock, DemoClock):
        runtime.clock = DemoClock(os.path.join(instance_path, CLOCK_FILE))
        if not os.path.exists(runtime.clock.path):  # marks the folder as a demo instance (the CLI reads it)
            runtime.clock.move_to(runtime.clock())
    simulator = getattr(getattr(runtime, "channels", None), "simulator", None)
    if simulator is not None:  # what the simulated phones receive is stamped with the demo time too
        simulator.clock = runtime.clock
    return runtime.clock


def timezone_of(runtime) -> str:
    """The demo's zone: the one picked on the simulator page, else the machine's (``TZ``)."""
    return demo_zone.chosen(_instance_of(runtime))


def _instance_of(runtime) -> str | None:
    clock = getattr(runtime, "clock", None)
    path = getattr(clock, "path", None)
    return os.path.dirname(path) if path else None


def seed(runtime, tz: str | None = None) -> bool:
    """Creates the DEMO circle unless it exists; returns True when it created it.

    The first meeting is about three hours from now when that is a waking hour in the demo's zone
    (``tz``, else ``timezone_of``), else at 10:00 the next morning (``bot/demo/zone.first_meeting``),
    so its tally and reminder fall outside quiet hours; a learner who joins gets the reminder at once
    (a late joiner's reminder is not held back, outside quiet hours) and can RSVP right away.
    """
    tz = tz or timezone_of(runtime)
    now = runtime.clock()
    with runtime.uow() as session:
        if circle_ops.find(session, DEMO_CODE) is not None:
            return False
        first = demo_zone.first_meeting(now, tz)
        circle_ops.create_circle(
            session,
            circle_ops.NewCircle(
                name="Demo Circle: Intro to Computers",
                venue="Central Library, Room 2",
                weekday=first.weekday(),
                start_time=first.time(),
                timezone=tz,
                starts=first.date(),
                weeks=6,
                language="en",
                facilitator_phone=FACILITATOR_PHONE,
                capacity=12,
                city="Kansas City",
                postal_code="64105",
                code=DEMO_CODE,
            ),
            now,
        )
        session.commit()
    return True


def reset(runtime, tz: str | None = None) -> None:
    """Deletes every row of the demo database, puts the clock back and seeds the DEMO circle again
    (in ``tz``, else the demo's zone)."""
    with LOCK:
        with runtime.uow() as session:
            for table in reversed(Base.metadata.sorted_tables):
                session.execute(delete(table))
            session.commit()
        if runtime.queue.backend == "embedded":  # the queued sends now find no row and end
            runtime.queue.run_due(datetime.max.replace(tzinfo=timezone.utc))
        if isinstance(runtime.clock, DemoClock):
            runtime.clock.reset()
        seed(runtime, tz)


@dataclass(frozen=True)
class Jump:
    """What one fast-forward did: the clock's new time and the texts sent then."""

    at: datetime
    sent: list[dict]


def fast_forward(runtime) -> Jump | None:
    """Moves the demo clock to the next planned text and sends what is due then.

    Returns None when nothing is planned within ``LOOK_AHEAD`` (the clock does not move).
    """
    if not isinstance(runtime.clock, DemoClock):
        raise RuntimeError("fast-forward needs the demo clock")
    with LOCK:
        now = runtime.clock()
        moment = now
        while moment <= now + LOOK_AHEAD:
            jobs.plan_now(moment)
            due = _next_send_after(runtime, after=now)
            if due is not None and due <= moment + PLAN_HORIZON:
                # Anything planned at a later moment would be due at or after that moment: none is earlier.
                runtime.clock.move_to(due)
                return Jump(due, send_due(runtime, runtime.clock()))
            moment += PLAN_HORIZON
        return None


def send_due(runtime, now: datetime) -> list[dict]:
    """Sends every pending outbox row due at ``now``, as the worker would; returns what went out."""
    with runtime.uow() as session:
        ids = list(
            session.scalars(
                select(Outbox.id)
                .where(Outbox.status == outbox.PENDING, Outbox.send_after <= now)
                .order_by(Outbox.send_after, Outbox.id)
            )
        )
    for row_id in ids:
        jobs.send_outbox(row_id)  # claims the row first, so a queued job for it does nothing
    if runtime.queue.backend == "embedded":
        runtime.queue.run_due(now)
    if not ids:
        return []
    with runtime.uow() as session:
        rows = session.execute(
            select(Outbox.kind, Outbox.dedupe_key, Outbox.address)
            .where(Outbox.id.in_(ids), Outbox.status == outbox.SENT)
            .order_by(Outbox.id)
        ).all()
    return [{"kind": kind, "label": label(kind, key), "to": address} for kind, key, address in rows]


def label(kind: str, dedupe_key: str = "") -> str:
    """A short name for a kind of text."""
    if dedupe_key.startswith("survey-reminder:"):
        return "survey reminder"
    return KIND_LABELS.get(kind, kind)


def tick(runtime) -> None:
    """The demo worker's tick: plan and sweep at the demo clock's time, then run what is due."""
    with LOCK:
        jobs.tick(reschedule=False)
        if runtime.queue.backend == "embedded":
            runtime.queue.run_due(runtime.clock())


def start_worker(runtime, interval: float = 2.0) -> None:
    """Runs the embedded queue in a thread, on the demo clock (Redis needs ``circlebot worker``)."""
    if runtime.queue.backend == "embedded":
        runtime.queue.start_thread(interval=interval, on_tick=lambda: tick(runtime))


def _next_send_after(runtime, after: datetime) -> datetime | None:
    with runtime.uow() as session:
        return session.scalar(
            select(func.min(Outbox.send_after)).where(Outbox.status == outbox.PENDING, Outbox.send_after > after)
        )
