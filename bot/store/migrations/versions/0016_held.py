"""The facilitator's conference controls (issue 26)

``held_meeting``: a meeting whose conference started, with its start, end and number of callers.
``call_mute``: a call the facilitator muted or unmuted, for the live panel and the simulator.

Revision ID: 0016_held
Revises: 0019_prompts
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_held"
down_revision = "0019_prompts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "held_meeting",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meeting.id"), nullable=False),
        sa.Column("conference_sid", sa.String(64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("callers", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("meeting_id"),
    )
    op.create_index("ix_held_meeting_conference_sid", "held_meeting", ["conference_sid"])
    op.create_table(
        "call_mute",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("call_sid", sa.String(64), nullable=False),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meeting.id"), nullable=False),
        sa.Column("muted", sa.Boolean(), nullable=False, server_default="0"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("call_sid"),
    )
    op.create_index("ix_call_mute_meeting_id", "call_mute", ["meeting_id"])


def downgrade() -> None:
    op.drop_index("ix_call_mute_meeting_id", table_name="call_mute")
    op.drop_table("call_mute")
    op.drop_index("ix_held_meeting_conference_sid", table_name="held_meeting")
    op.drop_table("held_meeting")
