"""Migrations that carry data: 0005 moves a phone-number-only database to addresses; 0011 renames a consent source."""

from __future__ import annotations

import os

import pytest
from alembic import command
from sqlalchemy import create_engine, select, text

from bot.store.migrate import alembic_config, upgrade
from bot.store.models import Address, Contact, Facilitator, Outbox
from tests.conftest import DEFAULT_POSTGRES, _drop_postgres, _fresh_postgres

NOW = "2026-11-20 12:00:00"


@pytest.fixture(params=["sqlite", "postgres"])
def old_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/old.sqlite3"
        return
    url = _fresh_postgres(os.environ.get("CIRCLEBOT_TEST_POSTGRES", DEFAULT_POSTGRES) + "_upgrade")
    yield url
    _drop_postgres(url)


def _engine(url):
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))


def test_upgrade_carries_contacts_facilitators_and_outbox_rows(old_database):
    command.upgrade(alembic_config(old_database), "0004")
    engine = _engine(old_database)
    with engine.begin() as conn:  # rows as the previous version's flows left them
        conn.execute(text(f"INSERT INTO facilitator (id, phone, created_at) VALUES (1, '+18165550100', '{NOW}')"))
        conn.execute(
            text(
                "INSERT INTO circle (id, code, phone_code, name, venue, language, timezone, capacity, weekday,"
                f" start_time, starts_on, weeks, facilitator_id, created_at) VALUES (1, 'KC42', '4242', 'Basics',"
                f" 'Library', 'en', 'America/Chicago', 12, 1, '18:00:00', '2026-12-01', 6, 1, '{NOW}')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO contact (id, phone, name, language, consent_at, consent_channel, opted_out_at, created_at)"
                f" VALUES (10, '+18165550123', 'Amina', 'es', '{NOW}', 'whatsapp', NULL, '{NOW}'),"
                f" (11, '+18165550124', 'Ben', 'en', '{NOW}', 'sms', '{NOW}', '{NOW}')"
            )
        )
        conn.execute(
            text("INSERT INTO contact (id, telegram_chat_id, name, created_at) VALUES (12, '900100', 'Tele', :now)"),
            {"now": NOW},
        )
        conn.execute(
            text(
                "INSERT INTO outbox (id, dedupe_key, kind, contact_id, channel, address, body, send_after, status,"
                f" attempts, created_at) VALUES (5, 'joined:1:active', 'notice', NULL, 'sms', '+18165550100',"
                f" 'Amina joined Basics.', '{NOW}', 'pending', 0, '{NOW}')"
            )
        )
    engine.dispose()
    upgrade(old_database)
    engine = _engine(old_database)
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        addresses = {(a.contact_id, a.channel, a.value): a for a in session.scalars(select(Address))}
        amina = addresses[(10, "whatsapp", "+18165550123")]
        assert amina.preferred and amina.consent_source == "whatsapp" and amina.opted_out_at is None
        ben = addresses[(11, "sms", "+18165550124")]
        assert ben.preferred and ben.opted_out_at is not None
        assert addresses[(12, "telegram", "900100")].preferred
        facilitator = session.get(Facilitator, 1)
        assert facilitator.contact_id is not None
        fac_address = session.scalar(select(Address).where(Address.contact_id == facilitator.contact_id))
        assert (fac_address.channel, fac_address.value, fac_address.preferred) == ("sms", "+18165550100", True)
        row = session.get(Outbox, 5)
        assert row.address_id == fac_address.id and row.body == "Amina joined Basics." and row.replies is None
        assert session.get(Contact, 10).name == "Amina"
    engine.dispose()
    command.downgrade(alembic_config(old_database), "0004")  # and back down, keeping the phones
    engine = _engine(old_database)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT phone FROM contact WHERE id = 10")).scalar() == "+18165550123"
        assert conn.execute(text("SELECT phone FROM facilitator WHERE id = 1")).scalar() == "+18165550100"
    engine.dispose()


def test_0011_stores_a_landline_added_by_the_facilitator_as_added_by_facilitator(old_database):
    command.upgrade(alembic_config(old_database), "0010_outbox_batch")
    engine = _engine(old_database)
    addresses = [  # (id, contact, channel, value, consent source) as the previous version wrote them
        (1, 20, "voice", "+18165550131", "facilitator"),  # a landline learner the facilitator added
        (2, 21, "sms", "+18165550100", "facilitator"),  # a facilitator's own number
        (3, 22, "sms", "+18165550130", "added_by_facilitator"),  # a learner added on paper, by texts
        (4, 22, "voice", "+18165550130", "call me"),
    ]
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO contact (id, created_at) VALUES (20, '{NOW}'), (21, '{NOW}'), (22, '{NOW}')"))
        for row in addresses:
            conn.execute(
                text(
                    "INSERT INTO address (id, contact_id, channel, value, preferred, consent_at, consent_source,"
                    " created_at) VALUES (:id, :contact, :channel, :value, TRUE, :now, :source, :now)"
                ),
                dict(zip(("id", "contact", "channel", "value", "source"), row, strict=True), now=NOW),
            )
    engine.dispose()

    def sources() -> dict:
        engine = _engine(old_database)
        with engine.connect() as conn:
            found = dict(conn.execute(text("SELECT id, consent_source FROM address")).all())
        engine.dispose()
        return found

    upgrade(old_database)
    assert sources() == {1: "added_by_facilitator", 2: "facilitator", 3: "added_by_facilitator", 4: "call me"}
    command.downgrade(alembic_config(old_database), "0010_outbox_batch")
    assert sources() == {row[0]: row[4] for row in addresses}


def test_0012_names_the_facilitator_who_wrote_each_relay_sent_by_text(old_database):
    command.upgrade(alembic_config(old_database), "0011_added_by_facilitator")
    engine = _engine(old_database)
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO contact (id, created_at) VALUES (30, '{NOW}'), (31, '{NOW}'), (32, '{NOW}')"))
        conn.execute(
            text(
                "INSERT INTO message (id, direction, channel, provider_id, contact_id, address, body, segments, status,"
                " created_at) VALUES (1, 'in', 'sms', 'SM1', 31, '+18165550100', '#1 See you', 1, 'handled', :now),"
                " (2, 'in', 'sms', 'SM2', 30, '+18165550123', 'Hi', 1, 'handled', :now)"
            ),
            {"now": NOW},
        )
        rows = [  # (id, key, to, about) as the previous version wrote them
            (1, "relay:sms:SM1", 30, None),  # facilitator 31's answer to learner 30, by text
            (2, "relay:sms:SM2", 31, 30),  # learner 30's message to facilitator 31
            (3, "pagerelay:20261120T120000000000:30", 30, None),  # typed on the page: no writer known
        ]
        for row_id, key, to, about in rows:
            conn.execute(
                text(
                    "INSERT INTO outbox (id, dedupe_key, kind, contact_id, about_contact_id, channel, address,"
                    " send_after, status, attempts, created_at)"
                    " VALUES (:id, :key, 'relay', :to, :about, 'sms', '+1', :now, 'sent', 1, :now)"
                ),
                {"id": row_id, "key": key, "to": to, "about": about, "now": NOW},
            )
    engine.dispose()
    upgrade(old_database)
    engine = _engine(old_database)
    with engine.connect() as conn:
        found = dict(conn.execute(text("SELECT id, about_contact_id FROM outbox")).all())
    engine.dispose()
    assert found == {1: 31, 2: 30, 3: None}
    command.downgrade(alembic_config(old_database), "0011_added_by_facilitator")


def test_0021_numbers_every_current_learner_for_their_circle_s_facilitator(old_database):
    """One numbering (issue 24): learners enrolled before it get the next ``#N`` in enrollment order, a learner
    who already has one keeps it, and one who left gets none."""
    command.upgrade(alembic_config(old_database), "0015_wa")
    engine = _engine(old_database)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO contact (id, created_at) VALUES (1, :now), (2, :now), (3, :now), (4, :now)"), {"now": NOW}
        )
        conn.execute(text("INSERT INTO facilitator (id, contact_id, created_at) VALUES (1, 1, :now)"), {"now": NOW})
        conn.execute(
            text(
                "INSERT INTO circle (id, code, phone_code, name, venue, language, timezone, capacity, weekday,"
                " start_time, starts_on, weeks, facilitator_id, created_at) VALUES (1, 'KC42', '4242', 'Basics',"
                " 'Library', 'en', 'America/Chicago', 12, 1, '18:00:00', '2026-12-01', 6, 1, :now)"
            ),
            {"now": NOW},
        )
        for enrollment_id, contact_id, status, at in (
            (1, 2, "active", "2026-11-02"),
            (2, 3, "left", "2026-11-01"),
            (3, 4, "waitlist", "2026-11-03"),
        ):
            conn.execute(
                text(
                    "INSERT INTO enrollment (id, contact_id, circle_id, status, created_at)"
                    " VALUES (:id, :contact, 1, :status, :at)"
                ),
                {"id": enrollment_id, "contact": contact_id, "status": status, "at": at + " 12:00:00"},
            )
        conn.execute(
            text("INSERT INTO relay_handle (facilitator_id, contact_id, number, created_at) VALUES (1, 4, 1, :now)"),
            {"now": NOW},
        )
    engine.dispose()
    upgrade(old_database)
    engine = _engine(old_database)
    with engine.connect() as conn:
        numbers = dict(conn.execute(text("SELECT contact_id, number FROM relay_handle")).all())
        assert conn.execute(text("SELECT count(*) FROM sent_message")).scalar() == 0
    engine.dispose()
    assert numbers == {4: 1, 2: 2}  # #1 kept; the active learner gets #2; who left gets none
    command.downgrade(alembic_config(old_database), "0015_wa")
