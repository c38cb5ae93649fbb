"""a Telegram address's username, for signing in to the facilitator pages as @username

Revision ID: 0009_telegram_username
Revises: 0008_telegram
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_telegram_username"
down_revision = "0008_telegram"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("address", schema=None) as batch_op:
        batch_op.add_column(sa.Column("username", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_address_username"), ["username"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("address", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_address_username"))
        batch_op.drop_column("username")
