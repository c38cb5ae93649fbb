"""Planning reminders and facilitator tallies into the outbox, in bulk and exactly once.

``plan`` is run every minute by the worker's tick (and right after an enrollment or a meeting
change). It reads every (meeting, learner) pair whose reminder falls due within ``horizon``,
renders each reminder once per (meeting, language), and inserts the rows with
``ON CONFLICT DO NOTHING`` on their dedupe key: one SELECT and one INSERT per 5,000 rows, however
many circles there are. Pairs that already have a live reminder row are skipped in the SELECT, so
a tick after everything is planned costs one query. Only the rows it really inserted come back.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot import i18n
from bot.audience import REACHABLE
from bot.models import Circle, Contact, Enrollment, Facilitator, Meeting, Outbox
from bot.schedule import QuietHours, reminder_time
from flows import keys
from flows.results import Reply, When

PLAN_HORIZON = timedelta(hours=2)
QUIET_SHIFT_MAX = timedelta(hours=14)
TALLY_BEFORE = timedelta(hours=2)
CHUNK = 5000


@dataclass(frozen=True)
class Planned:
    """An outbox row that was just created and must be queued."""

    row_id: int
    send_after: datetime
    attempts: int = 0


def reminder_key(meeting_id: int, contact_id: int, starts_at: datetime) -> str:
    """The dedupe key of one reminder: per meeting, learner and meeting time (a move re-reminds)."""
    return f"reminder:{meeting_id}:{contact_id}:{starts_at:%Y%m%dT%H%MZ}"


def plan(session: Session, settings, now: datetime, horizon: timedelta = PLAN_HORIZON,
         contact_id: int | None = None, meeting_id: int | None = None) -> list[Planned]:
    """Creates the reminder and tally rows due before ``now + horizon``; returns the new ones."""
    lead = settings.reminder_lead
    quiet = QuietHours.parse(settings.quiet_hours)
    latest = now + max(lead, TALLY_BEFORE) + horizon + QUIET_SHIFT_MAX
    query = (
        select(Meeting.id, Meeting.starts_at, Circle.name, Circle.venue, Circle.timezone, Circle.language,
               Contact.id, Contact.phone, Contact.language)
        .join(Circle, Circle.id == Meeting.circle_id)
        .join(Enrollment, and_(Enrollment.circle_id == Circle.id, Enrollment.status == "active"))
        .join(Contact, Contact.id == Enrollment.contact_id)
        .where(Meeting.status != "cancelled", Meeting.starts_at > now, Meeting.starts_at <= latest,
               *REACHABLE,
               ~exists().where(Outbox.meeting_id == Meeting.id, Outbox.contact_id == Contact.id,
                               Outbox.kind == "reminder", Outbox.status != "cancelled"))
    )
    if contact_id is not None:
        query = query.where(Contact.id == contact_id)
    if meeting_id is not None:
        query = query.where(Meeting.id == meeting_id)
    bodies: dict[tuple[int, str], str] = {}
    rows = []
    for m_id, starts, name, venue, tz, circle_lang, c_id, phone, lang in session.execute(query):
        send_after = reminder_time(starts, lead, quiet, tz, now)
        if send_after is None or send_after > now + horizon:
            continue
        lang = i18n.pick(lang or circle_lang)
        body = bodies.get((m_id, lang))
        if body is None:
            params = {"circle": name, "venue": venue, "when": When(starts, tz)}
            body = bodies[(m_id, lang)] = i18n.render(Reply(keys.REMINDER, params), lang)
        rows.append({"dedupe_key": reminder_key(m_id, c_id, starts), "kind": "reminder", "channel": "sms",
                     "address": phone, "body": body, "send_after": send_after, "status": "pending",
                     "attempts": 0, "contact_id": c_id, "meeting_id": m_id, "created_at": now})
    if contact_id is None:
        rows.extend(_tally_rows(session, now, horizon, meeting_id))
    return insert_new(session, rows)


def _tally_rows(session: Session, now: datetime, horizon: timedelta, meeting_id: int | None) -> list[dict]:
    query = (
        select(Meeting.id, Meeting.starts_at, Facilitator.phone)
        .join(Circle, Circle.id == Meeting.circle_id).join(Facilitator, Facilitator.id == Circle.facilitator_id)
        .where(Meeting.status != "cancelled", Meeting.starts_at > now,
               Meeting.starts_at <= now + TALLY_BEFORE + horizon, Facilitator.phone.is_not(None))
    )
    if meeting_id is not None:
        query = query.where(Meeting.id == meeting_id)
    return [
        {"dedupe_key": f"tally:{m_id}:{starts:%Y%m%dT%H%MZ}", "kind": "tally", "channel": "sms", "address": phone,
         "body": "", "send_after": max(starts - TALLY_BEFORE, now), "status": "pending", "attempts": 0,
         "contact_id": None, "meeting_id": m_id, "created_at": now}
        for m_id, starts, phone in session.execute(query)
    ]


def insert_new(session: Session, rows: list[dict]) -> list[Planned]:
    """Inserts outbox rows whose dedupe key is new, in chunks; returns the inserted ones."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    planned = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        statement = (insert(Outbox).on_conflict_do_nothing(index_elements=["dedupe_key"])
                     .returning(Outbox.id, Outbox.send_after))
        planned.extend(Planned(row_id, at) for row_id, at in session.execute(statement, chunk))
    return planned
