"""Planning what follows a meeting: check-ins, "we miss you", end-of-circle surveys, survey reminders.

Like ``reminders.plan`` it runs on every tick, writes outbox rows under unique keys (so each goes
out once) and only for what falls due within the horizon. The decisions are pure
(``flows.planner``: who gets what, and when); this module only loads what they need, in a few
statements per tick whatever the number of meetings, and writes the rows.

- After each meeting but the last: a check-in the next day at ``FOLLOW_UP_AT`` local time, or one
  "we miss you" text to a learner who said no (or nothing) to this meeting and the one before and
  came to neither. A meeting over before a learner joined (``Enrollment.created_at``) is not theirs.
- After the last meeting: the learner survey to every active learner who was in the circle by its
  end, and the facilitator survey.
- A survey still open 48 hours after it was sent gets one reminder; it lapses after 14 days.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import attendance, conference_room, quiet_hours
from bot.domain.contacts import preferred_join
from bot.domain.enrollments import EnrollmentStatus
from bot.domain.outbox import OutboxKind, Planned, insert_new
from bot.domain.planning.audience import REACHABLE
from bot.domain.planning.reminders import PLAN_HORIZON
from bot.domain.planning.rows import outbox_rows
from bot.domain.schedule import MeetingStatus
from bot.store.models import Address, Circle, Contact, Conversation, Enrollment, Facilitator, Meeting, Outbox, Rsvp
from flows import planner, plans, survey
from flows.planner import LOOK_BACK, SURVEY_LIFETIME, SURVEY_REMINDER_AFTER
from flows.timing import FOLLOW_UP_AT, follow_up_time

__all__ = ["FOLLOW_UP_AT", "LOOK_BACK", "SURVEY_LIFETIME", "SURVEY_REMINDER_AFTER", "follow_up_time", "plan"]


def plan(session: Session, settings, now: datetime, horizon: timedelta = PLAN_HORIZON) -> list[Planned]:
    """Creates the follow-up rows due before ``now + horizon``; returns the new ones."""
    quiet = quiet_hours.resolver(settings)  # per circle's country (issue 29)
    planned: list[plans.PlannedMessage] = []
    recent = session.execute(
        select(Meeting.id, Meeting.seq, Meeting.starts_at, Meeting.status, Circle)
        .join(Circle, Circle.id == Meeting.circle_id)
        .where(Meeting.status != MeetingStatus.CANCELLED, Meeting.starts_at <= now, Meeting.starts_at > now - LOOK_BACK)
    ).all()
    due = {
        circle.id: circle
        for m_id, seq, starts, status, circle in recent
        if planner.follow_up_due(
            plans.Meeting(m_id, seq, starts, status), circle.timezone, quiet(circle.timezone), now, horizon
        )
    }
    if due:
        for circle, learners, history in _load_circles(session, due):
            planned.extend(planner.follow_ups_due(circle, learners, history, quiet(circle.timezone), now, horizon))
    planned.extend(_survey_reminders(session, now))
    return insert_new(session, outbox_rows(planned, now))


def _load_circles(session: Session, rows: dict[int, Circle]):
    """(circle, learners, history) for each circle with a follow-up due: six statements in all."""
    ids = sorted(rows)
    meetings: dict[int, list[plans.Meeting]] = {i: [] for i in ids}
    for circle_id, m_id, seq, starts, status, ends in session.execute(
        select(Meeting.circle_id, Meeting.id, Meeting.seq, Meeting.starts_at, Meeting.status, Meeting.ends_at)
        .where(Meeting.circle_id.in_(ids))
        .order_by(Meeting.circle_id, Meeting.seq)
    ):
        meetings[circle_id].append(plans.Meeting(m_id, seq, starts, status, ends))
    learners: dict[int, list[plans.Learner]] = {i: [] for i in ids}
    for circle_id, e_id, joined, c_id, a_id, channel, value, lang, tz in session.execute(
        select(
            Enrollment.circle_id,
            Enrollment.id,
            Enrollment.created_at,
            Contact.id,
            Address.id,
            Address.channel,
            Address.value,
            Contact.language,
            Contact.timezone,
        )
        .join(Contact, Contact.id == Enrollment.contact_id)
        .join(Address, preferred_join())
        .where(Enrollment.circle_id.in_(ids), Enrollment.status == EnrollmentStatus.ACTIVE, *REACHABLE)
        .order_by(Enrollment.id)
    ):
        to = plans.To(c_id, a_id, channel, value, lang, tz)
        learners[circle_id].append(plans.Learner(e_id, to, joined_at=joined))
    facilitators = {
        f_id: plans.To(c_id, a_id, channel, value, lang, tz)
        for f_id, c_id, a_id, channel, value, lang, tz in session.execute(
            select(
                Facilitator.id,
                Contact.id,
                Address.id,
                Address.channel,
                Address.value,
                Contact.language,
                Contact.timezone,
            )
            .join(Contact, Contact.id == Facilitator.contact_id)
            .join(Address, preferred_join())
            .where(Facilitator.id.in_(sorted({rows[i].facilitator_id for i in ids} - {None})), *REACHABLE)
        )
    }
    meeting_ids = [m.id for i in ids for m in meetings[i]]
    yes = frozenset(
        (m_id, c_id)
        for m_id, c_id in session.execute(
            select(Rsvp.meeting_id, Rsvp.contact_id).where(Rsvp.meeting_id.in_(meeting_ids), Rsvp.answer == "yes")
        )
    )
    checked_in = frozenset(
        (m_id, c_id)
        for m_id, c_id in session.execute(
            select(Outbox.meeting_id, Outbox.contact_id).where(
                Outbox.kind == OutboxKind.CHECKIN, Outbox.meeting_id.in_(meeting_ids)
            )
        )
        if m_id is not None and c_id is not None  # a check-in row always has both
    )
    history = plans.History(
        yes=yes,
        attended=frozenset(attendance.attendees(session, meeting_ids)),
        checked_in=checked_in,
        held=frozenset(conference_room.held(session, meeting_ids)),  # issue 26: the call was held
    )
    for i in ids:
        row = rows[i]
        circle = plans.Circle(
            row.id,
            row.code,
            row.name,
            row.venue,
            row.timezone,
            row.language,
            tuple(meetings[i]),
            row.facilitator_id,
            facilitators.get(row.facilitator_id) if row.facilitator_id is not None else None,
            row.capacity,
        )
        yield circle, learners[i], history


def _survey_reminders(session: Session, now: datetime) -> list[plans.PlannedMessage]:
    """Open surveys (one statement), then the circles of those due a reminder (one more, when any)."""
    open_surveys = [
        plans.OpenSurvey(plans.To(c_id, a_id, channel, value, lang, tz), state, expires)
        for state, expires, c_id, a_id, channel, value, lang, tz in session.execute(
            select(
                Conversation.state,
                Conversation.expires_at,
                Contact.id,
                Address.id,
                Address.channel,
                Address.value,
                Contact.language,
                Contact.timezone,
            )
            .join(Contact, Contact.id == Conversation.contact_id)
            .join(Address, preferred_join())
            .where(Conversation.flow == survey.FLOW, Conversation.expires_at > now, *REACHABLE)
        )
        if planner.survey_reminder_due(state, now)
    ]
    if not open_surveys:
        return []
    codes = {s.state["code"] for s in open_surveys}
    circles = {
        row.code: plans.Circle(row.id, row.code, row.name, row.venue, row.timezone, row.language)
        for row in session.scalars(select(Circle).where(Circle.code.in_(codes)))
    }
    return list(planner.survey_reminders_due(open_surveys, circles, now))
