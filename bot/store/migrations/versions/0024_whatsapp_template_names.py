"""WhatsApp templates per message, whose variables are the message's parameters (issue 28, second pass)

The first templates carried a whole rendered message as their one variable, which WhatsApp's review refuses;
each template is now named by the message keys it stands for (``reminder``, ``survey.reminder+q.goal``…).
The table is made anew: the old templates' sids are of no use to the new wording, and
``circlebot whatsapp templates sync`` creates the new ones.

Revision ID: 0024_wa_names
Revises: 0015_wa
"""

import sqlalchemy as sa
from alembic import op

revision = "0024_wa_names"
down_revision = "0015_wa"
branch_labels = None
depends_on = None


def _table(key: str, length: int) -> None:
    op.create_table(
        "whatsapp_template",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(key, sa.String(length), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("sid", sa.String(40), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(key, "language", name=f"uq_whatsapp_template_{key}_language"),
    )


def upgrade() -> None:
    op.drop_table("whatsapp_template")
    _table("name", 120)


def downgrade() -> None:
    op.drop_table("whatsapp_template")
    _table("kind", 16)
