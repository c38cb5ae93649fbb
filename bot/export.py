"""``circlebot export CODE --format csv``: one row per learner, then the facilitator's answers."""
from __future__ import annotations

import csv
import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import Address, Answer, Circle, Contact, Enrollment, Meeting, Rsvp
from bot.phone import mask
from flows import surveys


def circle_csv(session: Session, circle: Circle) -> str:
    """The CSV text: learners (masked contact, RSVPs, check-ins, survey answers by key), then a
    blank line and the facilitator's answers (question key, value)."""
    meetings = session.scalars(select(Meeting).where(Meeting.circle_id == circle.id).order_by(Meeting.seq)).all()
    learners = session.execute(
        select(Enrollment, Contact).join(Contact, Contact.id == Enrollment.contact_id)
        .where(Enrollment.circle_id == circle.id).order_by(Enrollment.id)).all()
    rsvps = {(r.contact_id, r.meeting_id): r.answer for r in session.scalars(
        select(Rsvp).where(Rsvp.meeting_id.in_([m.id for m in meetings])))}
    answers: dict[str, dict[str, str | None]] = {}
    for answer in session.scalars(select(Answer).where(Answer.circle_id == circle.id)):
        answers.setdefault(answer.subject, {})[answer.question_key] = answer.value
    survey_keys = [f"learner:{q.key}" for q in surveys.LEARNER.questions]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["learner", "status"] + [f"rsvp_{m.seq}" for m in meetings]
                    + [f"attended_{m.seq}" for m in meetings] + [f"checkin_{m.seq}" for m in meetings] + survey_keys)
    for enrollment, contact in learners:
        mine = answers.get(f"enrollment:{enrollment.id}", {})
        who = "erased" if contact.erased_at else mask(session.scalar(
            select(Address.value).where(Address.contact_id == contact.id).order_by(Address.id).limit(1)))
        writer.writerow([who, enrollment.status] + [rsvps.get((contact.id, m.id), "") for m in meetings]
                        + ["" for _ in meetings] + [mine.get(f"checkin:{m.seq}") or "" for m in meetings]
                        + [_cell(mine.get(k)) for k in survey_keys])
    writer.writerow([])
    writer.writerow(["facilitator question", "answer"])
    for subject, values in sorted(answers.items()):
        if subject.startswith("facilitator:"):
            for key, value in sorted(values.items()):
                writer.writerow([key, _cell(value)])
    return out.getvalue()


def _cell(value: str | None) -> str:
    return "" if value is None else value
