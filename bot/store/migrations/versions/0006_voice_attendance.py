"""voice: conference rooms, facilitator PINs, calls put into conferences, conference events, attendance

Revision ID: 0006_voice_attendance
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_voice_attendance"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("circle", schema=None) as batch_op:
        batch_op.add_column(sa.Column("facilitator_pin", sa.String(length=8), nullable=True))
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("room", sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint("uq_meeting_room", ["room"])
    op.create_table(
        "voice_call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("caller", sa.String(length=24), nullable=True),
        sa.Column("facilitator", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("call_sid"),
    )
    with op.batch_alter_table("voice_call", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_voice_call_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_voice_call_meeting_id"), ["meeting_id"], unique=False)
    op.create_table(
        "conference_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conference_sid", sa.String(length=64), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("call_sid", sa.String(length=64), server_default="", nullable=False),
        sa.Column("sequence", sa.Integer(), server_default="0", nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("conference_sid", "event", "call_sid", "sequence"),
    )
    with op.batch_alter_table("conference_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conference_event_conference_sid"), ["conference_sid"], unique=False)
        batch_op.create_index(batch_op.f("ix_conference_event_meeting_id"), ["meeting_id"], unique=False)
    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("caller", sa.String(length=24), nullable=True),
        sa.Column("facilitator", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seconds", sa.Integer(), server_default="0", nullable=False),
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
        sa.UniqueConstraint("meeting_id", "source", "ref"),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attendance_meeting_id"), ["meeting_id"], unique=False)


def downgrade() -> None:
    op.drop_table("attendance")
    op.drop_table("conference_event")
    op.drop_table("voice_call")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_constraint("uq_meeting_room", type_="unique")
        batch_op.drop_column("room")
    with op.batch_alter_table("circle", schema=None) as batch_op:
        batch_op.drop_column("facilitator_pin")
