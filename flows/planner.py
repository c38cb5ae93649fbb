"""What to send to whom, and when (pure): reminders, tallies, check-ins, "we miss you", surveys,
survey reminders and waitlist offers.

Each function takes plain values (``flows.plans``) and the time as a parameter, and returns
``PlannedMessage`` values; nothing here reads a clock, a database or a global. It returns what is due
before ``now + horizon`` *every* time it is asked; the outbox's unique key makes each one go out once.

- Reminder: ``lead`` before the meeting, out of the learner's quiet hours (``flows.timing.reminder_time``).
- Tally: the facilitator's RSVP count, 2 hours before; its counts are taken when it is sent.
- After each meeting but the last: a check-in the next day at 10:00 local time. A learner who said no
  (or nothing) to this meeting and the one before, and came to neither, gets one "we miss you" text
  instead, once per enrollment (when there is a next meeting to invite them to).
- A meeting whose conference call was held (``History.held``) says who came: a "yes" without coming
  is not being there, and a learner who was neither on the call nor marked in the room gets no
  check-in about it.
- A meeting that was over before a learner joined is not theirs (``Learner.in_time_for``): no check-in
  about it, and it never counts as one they missed.
- After the last meeting: the learner survey to every active learner who was in the circle by its end,
  and the facilitator survey.
- A survey still open 48 hours after it was sent gets one reminder; it lapses after 14 days.
- A free place on a full circle is offered to the first waitlisted learner never offered one.
An address that said STOP gets nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable, Mapping, Sequence

from flows import checkin, choices, keys, offer, survey, surveys
from flows.plans import Circle, History, Learner, Meeting, OpenSurvey, PlannedMessage
from flows.results import Reply, StateDict, When
from flows.timing import QuietHours, follow_up_time, reminder_time

TALLY_BEFORE = timedelta(hours=2)
SURVEY_LIFETIME = timedelta(days=14)
SURVEY_REMINDER_AFTER = timedelta(hours=48)
LOOK_BACK = timedelta(days=3)  # a meeting's follow-up is planned at most this long after it started
CHECKIN_OPEN_FOR = timedelta(days=3)
OFFER_FOR = timedelta(days=2)


# -- before a meeting ------------------------------------------------------------------------------
def reminder_key(meeting_id: int, contact_id: int, starts_at: datetime) -> str:
    """The dedupe key of one reminder: per meeting, learner and meeting time (a move re-reminds)."""
    return f"reminder:{meeting_id}:{contact_id}:{starts_at:%Y%m%dT%H%MZ}"


def reminder_reply(name: str, venue: str, starts_at: datetime, tz: str) -> Reply:
    """The reminder: the circle, when and where, and the RSVP choices."""
    return Reply(keys.REMINDER, {"circle": name, "venue": venue, "when": When(starts_at, tz)}, choices.RSVP)


def reminders_due(
    circle: Circle,
    meeting: Meeting,
    learners: Iterable[Learner],
    lead: timedelta,
    quiet: QuietHours,
    now: datetime,
    horizon: timedelta,
    reminded: frozenset[int] = frozenset(),
) -> tuple[PlannedMessage, ...]:
    """The reminders of ``meeting`` due before ``now + horizon``.

    Args:
        circle: the meeting's circle (name, venue, time zone and language).
        meeting: the meeting; a cancelled or started one gets none.
        learners: the circle's active learners; those whose address said STOP get none.
        lead: how long before the meeting (``REMINDER_LEAD``).
        quiet: the quiet hours, in each learner's time zone (else the circle's).
        now: the current time (UTC).
        horizon: how far ahead to plan.
        reminded: contact ids that already have a live reminder for this meeting.
    """
    if not meeting.held or meeting.starts_at <= now:
        return ()
    said = (reminder_reply(circle.name, circle.venue, meeting.starts_at, circle.timezone),)
    planned = []
    when: dict[str, datetime | None] = {}  # learners in one time zone share the send time
    for learner in learners:
        to = learner.to.within(circle.language, circle.timezone)
        if to.opted_out or to.contact_id in reminded:
            continue
        tz = to.timezone or circle.timezone  # ``within`` gave it the circle's zone when it had none
        send_after = when.get(tz, now)
        if send_after is now:
            send_after = when[tz] = reminder_time(meeting.starts_at, lead, quiet, tz, now)
        if send_after is None or send_after > now + horizon:
            continue
        planned.append(
            PlannedMessage(
                reminder_key(meeting.id, to.contact_id, meeting.starts_at), "reminder", to, said, send_after, meeting.id
            )
        )
    return tuple(planned)


def tally_due(circle: Circle, meeting: Meeting, now: datetime, horizon: timedelta) -> PlannedMessage | None:
    """The facilitator's tally of ``meeting`` if it falls due before ``now + horizon`` (replies come at send time)."""
    fac = circle.facilitator
    if fac is None or fac.opted_out or not meeting.held:
        return None
    if not now < meeting.starts_at <= now + TALLY_BEFORE + horizon:
        return None
    return PlannedMessage(
        f"tally:{meeting.id}:{meeting.starts_at:%Y%m%dT%H%MZ}",
        "tally",
        fac.within(circle.language, circle.timezone),
        (),
        max(meeting.starts_at - TALLY_BEFORE, now),
        meeting.id,
    )


# -- after a meeting -------------------------------------------------------------------------------
def follow_up_due(meeting: Meeting, tz: str, quiet: QuietHours, now: datetime, horizon: timedelta) -> datetime | None:
    """When the follow-up of ``meeting`` goes (never before ``now``), or None when it is not due by
    ``now + horizon`` or the meeting is cancelled, not started yet, or started over ``LOOK_BACK`` ago."""
    if not meeting.held or not now - LOOK_BACK < meeting.starts_at <= now:
        return None
    due = follow_up_time(meeting.starts_at, tz, quiet)
    return None if due > now + horizon else max(due, now)


def last_seq(circle: Circle) -> int | None:
    """The number of the circle's last meeting that is not cancelled."""
    return max((m.seq for m in circle.meetings if m.held), default=None)


def follow_ups_due(
    circle: Circle, learners: Sequence[Learner], history: History, quiet: QuietHours, now: datetime, horizon: timedelta
) -> tuple[PlannedMessage, ...]:
    """Check-ins, "we miss you" texts and surveys that follow the circle's recent meetings.

    Args:
        circle: the circle, with every meeting (in ``seq`` order) and its facilitator's address.
        learners: its active learners.
        history: RSVPs, attendance and check-ins so far.
        quiet: the quiet hours (the follow-up moment is read in the circle's time zone).
        now: the current time (UTC).
        horizon: how far ahead to plan.
    """
    planned: list[PlannedMessage] = []
    last = last_seq(circle)
    if last is None:
        return ()  # every meeting is cancelled: nothing follows any of them
    for meeting in circle.meetings:
        send_after = follow_up_due(meeting, circle.timezone, quiet, now, horizon)
        if send_after is None:
            continue
        if meeting.seq >= last:
            planned.extend(surveys_due(circle, learners, send_after, meeting))
        else:
            planned.extend(checkins_due(circle, meeting, learners, history, send_after, now))
    return tuple(planned)


def checkins_due(
    circle: Circle, meeting: Meeting, learners: Sequence[Learner], history: History, send_after: datetime, now: datetime
) -> tuple[PlannedMessage, ...]:
    """After a meeting that is not the last: a check-in to each learner, or one "we miss you" text to a
    learner who neither said yes to nor came to this meeting and the one before."""
    previous = next((m for m in reversed(circle.meetings) if m.seq < meeting.seq and m.held), None)
    both = {meeting.id} | ({previous.id} if previous is not None else set())
    there = {c for m, c in history.yes | history.attended if m in both and history.there(m, c)}
    upcoming = [m for m in circle.meetings if m.held and m.starts_at > now]
    following = min(upcoming, key=lambda m: m.starts_at) if upcoming else None
    thanked = {c for m, c in history.checked_in if m != meeting.id}
    planned = []
    for learner in learners:
        to = learner.to.within(circle.language, circle.timezone)
        if to.opted_out or not took_part(learner, meeting, history):
            continue  # a meeting over before they joined is not theirs: no check-in about it
        missed_both = previous is not None and took_part(learner, previous, history) and to.contact_id not in there
        if following is not None and missed_both:
            params = {"circle": circle.name, "venue": circle.venue, "when": When(following.starts_at, circle.timezone)}
            planned.append(
                PlannedMessage(
                    f"miss:{learner.enrollment_id}",
                    "missyou",
                    to,
                    (Reply(keys.MISS_YOU, params),),
                    send_after,
                    meeting.id,
                )
            )
            continue
        if meeting.id in history.held and (meeting.id, to.contact_id) not in history.attended:
            continue  # the call was held and they were not on it (nor marked in the room): nothing to ask
        first = to.contact_id not in thanked
        state = {
            **checkin.opening(f"enrollment:{learner.enrollment_id}", circle.code, meeting.seq, first),
            "name": circle.name,
            "expires": (send_after + CHECKIN_OPEN_FOR).isoformat(),
        }
        planned.append(
            PlannedMessage(
                f"checkin:{meeting.id}:{to.contact_id}",
                "checkin",
                to,
                (checkin.question(circle.name),),
                send_after,
                meeting.id,
                state,
            )
        )
    return tuple(planned)


def took_part(learner: Learner, meeting: Meeting, history: History) -> bool:
    """True when ``meeting`` is one of the learner's: they had joined before it ended, or they said yes
    to it or came (someone who left and joined again keeps what they did before)."""
    pair = (meeting.id, learner.to.contact_id)
    return learner.in_time_for(meeting) or pair in history.yes or pair in history.attended


def surveys_due(
    circle: Circle, learners: Sequence[Learner], send_after: datetime, last: Meeting | None = None
) -> tuple[PlannedMessage, ...]:
    """After the last meeting: the learner survey to each active learner who was in the circle by the end
    of ``last`` (the last meeting), and the facilitator's."""
    expires = (send_after + SURVEY_LIFETIME).isoformat()
    intro = Reply(keys.SURVEY_INTRO, {"circle": circle.name})
    planned = []
    for learner in learners:
        to = learner.to.within(circle.language, circle.timezone)
        if to.opted_out or (last is not None and not learner.in_time_for(last)):
            continue
        state = {
            **survey.opening("learner", f"enrollment:{learner.enrollment_id}", circle.code),
            "opened": send_after.isoformat(),
            "expires": expires,
        }
        planned.append(
            PlannedMessage(
                f"survey:{learner.enrollment_id}",
                "survey",
                to,
                (intro, surveys.LEARNER.questions[0].ask()),
                send_after,
                None,
                state,
            )
        )
    fac = circle.facilitator
    if fac is not None and not fac.opted_out:
        subject = f"facilitator:{circle.facilitator_id}:{circle.code}"
        state = {
            **survey.opening("facilitator", subject, circle.code),
            "opened": send_after.isoformat(),
            "expires": expires,
        }
        said = (Reply(keys.SURVEY_FACILITATOR_INTRO, {"circle": circle.name}), surveys.FACILITATOR.questions[0].ask())
        planned.append(
            PlannedMessage(
                f"fsurvey:{circle.id}",
                "survey",
                fac.within(circle.language, circle.timezone),
                said,
                send_after,
                None,
                state,
            )
        )
    return tuple(planned)


def survey_reminder_due(state: StateDict, now: datetime) -> bool:
    """True when a survey opened 48 hours ago or more is still unfinished and was not reminded yet."""
    opened = state.get("opened")
    if state.get("flow") != survey.FLOW or not opened or state.get("reminded"):
        return False
    return datetime.fromisoformat(opened) + SURVEY_REMINDER_AFTER <= now


def survey_reminders_due(
    open_surveys: Iterable[OpenSurvey], circles: Mapping[str, Circle], now: datetime
) -> tuple[PlannedMessage, ...]:
    """One reminder for each open survey that is due one; it asks the question the learner is on.

    Args:
        open_surveys: the survey conversations open now.
        circles: the circles those surveys are about, by code (only those due a reminder are read).
        now: the current time (UTC).
    """
    planned = []
    for open_survey in open_surveys:
        state = open_survey.state
        if open_survey.expires_at <= now or open_survey.to.opted_out or not survey_reminder_due(state, now):
            continue
        circle = circles[state["code"]]
        said = (Reply(keys.SURVEY_REMINDER, {"circle": circle.name}), survey.question(dict(state)).ask())
        planned.append(
            PlannedMessage(
                f"survey-reminder:{state['subject']}:{state['survey']}",
                "survey",
                open_survey.to.within(circle.language, circle.timezone),
                said,
                now,
                None,
                {**state, "reminded": True},
            )
        )
    return tuple(planned)


# -- the waiting list ------------------------------------------------------------------------------
def offers_due(
    circle: Circle, active: int, offered: int, waiting: Sequence[Learner], now: datetime
) -> tuple[tuple[Learner, PlannedMessage], ...]:
    """Each free place offered to the next waitlisted learner never offered one.

    Args:
        circle: the circle (its capacity).
        active: how many reachable active learners it has.
        offered: how many offers made within ``OFFER_FOR`` are still open.
        waiting: its waitlisted learners never offered a place, first come first.
        now: the current time (UTC).

    Returns:
        (learner, offer) pairs: the caller marks each learner offered now.
    """
    free = circle.capacity - active - offered
    if free <= 0:
        return ()
    chosen = [learner for learner in waiting if not learner.to.opted_out][:free]
    state = offer.opening(circle.code, (now + OFFER_FOR).isoformat())
    return tuple(
        (
            learner,
            PlannedMessage(
                f"offer:{learner.enrollment_id}",
                "offer",
                learner.to.within(circle.language, circle.timezone),
                (offer.question(learner.name or "", circle.name),),
                now,
                None,
                state,
            ),
        )
        for learner in chosen
    )
