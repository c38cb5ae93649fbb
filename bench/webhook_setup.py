"""bench/webhook.py's set-up (not timed): learners enrolled through the signed webhook, their reminders
planned and marked sent, and the national network grown in bulk SQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from sqlalchemy import func, insert, select, text, update

from bench._common import sms_addresses
from bench.webhook_load import learner, post, signed

PER_CIRCLE = 12


def enroll(port: int, codes: list[str], learners: int) -> int:
    """JOIN, name and language for every learner through the signed webhook; returns the non-2xx count."""
    names = ("Amina", "Ben", "Chidi", "Dana", "Eva", "Femi", "Gus", "Hana", "Ivo", "Jo", "Kim", "Lea")

    def signup(i: int) -> int:
        phone, bad = learner(i), 0
        for body in (f"JOIN {codes[i // PER_CIRCLE]}", names[i % len(names)], "1"):
            bad += not 200 <= post(port, *signed(body, phone)) < 300
        return bad

    with ThreadPoolExecutor(max_workers=8) as pool:
        return sum(pool.map(signup, range(learners)))


def remind(uow) -> tuple[int, int]:
    """Plans every learner's reminder for the first meeting (as the worker's tick would a day before it)
    and marks them sent now, so that ``1``/``2``/``YES``/``NO`` answer one; returns (enrolled, reminders).

    The circles start in three days, beyond the planning horizon, so set-up plans them as of the moment
    they fall due (``bot.domain.planning.reminders.plan`` with that ``now``).
    """
    from bot.domain.planning import reminders
    from bot.settings import Settings
    from bot.store.models import Meeting, Outbox

    settings = Settings.from_env(overrides={"QUIET_HOURS": ""})
    with uow() as session:
        first = session.scalar(select(func.min(Meeting.starts_at)))
        planned = reminders.plan(session, settings, first - settings.reminder_lead)
        session.execute(update(Outbox).where(Outbox.kind == "reminder").values(status="sent", sent_at=func.now()))
        enrolled = session.scalar(text("SELECT count(*) FROM enrollment WHERE status = 'active'"))
        session.commit()
    if len(planned) < enrolled:
        raise SystemExit(f"bench: {len(planned)} reminders planned for {enrolled} learners; RSVPs would not be RSVPs")
    return enrolled, len(planned)


def grow(uow, circles: int, learners: int) -> int:
    """Adds circles (from ``⌈learners/12⌉`` up to ``circles``) of 12 learners each in bulk SQL, each learner as the
    signup leaves them (a name, English, a consented preferred SMS address, an active place, their ``#N`` with the
    facilitator); then plans every reminder for their first meeting and marks it sent. Returns the learners
    there are now."""
    from bot.domain.planning import reminders
    from bot.settings import Settings
    from bot.store.models import Address, Circle, Contact, Enrollment, Meeting, Outbox, RelayHandle
    from tests.helpers import make_circle

    first = -(-learners // PER_CIRCLE)
    now = datetime.now(timezone.utc)
    ids = [
        make_circle(uow, code=f"W{i:03d}", capacity=PER_CIRCLE, facilitator=f"+1816555{i:04d}")
        for i in range(first, circles)
    ]
    with uow() as session:
        total = learners
        for circle_id in ids:
            people = [learner(total + k) for k in range(PER_CIRCLE)]
            total += PER_CIRCLE
            contact_ids = session.scalars(
                insert(Contact).returning(Contact.id, sort_by_parameter_order=True),
                [{"name": f"L{phone[-4:]}", "language": "en", "created_at": now} for phone in people],
            ).all()
            session.execute(insert(Address), sms_addresses(contact_ids, people, now))
            session.execute(
                insert(Enrollment),
                [{"contact_id": c, "circle_id": circle_id, "status": "active", "created_at": now} for c in contact_ids],
            )
            facilitator = session.scalar(select(Circle.facilitator_id).where(Circle.id == circle_id))
            session.execute(  # each learner's #N with the facilitator, made at enrollment since issue 24
                insert(RelayHandle),
                [
                    {"facilitator_id": facilitator, "contact_id": c, "number": n, "created_at": now}
                    for n, c in enumerate(contact_ids, start=1)
                ],
            )
        settings = Settings.from_env(overrides={"QUIET_HOURS": ""})
        due = session.scalar(select(func.min(Meeting.starts_at)))
        reminders.plan(session, settings, due - settings.reminder_lead)
        session.execute(
            update(Outbox)
            .where(Outbox.kind == "reminder", Outbox.status != "sent")
            .values(status="sent", sent_at=func.now())
        )
        session.commit()
    return total


def analyze(engine) -> None:
    """``VACUUM ANALYZE`` after the bulk load, as an operator would after an import: without it, autovacuum
    catches up during the timed phase (its CPU counted as PostgreSQL's) and the plans cached in the web's
    connections keep the small database's statistics until it has."""
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
