"""the facilitator's pages: sign-in codes, teams and organizers, co-facilitators, a course link

Revision ID: 0007_pages
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_pages"
down_revision = "0006_voice_attendance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("facilitator") as batch_op:
        batch_op.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_facilitator_team_id", ["team_id"])
        batch_op.create_foreign_key("fk_facilitator_team_id", "team", ["team_id"], ["id"])
    with op.batch_alter_table("circle") as batch_op:
        batch_op.add_column(sa.Column("course_url", sa.String(length=300), nullable=True))
    op.create_table(
        "organizer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"]),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contact_id", "team_id"),
    )
    op.create_index("ix_organizer_contact_id", "organizer", ["contact_id"])
    op.create_index("ix_organizer_team_id", "organizer", ["team_id"])
    op.create_table(
        "circle_facilitator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["circle_id"], ["circle.id"]),
        sa.ForeignKeyConstraint(["facilitator_id"], ["facilitator.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("circle_id", "facilitator_id"),
    )
    op.create_index("ix_circle_facilitator_circle_id", "circle_facilitator", ["circle_id"])
    op.create_index("ix_circle_facilitator_facilitator_id", "circle_facilitator", ["facilitator_id"])
    op.create_table(
        "login_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("tries", sa.Integer(), server_default="0", nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["address_id"], ["address.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_code_address_id", "login_code", ["address_id"])


def downgrade() -> None:
    op.drop_index("ix_login_code_address_id", table_name="login_code")
    op.drop_table("login_code")
    op.drop_index("ix_circle_facilitator_facilitator_id", table_name="circle_facilitator")
    op.drop_index("ix_circle_facilitator_circle_id", table_name="circle_facilitator")
    op.drop_table("circle_facilitator")
    op.drop_index("ix_organizer_team_id", table_name="organizer")
    op.drop_index("ix_organizer_contact_id", table_name="organizer")
    op.drop_table("organizer")
    with op.batch_alter_table("circle") as batch_op:
        batch_op.drop_column("course_url")
    with op.batch_alter_table("facilitator") as batch_op:
        batch_op.drop_constraint("fk_facilitator_team_id", type_="foreignkey")
        batch_op.drop_index("ix_facilitator_team_id")
        batch_op.drop_column("team_id")
    op.drop_table("team")
