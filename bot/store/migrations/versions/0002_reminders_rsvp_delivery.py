"""reminders rsvp delivery

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 21:08:13.617500
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error_code", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider_id", "status"),
    )
    op.create_table(
        "rsvp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "contact_id"),
    )
    with op.batch_alter_table("rsvp", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rsvp_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rsvp_meeting_id"), ["meeting_id"], unique=False)

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), server_default="notice", nullable=False))
        batch_op.add_column(sa.Column("contact_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("meeting_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("delivery_status", sa.String(length=16), nullable=True))
        batch_op.create_index("ix_outbox_contact_kind_sent", ["contact_id", "kind", "sent_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_foreign_key("fk_outbox_meeting_id_meeting", "meeting", ["meeting_id"], ["id"])
        batch_op.create_foreign_key("fk_outbox_contact_id_contact", "contact", ["contact_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint("fk_outbox_contact_id_contact", type_="foreignkey")
        batch_op.drop_constraint("fk_outbox_meeting_id_meeting", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outbox_meeting_id"))
        batch_op.drop_index("ix_outbox_contact_kind_sent")
        batch_op.drop_column("delivery_status")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("meeting_id")
        batch_op.drop_column("contact_id")
        batch_op.drop_column("kind")

    with op.batch_alter_table("rsvp", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rsvp_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_rsvp_contact_id"))

    op.drop_table("rsvp")
    op.drop_table("delivery_event")
