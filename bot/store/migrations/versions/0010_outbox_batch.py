"""the send job an outbox row waits in: rows planned together go out in batch jobs

Revision ID: 0010_outbox_batch
Revises: 0009_telegram_username
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_outbox_batch"
down_revision = "0009_telegram_username"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch", sa.String(length=48), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("batch")
