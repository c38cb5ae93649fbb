"""0020_state on a filled database (SQLite and PostgreSQL): every contact starts at version 0, their open
conversations stay, and the one-statement lock and load reads them (issue 31)."""

from __future__ import annotations

from datetime import datetime, timezone

from alembic import command
from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.inbound import load
from bot.store.migrate import alembic_config, upgrade
from tests.integration.test_migration_upgrade import NOW, _engine, old_database  # noqa: F401 - the fixture

LATER = "2099-01-01 12:00:00"


def test_0020_keeps_conversations_and_starts_every_contact_at_version_0(old_database):  # noqa: F811
    command.upgrade(alembic_config(old_database), "0015_wa")
    engine = _engine(old_database)
    with engine.begin() as conn:  # a filled database as 0015 left it: contacts, addresses, conversations
        conn.execute(
            text(
                "INSERT INTO circle (id, code, phone_code, name, venue, language, timezone, capacity, weekday,"
                " start_time, starts_on, weeks, created_at) VALUES (1, 'KC42', '4242', 'Basics', 'Library', 'en',"
                " 'America/Chicago', 12, 1, '18:00:00', '2026-12-01', 6, :now)"
            ),
            {"now": NOW},
        )
        for n in range(40):
            conn.execute(
                text("INSERT INTO contact (id, name, language, created_at) VALUES (:id, :name, 'es', :now)"),
                {"id": 100 + n, "name": f"L{n}", "now": NOW},
            )
            conn.execute(
                text(
                    "INSERT INTO address (contact_id, channel, value, preferred, created_at)"
                    " VALUES (:id, 'sms', :value, TRUE, :now)"
                ),
                {"id": 100 + n, "value": f"+1816555{1000 + n}", "now": NOW},
            )
            conn.execute(
                text(
                    "INSERT INTO enrollment (contact_id, circle_id, status, created_at) VALUES (:id, 1, 'active', :now)"
                ),
                {"id": 100 + n, "now": NOW},
            )
            if n % 2 == 0:
                conn.execute(
                    text(
                        "INSERT INTO conversation (contact_id, flow, state, expires_at, updated_at)"
                        " VALUES (:id, 'survey', :state, :later, :now)"
                    ),
                    {
                        "id": 100 + n,
                        "state": '{"flow": "survey", "code": "KC42", "q": "pace"}',
                        "later": LATER,
                        "now": NOW,
                    },
                )
    engine.dispose()
    upgrade(old_database)
    engine = _engine(old_database)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM contact WHERE version = 0")).scalar() == 40
        assert conn.execute(text("SELECT count(*) FROM conversation")).scalar() == 20
    now = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
    with Session(engine) as session:
        found = load.lock_and_load(session, "sms", "+18165551000", "SMmigrated", set(), now)
        assert found is not None and found.contact.id == 100 and found.contact.version == 0
        assert found.loaded.conversation is not None and found.loaded.conversation.state["q"] == "pace"
        assert found.loaded.contact_view.enrollments[0].circle.code == "KC42" and not found.stale
        other = load.lock_and_load(session, "sms", "+18165551001", "SMmigrated2", set(), now)
        assert other is not None and other.loaded.conversation is None
        session.rollback()
    engine.dispose()
    command.downgrade(alembic_config(old_database), "0015_wa")
    engine = _engine(old_database)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM conversation")).scalar() == 20

    engine.dispose()
