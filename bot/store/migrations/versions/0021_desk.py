"""The facilitator's desk (issue 24): a history of sent messages, and one numbering of learners

``sent_message``: every broadcast and relay answer a facilitator sent, with its text and the key of its outbox
rows (their per-learner delivery status). Every current learner of a circle with a facilitator gets their
relay number (``relay_handle``) now, as new learners get it when they enroll: the HERE list and the roster
number learners by it.

Revision ID: 0021_desk
Revises: 0016_held
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_desk"
down_revision = "0016_held"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sent_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("circle_id", sa.Integer(), sa.ForeignKey("circle.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("outbox_key", sa.String(120), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("about_contact_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("outbox_key", name="uq_sent_message_outbox_key"),
    )
    op.create_index("ix_sent_message_circle_id", "sent_message", ["circle_id"])
    _number_everyone()


def _number_everyone() -> None:
    """Gives each current learner without one the next relay number of their circle's facilitator,
    in enrollment order."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT c.facilitator_id, e.contact_id FROM enrollment e JOIN circle c ON c.id = e.circle_id "
            "WHERE c.facilitator_id IS NOT NULL AND e.status IN ('active', 'waitlist') "
            "AND NOT EXISTS (SELECT 1 FROM relay_handle h WHERE h.facilitator_id = c.facilitator_id "
            "AND h.contact_id = e.contact_id) ORDER BY e.created_at, e.id"
        )
    ).all()
    done: set[tuple[int, int]] = set()
    for facilitator_id, contact_id in rows:
        if (facilitator_id, contact_id) in done:
            continue
        done.add((facilitator_id, contact_id))
        bind.execute(
            sa.text(
                "INSERT INTO relay_handle (facilitator_id, contact_id, number, created_at) "
                "SELECT :f, :c, COALESCE(MAX(number), 0) + 1, CURRENT_TIMESTAMP FROM relay_handle "
                "WHERE facilitator_id = :f"
            ),
            {"f": facilitator_id, "c": contact_id},
        )


def downgrade() -> None:
    op.drop_index("ix_sent_message_circle_id", table_name="sent_message")
    op.drop_table("sent_message")
