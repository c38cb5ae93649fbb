"""Recorded voice prompts (issue 29)

``voice_prompt``: one recording per language and key (a fixed prompt, a fragment such as a number or a
weekday, or a circle's name), its audio in the row so that every web process can serve it.

Revision ID: 0019_prompts
Revises: 0024_wa_names
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_prompts"
down_revision = "0024_wa_names"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "voice_prompt",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(32), nullable=False),
        sa.Column("audio", sa.LargeBinary(), nullable=False),
        sa.Column("digest", sa.String(16), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("language", "key", name="uq_voice_prompt_language_key"),
    )


def downgrade() -> None:
    op.drop_table("voice_prompt")
