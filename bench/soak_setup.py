"""bench/soak.py's set-up (not timed): circles of learners, a meeting 12 h ahead whose reminder the RSVP
learners have had, and an open learner survey for the survey learners."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

TZ = "America/Chicago"


def learner_phone(i: int) -> str:
    return f"+1816{4000000 + i:07d}"


def facilitator_phone(c: int) -> str:
    return f"+1913{5550000 + c:07d}"


def set_up(rt, circles: int, per_circle: int, survey_share: float) -> dict:
    """Circles, learners, sent reminders for the RSVP learners; returns who is who."""
    from sqlalchemy import insert, select, update

    from bench._common import sms_addresses
    from bot.domain import outbox
    from bot.domain.circles import NewCircle, create_circle
    from bot.store.models import Address, Contact, Enrollment, Meeting, Outbox

    now = datetime.now(timezone.utc)
    learners, survey_pool, enrollment_of, code_of = [], [], {}, {}
    with rt.uow() as session:
        for c in range(circles):
            code = f"SK{c:03d}"
            circle = create_circle(
                session,
                NewCircle(
                    name=f"Soak circle {c}",
                    venue="Central Library",
                    weekday=1,
                    start_time=datetime.min.time(),
                    timezone=TZ,
                    starts=now.date() + timedelta(days=3),
                    weeks=6,
                    language="en",
                    facilitator_phone=facilitator_phone(c),
                    capacity=per_circle,
                    code=code,
                ),
                now,
            )
            session.flush()
            meeting_id = session.scalar(select(Meeting.id).where(Meeting.circle_id == circle.id, Meeting.seq == 1))
            session.execute(
                update(Meeting)
                .where(Meeting.id == meeting_id)
                .values(starts_at=now + timedelta(hours=12), ends_at=now + timedelta(hours=14))
            )
            phones = [learner_phone(c * per_circle + n) for n in range(per_circle)]
            ids = session.scalars(
                insert(Contact).returning(Contact.id),
                [{"created_at": now, "name": f"Soak{n}", "language": "en"} for n in range(per_circle)],
            ).all()
            session.execute(insert(Address), sms_addresses(ids, phones, now))
            enrollments = session.scalars(
                insert(Enrollment).returning(Enrollment.id),
                [{"contact_id": cid, "circle_id": circle.id, "status": "active", "created_at": now} for cid in ids],
            ).all()
            surveyed = int(round(per_circle * survey_share))
            reminded = []  # everyone had the reminder (so the worker plans none); survey learners opened
            for n, (cid, phone, eid) in enumerate(zip(ids, phones, enrollments, strict=True)):  # a survey since
                code_of[phone] = code
                reminded.append((cid, phone))
                if n < surveyed:
                    survey_pool.append(phone)
                    enrollment_of[phone] = (cid, eid)
                else:
                    learners.append(phone)
            session.execute(
                insert(Outbox),
                [
                    {
                        "dedupe_key": f"soak-reminder:{meeting_id}:{cid}",
                        "kind": "reminder",
                        "contact_id": cid,
                        "meeting_id": meeting_id,
                        "channel": "sms",
                        "address": phone,
                        "body": "(set-up)",
                        "send_after": now - timedelta(minutes=5),
                        "status": outbox.SENT,
                        "attempts": 1,
                        "provider_id": f"SMsetup{cid}",
                        "sent_at": now - timedelta(minutes=4),
                        "created_at": now,
                    }
                    for cid, phone in reminded
                ],
            )
        session.commit()
    return {"rsvp": learners, "survey": survey_pool, "enrollment_of": enrollment_of, "code_of": code_of}


def open_surveys(rt, people: dict) -> None:
    """An open learner survey for each survey learner (newer than any reminder)."""
    from sqlalchemy import insert

    from bot.store.models import Conversation
    from flows import survey

    now = datetime.now(timezone.utc)
    with rt.uow() as session:
        session.execute(
            insert(Conversation),
            [
                {
                    "contact_id": cid,
                    "flow": "survey",
                    "updated_at": now,
                    "expires_at": now + timedelta(days=14),
                    "state": survey.opening("learner", f"enrollment:{eid}", people["code_of"][phone]),
                }
                for phone, (cid, eid) in people["enrollment_of"].items()
            ],
        )
        session.commit()
