"""LINK codes: one person, two channels (issue "Telegram")

Revision ID: 0008_telegram
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_telegram"
down_revision = "0007_pages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "link_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("link_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_link_code_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_link_code_code_hash"), ["code_hash"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("link_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_link_code_code_hash"))
        batch_op.drop_index(batch_op.f("ix_link_code_contact_id"))
    op.drop_table("link_code")
