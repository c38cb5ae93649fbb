"""The numbers behind the facilitator's charts: RSVPs per meeting, check-ins per week, survey answers.

Counts only; the pages draw them as SVG with the numbers written on each bar and a table beside.
Attendance (in person or by phone) is counted by ``bot.domain.attendance.attended_counts``, as ``circle show`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain import attendance
from bot.domain.enrollments import EnrollmentStatus
from bot.domain.schedule import MeetingStatus
from bot.store.models import Answer, Circle, Enrollment, Meeting, Rsvp
from flows import plans, surveys

CHECKIN_VALUES = ("great", "okay", "stuck")


@dataclass(frozen=True)
class MeetingRsvps:
    """RSVPs of one meeting among the circle's active learners."""

    seq: int
    starts_at: object
    status: str
    yes: int
    no: int
    none: int
    attended: int = 0  # learners who came, in person or by phone (each once)
    enrolled: int = 0  # the learners this meeting is about: active now and in the circle before it ended


def rsvps(session: Session, circle: Circle) -> list[MeetingRsvps]:
    """Yes, no and no reply for every meeting, counted among the learners active now, and who attended.

    A meeting that was over before a learner joined is not theirs (``flows.plans.in_time``):
    it never counts them as "no reply" (what they said or did before leaving and coming back still counts).
    """
    joined = dict(
        session.execute(
            select(Enrollment.contact_id, Enrollment.created_at).where(
                Enrollment.circle_id == circle.id, Enrollment.status == EnrollmentStatus.ACTIVE
            )
        ).all()
    )
    meetings = list(session.scalars(select(Meeting).where(Meeting.circle_id == circle.id).order_by(Meeting.seq)))
    answered = {
        (m, c): a
        for m, c, a in session.execute(
            select(Rsvp.meeting_id, Rsvp.contact_id, Rsvp.answer).where(
                Rsvp.meeting_id.in_([m.id for m in meetings]), Rsvp.contact_id.in_(list(joined))
            )
        )
    }
    came = attendance.attended_counts(session, [m.id for m in meetings])
    there = attendance.attendees(session, [m.id for m in meetings])
    out = []
    for m in meetings:
        meeting = plans.Meeting(m.id, m.seq, m.starts_at, m.status, m.ends_at)
        theirs = [
            c for c, at in joined.items() if plans.in_time(at, meeting) or (m.id, c) in answered or (m.id, c) in there
        ]
        said = [answered.get((m.id, c)) for c in theirs]
        yes, no = said.count("yes"), said.count("no")
        out.append(
            MeetingRsvps(m.seq, m.starts_at, m.status, yes, no, len(theirs) - yes - no, came.get(m.id, 0), len(theirs))
        )
    return out


def enrolled(session: Session, circle: Circle) -> int:
    """How many learners are in the circle now (the scale of every per-meeting bar: 100% is all of them)."""
    return (
        session.scalar(
            select(func.count()).where(Enrollment.circle_id == circle.id, Enrollment.status == EnrollmentStatus.ACTIVE)
        )
        or 0
    )


def checkins(session: Session, circle: Circle, now: datetime) -> list[tuple[int, dict[str, int]]]:
    """Per meeting held (or answered about): great, okay and stuck to the next-day check-in, and ``none``:
    the learners it was about (active now, in the circle before it ended) who have not answered. A week
    nobody answered is still listed, all "no reply", rather than left out."""
    active = dict(
        session.execute(
            select(Enrollment.id, Enrollment.created_at).where(
                Enrollment.circle_id == circle.id, Enrollment.status == EnrollmentStatus.ACTIVE
            )
        ).all()
    )
    said: dict[tuple[int, int], str] = {}
    for subject, key, value in session.execute(
        select(Answer.subject, Answer.question_key, Answer.value).where(
            Answer.circle_id == circle.id, Answer.subject.like("enrollment:%"), Answer.question_key.like("checkin:%")
        )
    ):
        seq, whose = key.split(":", 1)[1], subject.split(":", 1)[1]
        if seq.isdecimal() and whose.isdecimal() and value in CHECKIN_VALUES:
            said[(int(seq), int(whose))] = value
    out = []
    for m in session.scalars(select(Meeting).where(Meeting.circle_id == circle.id).order_by(Meeting.seq)):
        answered = {e: v for (seq, e), v in said.items() if seq == m.seq}
        held = m.status != MeetingStatus.CANCELLED and m.starts_at <= now
        if not held and not answered:
            continue
        meeting = plans.Meeting(m.id, m.seq, m.starts_at, m.status, m.ends_at)
        theirs = {e for e, at in active.items() if plans.in_time(at, meeting)} | (set(answered) & set(active))
        counts = {v: 0 for v in CHECKIN_VALUES}
        for value in answered.values():
            counts[value] += 1
        counts["none"] = len(theirs - set(answered))
        out.append((m.seq, counts))
    return out


@dataclass(frozen=True)
class QuestionResult:
    """The learners' answers to one survey question: counts per value for a scale, texts for free text."""

    key: str
    kind: str
    text_key: str
    counts: list[tuple[str, int]]
    texts: list[str]
    answered: int


def survey(session: Session, circle: Circle) -> list[QuestionResult]:
    """The end-of-circle learner survey, question by question (skipped answers are not counted)."""
    values: dict[str, list[str]] = {}
    for key, value in session.execute(
        select(Answer.question_key, Answer.value)
        .where(
            Answer.circle_id == circle.id,
            Answer.subject.like("enrollment:%"),
            Answer.question_key.like("learner:%"),
            Answer.value.is_not(None),
        )
        .order_by(Answer.id)
    ):
        if value is not None:  # the query leaves skipped answers out; the column's type cannot say so
            values.setdefault(key.split(":", 1)[1], []).append(value)
    out = []
    for q in surveys.LEARNER.questions:
        given = values.get(q.key, [])
        if q.kind == surveys.TEXT:
            out.append(QuestionResult(q.key, q.kind, q.text, [], given, len(given)))
            continue
        scale = [c.value for c in q.choices.items] if q.choices else sorted(set(given))
        out.append(QuestionResult(q.key, q.kind, q.text, [(v, given.count(v)) for v in scale], [], len(given)))
    return out
