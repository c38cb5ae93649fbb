"""the facilitator pages' sessions on the server: signing out ends them, and they expire when idle

Revision ID: 0012_pages
Revises: 0011_added_by_facilitator
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_pages"
down_revision = "0011_added_by_facilitator"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_web_session_contact_id", "web_session", ["contact_id"])
    op.create_index("ix_web_session_seen_at", "web_session", ["seen_at"])


def downgrade() -> None:
    op.drop_index("ix_web_session_seen_at", table_name="web_session")
    op.drop_index("ix_web_session_contact_id", table_name="web_session")
    op.drop_table("web_session")
