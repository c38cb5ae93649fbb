"""WhatsApp's 24-hour window and Content Templates (issue 28)

``address.last_inbound_at``: when the learner last wrote on this WhatsApp address; a row sent within 24 hours
of it goes as free-form text, later as an approved template. ``whatsapp_template``: one Content Template per
scheduled message kind and language, with its ``HX`` sid and WhatsApp approval state.

Revision ID: 0015_wa
Revises: 0014_p2pu
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_wa"
down_revision = "0014_p2pu"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("address") as batch_op:
        batch_op.add_column(sa.Column("last_inbound_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "whatsapp_template",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("sid", sa.String(40), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("kind", "language", name="uq_whatsapp_template_kind_language"),
    )


def downgrade() -> None:
    op.drop_table("whatsapp_template")
    with op.batch_alter_table("address") as batch_op:
        batch_op.drop_column("last_inbound_at")
