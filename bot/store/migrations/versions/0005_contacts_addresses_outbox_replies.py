"""people with several addresses; facilitators are contacts; the outbox stores replies, not text

Revision ID: 0005
Revises: 0004

Waitlisted enrollments get ``offered_at`` (a freed place offered to them). Every contact's phone
becomes an address (``whatsapp`` when they consented on WhatsApp, else ``sms``) and its Telegram
chat another; consent and opt-out move onto the address, and the phone one is preferred. Every
facilitator becomes (or joins) the contact with their phone. Outbox rows get the address they go to;
rows planned before this keep their rendered ``body`` and are sent as they are.
"""

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "address",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("preferred", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consent_source", sa.String(length=24), nullable=True),
        sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "value"),
    )
    with op.batch_alter_table("address", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_address_contact_id"), ["contact_id"], unique=False)

    conn = op.get_bind()
    conn.execute(
        sa.text(
            "INSERT INTO address (contact_id, channel, value, preferred, consent_at, consent_source, opted_out_at,"
            " created_at) SELECT id, CASE WHEN consent_channel = 'whatsapp' THEN 'whatsapp' ELSE 'sms' END, phone,"
            " TRUE, consent_at, consent_channel, opted_out_at, created_at FROM contact WHERE phone IS NOT NULL"
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO address (contact_id, channel, value, preferred, consent_at, consent_source, opted_out_at,"
            " created_at) SELECT id, 'telegram', telegram_chat_id, phone IS NULL, consent_at, consent_channel,"
            " opted_out_at, created_at FROM contact WHERE telegram_chat_id IS NOT NULL"
        )
    )

    with op.batch_alter_table("facilitator", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_id", sa.Integer(), nullable=True))
    now = datetime.now(timezone.utc)
    for fac_id, phone, created in conn.execute(
        sa.text("SELECT id, phone, created_at FROM facilitator WHERE phone IS NOT NULL")
    ).all():
        contact_id = conn.execute(
            sa.text("SELECT MIN(contact_id) FROM address WHERE value = :v"), {"v": phone}
        ).scalar()
        if contact_id is None:
            contact_id = conn.execute(
                sa.text("INSERT INTO contact (created_at) VALUES (:c) RETURNING id"), {"c": created or now}
            ).scalar()
            conn.execute(
                sa.text(
                    "INSERT INTO address"
                    " (contact_id, channel, value, preferred, consent_at, consent_source, created_at)"
                    " VALUES (:c, 'sms', :v, TRUE, :t, 'facilitator', :t)"
                ),
                {"c": contact_id, "v": phone, "t": created or now},
            )
        conn.execute(sa.text("UPDATE facilitator SET contact_id = :c WHERE id = :f"), {"c": contact_id, "f": fac_id})
    with op.batch_alter_table("facilitator", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_facilitator_contact_id", ["contact_id"])
        batch_op.create_foreign_key("fk_facilitator_contact_id", "contact", ["contact_id"], ["id"])
        batch_op.drop_column("phone")
        batch_op.drop_column("telegram_chat_id")

    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))
        batch_op.drop_column("phone")
        batch_op.drop_column("telegram_chat_id")
        batch_op.drop_column("consent_at")
        batch_op.drop_column("consent_channel")
        batch_op.drop_column("opted_out_at")

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("replies", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))
        batch_op.alter_column("body", existing_type=sa.Text(), nullable=True)
        batch_op.create_index(batch_op.f("ix_outbox_address_id"), ["address_id"], unique=False)
        batch_op.create_foreign_key("fk_outbox_address_id", "address", ["address_id"], ["id"])
    conn.execute(
        sa.text("UPDATE outbox SET address_id = (SELECT MIN(a.id) FROM address a WHERE a.value = outbox.address)")
    )
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.drop_column("offered_at")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint("fk_outbox_address_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outbox_address_id"))
        batch_op.drop_column("timezone")
        batch_op.drop_column("language")
        batch_op.drop_column("replies")
        batch_op.drop_column("address_id")
    conn.execute(sa.text("UPDATE outbox SET body = '' WHERE body IS NULL"))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("body", existing_type=sa.Text(), nullable=False)

    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("consent_channel", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("telegram_chat_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(length=20), nullable=True))
        batch_op.drop_column("timezone")
    conn.execute(
        sa.text(
            "UPDATE contact SET phone = (SELECT MIN(a.value) FROM address a WHERE a.contact_id = contact.id"
            " AND a.channel IN ('sms', 'whatsapp', 'voice')),"
            " telegram_chat_id = (SELECT MIN(a.value) FROM address a WHERE a.contact_id = contact.id"
            " AND a.channel = 'telegram'),"
            " consent_at = (SELECT MIN(a.consent_at) FROM address a WHERE a.contact_id = contact.id),"
            " consent_channel = (SELECT MIN(a.channel) FROM address a WHERE a.contact_id = contact.id"
            " AND a.preferred),"
            " opted_out_at = (SELECT MIN(a.opted_out_at) FROM address a WHERE a.contact_id = contact.id"
            " AND a.preferred)"
        )
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_contact_phone", ["phone"])
        batch_op.create_unique_constraint("uq_contact_telegram_chat_id", ["telegram_chat_id"])

    with op.batch_alter_table("facilitator", schema=None) as batch_op:
        batch_op.add_column(sa.Column("telegram_chat_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(length=20), nullable=True))
    conn.execute(
        sa.text("UPDATE facilitator SET phone = (SELECT c.phone FROM contact c WHERE c.id = facilitator.contact_id)")
    )
    with op.batch_alter_table("facilitator", schema=None) as batch_op:
        batch_op.drop_constraint("fk_facilitator_contact_id", type_="foreignkey")
        batch_op.drop_constraint("uq_facilitator_contact_id", type_="unique")
        batch_op.drop_column("contact_id")
        batch_op.create_unique_constraint("uq_facilitator_phone", ["phone"])
        batch_op.create_unique_constraint("uq_facilitator_telegram_chat_id", ["telegram_chat_id"])

    with op.batch_alter_table("address", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_address_contact_id"))
    op.drop_table("address")
