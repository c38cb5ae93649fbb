"""Planning reminders and facilitator tallies into the outbox, in bulk and exactly once.

``plan`` is run every minute by the worker's tick (and right after an enrollment or a meeting
change). It reads every (meeting, learner) pair whose reminder falls due within ``horizon`` and
inserts one row each with ``ON CONFLICT DO NOTHING`` on its dedupe key: one SELECT and one INSERT
per 5,000 rows, however many circles there are. Pairs that already have a live reminder row are
skipped in the SELECT, so a tick after everything is planned costs one query. A row holds the
reminder's message key, parameters and RSVP choices; it is rendered for the learner's channel and
language when it is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from bot.domain import outbox, quiet_hours
from bot.domain.contacts import preferred_join
from bot.domain.enrollments import EnrollmentStatus
from bot.domain.outbox import Planned, insert_new
from bot.domain.planning.audience import REACHABLE
from bot.domain.planning.rows import outbox_rows
from bot.domain.schedule import MeetingStatus, QuietHours
from bot.store.models import Address, Circle, Contact, Enrollment, Facilitator, Meeting, Outbox
from flows import planner, plans
from flows.planner import reminder_key, reminder_reply

PLAN_HORIZON = timedelta(hours=2)
QUIET_SHIFT_MAX = timedelta(hours=14)

__all__ = ["PLAN_HORIZON", "plan", "reminder_key", "reminder_reply"]


def plan(
    session: Session,
    settings,
    now: datetime,
    horizon: timedelta = PLAN_HORIZON,
    contact_id: int | None = None,
    meeting_id: int | None = None,
) -> list[Planned]:
    """Creates the reminder and tally rows due before ``now + horizon``; returns the new ones.

    The meetings in reach are read first; their learners are then read, turned into rows and inserted
    a group of meetings at a time (about ``outbox.CHUNK`` places per group), so a fan-out of 100,000
    never holds more than one group's rows in memory.
    """
    lead = settings.reminder_lead
    quiet = quiet_hours.resolver(settings)  # per circle's country (issue 29)
    latest = now + max(lead, planner.TALLY_BEFORE) + horizon + QUIET_SHIFT_MAX
    query = (
        select(
            Meeting.id, Meeting.starts_at, Circle.name, Circle.venue, Circle.timezone, Circle.language, Circle.capacity
        )
        .join(Circle, Circle.id == Meeting.circle_id)
        .where(Meeting.status != MeetingStatus.CANCELLED, Meeting.starts_at > now, Meeting.starts_at <= latest)
        .order_by(Meeting.starts_at, Meeting.id)
    )
    if meeting_id is not None:
        query = query.where(Meeting.id == meeting_id)
    if contact_id is not None:
        query = query.where(
            Meeting.circle_id.in_(
                select(Enrollment.circle_id).where(
                    Enrollment.contact_id == contact_id, Enrollment.status == EnrollmentStatus.ACTIVE
                )
            )
        )
    planned: list[Planned] = []
    for group in _groups(session.execute(query).all()):
        rows = _reminder_rows(session, group, lead, quiet, now, horizon, contact_id)
        planned.extend(insert_new(session, rows))
    if contact_id is None:
        planned.extend(insert_new(session, _tally_rows(session, now, horizon, meeting_id)))
    return planned


def _groups(meetings: Sequence[Any]) -> list[list[Any]]:
    """Meetings in groups of about ``outbox.CHUNK`` places (a circle's capacity bounds its learners)."""
    groups: list[list[Any]] = []
    places = outbox.CHUNK
    for meeting in meetings:
        if places + meeting.capacity > outbox.CHUNK:
            groups.append([])
            places = 0
        groups[-1].append(meeting)
        places += meeting.capacity
    return groups


def _reminder_rows(
    session: Session,
    meetings: list[Any],
    lead: timedelta,
    quiet: Callable[[str | None], QuietHours],
    now: datetime,
    horizon: timedelta,
    contact_id: int | None,
) -> list[dict]:
    """The reminder rows of ``meetings``' active, reachable learners who have none yet: read here,
    decided by ``flows.planner.reminders_due``. A meeting's rows share its reminder (dumped once)."""
    by_id = {m.id: m for m in meetings}
    query = (
        select(Meeting.id, Contact.id, Address.id, Address.channel, Address.value, Contact.language, Contact.timezone)
        .join(Enrollment, Enrollment.circle_id == Meeting.circle_id)
        .join(Contact, Contact.id == Enrollment.contact_id)
        .join(Address, preferred_join())
        .where(
            Meeting.id.in_(list(by_id)),
            Enrollment.status == EnrollmentStatus.ACTIVE,
            *REACHABLE,
            ~exists().where(
                Outbox.meeting_id == Meeting.id,
                Outbox.contact_id == Contact.id,
                Outbox.kind == outbox.OutboxKind.REMINDER,
                Outbox.status != outbox.CANCELLED,
            ),
        )
    )
    if contact_id is not None:
        query = query.where(Contact.id == contact_id)
    learners: dict[int, list[plans.Learner]] = {}
    for m_id, c_id, a_id, channel, value, lang, tz in session.execute(query):
        learners.setdefault(m_id, []).append(plans.Learner(0, plans.To(c_id, a_id, channel, value, lang, tz)))
    due: list[plans.PlannedMessage] = []
    for m_id, theirs in learners.items():
        m = by_id[m_id]
        circle = plans.Circle(0, "", m.name, m.venue, m.timezone, m.language)
        due.extend(
            planner.reminders_due(
                circle, plans.Meeting(m_id, 0, m.starts_at), theirs, lead, quiet(m.timezone), now, horizon
            )
        )
    return outbox_rows(due, now)


def _tally_rows(session: Session, now: datetime, horizon: timedelta, meeting_id: int | None) -> list[dict]:
    """The facilitators' tallies (2 hours before; counted when sent) of meetings in reach whose facilitator
    can be reached: read here, decided by ``flows.planner.tally_due``."""
    query = (
        select(
            Meeting.id,
            Meeting.seq,
            Meeting.starts_at,
            Meeting.status,
            Circle.id,
            Circle.code,
            Circle.name,
            Circle.venue,
            Circle.timezone,
            Circle.language,
            Circle.facilitator_id,
            Contact.id,
            Address.id,
            Address.channel,
            Address.value,
            Contact.language,
            Contact.timezone,
        )
        .join(Circle, Circle.id == Meeting.circle_id)
        .join(Facilitator, Facilitator.id == Circle.facilitator_id)
        .join(Contact, Contact.id == Facilitator.contact_id)
        .join(Address, preferred_join())
        .where(
            Meeting.status != MeetingStatus.CANCELLED,
            Meeting.starts_at > now,
            Meeting.starts_at <= now + planner.TALLY_BEFORE + horizon,
            *REACHABLE,
        )
    )
    if meeting_id is not None:
        query = query.where(Meeting.id == meeting_id)
    due = []
    for (
        m_id,
        seq,
        starts,
        status,
        circle_id,
        code,
        name,
        venue,
        circle_tz,
        circle_lang,
        fac_id,
        c_id,
        a_id,
        channel,
        value,
        lang,
        tz,
    ) in session.execute(query):
        fac = plans.To(c_id, a_id, channel, value, lang, tz)
        circle = plans.Circle(
            circle_id, code, name, venue, circle_tz, circle_lang, facilitator_id=fac_id, facilitator=fac
        )
        tally = planner.tally_due(circle, plans.Meeting(m_id, seq, starts, status), now, horizon)
        if tally is not None:
            due.append(tally)
    return outbox_rows(due, now)
