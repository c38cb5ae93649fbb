"""answers and relay handles

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 21:26:27.766076
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("conversation", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("about_contact_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_about_contact_id"), ["about_contact_id"], unique=False)

    op.create_table(
        "relay_handle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
        ),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["facilitator.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("facilitator_id", "contact_id"),
        sa.UniqueConstraint("facilitator_id", "number"),
    )
    with op.batch_alter_table("relay_handle", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_relay_handle_contact_id"), ["contact_id"], unique=False)

    op.create_table(
        "answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("question_key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circle.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subject", "question_key"),
    )
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_answer_circle_id"), ["circle_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_about_contact_id"))
        batch_op.drop_column("about_contact_id")
        batch_op.drop_column("conversation")

    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_circle_id"))

    op.drop_table("answer")
    with op.batch_alter_table("relay_handle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_relay_handle_contact_id"))

    op.drop_table("relay_handle")
