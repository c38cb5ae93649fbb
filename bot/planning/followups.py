"""Planning what follows a meeting: check-ins, "we miss you", end-of-circle surveys, survey reminders.

Like ``reminders.plan`` it runs on every tick, writes outbox rows under unique keys (so each goes
out once) and only for what falls due within the horizon. A row that asks a question carries the
conversation to open when it is sent, so the learner's reply is read as the answer.

- After each meeting but the last: a check-in the next day at ``FOLLOW_UP_AT`` local time. A
  learner who said no (or nothing) to this meeting and the one before gets one "we miss you" text
  instead, once per enrollment (attendance is not recorded yet, so a "yes" RSVP counts as there).
- After the last meeting: the learner survey to every active learner, and the facilitator survey.
- A survey still open 48 hours after it was sent gets one reminder; it lapses after 14 days.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import attendance, outbox
from bot.contacts import Recipient, facilitator_recipient, preferred_join
from bot.models import Address, Circle, Contact, Conversation, Meeting, Outbox, Rsvp
from bot.outbox import Planned, insert_new
from bot.planning.audience import Learner, active_learners
from bot.planning.reminders import PLAN_HORIZON
from bot.schedule import QuietHours, zone
from flows import checkin, keys, survey, surveys
from flows.results import Reply, When

FOLLOW_UP_AT = time(10, 0)
SURVEY_LIFETIME = timedelta(days=14)
SURVEY_REMINDER_AFTER = timedelta(hours=48)
LOOK_BACK = timedelta(days=3)


def follow_up_time(starts_at: datetime, tz: str, quiet: QuietHours) -> datetime:
    """The day after the meeting at FOLLOW_UP_AT local time, moved out of the quiet hours."""
    local_day = starts_at.astimezone(zone(tz)).date() + timedelta(days=1)
    local = datetime.combine(local_day, FOLLOW_UP_AT, tzinfo=zone(tz))
    if quiet.contains(local.time()):
        local = quiet.window_around(local)[1]
    return local.astimezone(timezone.utc)


def plan(session: Session, settings, now: datetime, horizon: timedelta = PLAN_HORIZON) -> list[Planned]:
    """Creates the follow-up rows due before ``now + horizon``; returns the new ones."""
    quiet = QuietHours.parse(settings.quiet_hours)
    rows: list[dict] = []
    meetings = session.execute(
        select(Meeting, Circle).join(Circle, Circle.id == Meeting.circle_id)
        .where(Meeting.status != "cancelled", Meeting.starts_at <= now, Meeting.starts_at > now - LOOK_BACK)
    ).all()
    for meeting, circle in meetings:
        due = follow_up_time(meeting.starts_at, circle.timezone, quiet)
        if due > now + horizon:
            continue
        send_after = max(due, now)
        last_seq = session.scalar(select(func.max(Meeting.seq)).where(Meeting.circle_id == circle.id,
                                                                       Meeting.status != "cancelled"))
        learners = active_learners(session, circle.id, circle.language, circle.timezone)
        if meeting.seq >= last_seq:
            rows.extend(_surveys(session, circle, learners, send_after, now))
        else:
            rows.extend(_checkins(session, circle, meeting, learners, send_after, now))
    rows.extend(_survey_reminders(session, now))
    return insert_new(session, rows)


def _checkins(session, circle: Circle, meeting: Meeting, learners: list[Learner], send_after, now) -> list[dict]:
    previous = session.scalar(select(Meeting.id).where(Meeting.circle_id == circle.id, Meeting.seq < meeting.seq,
                                                       Meeting.status != "cancelled").order_by(Meeting.seq.desc()))
    both = [m for m in (meeting.id, previous) if m]
    yes = set(session.scalars(select(Rsvp.contact_id).where(Rsvp.meeting_id.in_(both), Rsvp.answer == "yes")))
    yes |= {contact_id for _meeting, contact_id in attendance.attendees(session, both)}  # came, by phone or in person
    next_meeting = session.scalar(select(Meeting).where(
        Meeting.circle_id == circle.id, Meeting.starts_at > now, Meeting.status != "cancelled")
        .order_by(Meeting.starts_at))
    # Learners who already had a check-in in this circle: their "1" or "2" is not thanked again.
    checked_in = set(session.scalars(select(Outbox.contact_id).where(
        Outbox.kind == "checkin", Outbox.meeting_id != meeting.id,
        Outbox.meeting_id.in_(select(Meeting.id).where(Meeting.circle_id == circle.id)))))
    rows = []
    for learner in learners:
        to = learner.to
        if previous is not None and to.contact_id not in yes and next_meeting is not None:
            params = {"circle": circle.name, "venue": circle.venue,
                      "when": When(next_meeting.starts_at, circle.timezone)}
            rows.append(outbox.row(f"miss:{learner.enrollment_id}", "missyou", to, (Reply(keys.MISS_YOU, params),),
                                   send_after, now, meeting_id=meeting.id))
            continue
        first = to.contact_id not in checked_in
        state = {**checkin.opening(f"enrollment:{learner.enrollment_id}", circle.code, meeting.seq, first),
                 "name": circle.name, "expires": (send_after + timedelta(days=3)).isoformat()}
        rows.append(outbox.row(f"checkin:{meeting.id}:{to.contact_id}", "checkin", to, (checkin.question(circle.name),),
                               send_after, now, meeting_id=meeting.id, conversation=state))
    return rows


def _surveys(session, circle: Circle, learners: list[Learner], send_after, now) -> list[dict]:
    expires = (send_after + SURVEY_LIFETIME).isoformat()
    rows = []
    intro = Reply(keys.SURVEY_INTRO, {"circle": circle.name})
    for learner in learners:
        state = {**survey.opening("learner", f"enrollment:{learner.enrollment_id}", circle.code),
                 "opened": send_after.isoformat(), "expires": expires}
        rows.append(outbox.row(f"survey:{learner.enrollment_id}", "survey", learner.to,
                               (intro, surveys.LEARNER.questions[0].ask()), send_after, now, conversation=state))
    to = facilitator_recipient(session, circle.facilitator_id, circle.language)
    if to is not None:
        state = {**survey.opening("facilitator", f"facilitator:{circle.facilitator_id}:{circle.code}", circle.code),
                 "opened": send_after.isoformat(), "expires": expires}
        said = (Reply(keys.SURVEY_FACILITATOR_INTRO, {"circle": circle.name}), surveys.FACILITATOR.questions[0].ask())
        rows.append(outbox.row(f"fsurvey:{circle.id}", "survey", to, said, send_after, now,
                               timezone=circle.timezone, conversation=state))
    return rows


def _survey_reminders(session: Session, now: datetime) -> list[dict]:
    rows = []
    open_surveys = session.execute(
        select(Conversation, Contact, Address).join(Contact, Contact.id == Conversation.contact_id)
        .join(Address, preferred_join())
        .where(Conversation.flow == survey.FLOW, Conversation.expires_at > now, Contact.erased_at.is_(None))
    ).all()
    for conversation, contact, address in open_surveys:
        state = conversation.state
        opened = state.get("opened")
        if not opened or state.get("reminded") or datetime.fromisoformat(opened) + SURVEY_REMINDER_AFTER > now:
            continue
        circle = session.scalar(select(Circle).where(Circle.code == state["code"]))
        to = Recipient(contact.id, address.id, address.channel, address.value, contact.language or circle.language,
                       contact.timezone or circle.timezone)
        said = (Reply(keys.SURVEY_REMINDER, {"circle": circle.name}), survey.question(state).ask())
        rows.append(outbox.row(f"survey-reminder:{state['subject']}:{state['survey']}", "survey", to, said, now, now,
                               conversation={**state, "reminded": True}))
    return rows
