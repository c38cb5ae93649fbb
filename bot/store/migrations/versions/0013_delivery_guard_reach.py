"""sign-in guard per typed address (same answers for staff and strangers, a daily cap); unreachable addresses

``login_guard`` counts the wrong sign-in codes per typed address (kept as a keyed hash, never the number)
for staff and unknown numbers alike, per code and per day. ``address.unreachable_at``/``unreachable_code``
mark an address whose texts fail for good (Twilio 30003, 30005, 30006…) until it texts in again.

Revision ID: 0013_delivery
Revises: 0012_pages
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_delivery"
down_revision = "0012_pages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_guard",
        sa.Column("key", sa.String(length=64), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("wrong_today", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("tries", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("address") as batch_op:
        batch_op.add_column(sa.Column("unreachable_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("unreachable_code", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("address") as batch_op:
        batch_op.drop_column("unreachable_code")
        batch_op.drop_column("unreachable_at")
    op.drop_table("login_guard")
