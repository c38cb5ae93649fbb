"""the facilitator pages' sessions on the server: signing out ends them, and they expire when idle;
a facilitator's relay to a learner names its writer

``web_session`` keeps a SHA-256 of each signed-in browser's random token. A relay from a facilitator to a
learner now keeps the facilitator's contact in ``about_contact_id`` (the inbox page shows each facilitator
only their own replies); the ones sent by text before are given it from the inbound message they answer
(``relay:<channel>:<provider id>``). Replies typed on the page before named no writer and stay without one.

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
    bind = op.get_bind()
    unnamed = bind.execute(
        sa.text(
            "SELECT id, dedupe_key FROM outbox"
            " WHERE kind = 'relay' AND about_contact_id IS NULL AND dedupe_key LIKE 'relay:%'"
        )
    ).all()
    for row_id, key in unnamed:
        parts = key.split(":", 2)
        if len(parts) != 3:
            continue
        writer = bind.execute(
            sa.text("SELECT contact_id FROM message WHERE provider_id = :provider AND direction = 'in'"),
            {"provider": parts[2]},
        ).scalar()
        if writer is not None:
            bind.execute(
                sa.text("UPDATE outbox SET about_contact_id = :writer WHERE id = :id"), {"writer": writer, "id": row_id}
            )


def downgrade() -> None:
    op.drop_index("ix_web_session_seen_at", table_name="web_session")
    op.drop_index("ix_web_session_contact_id", table_name="web_session")
    op.drop_table("web_session")
