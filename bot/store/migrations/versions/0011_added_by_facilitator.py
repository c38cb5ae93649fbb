"""one consent source for a learner the facilitator added: a landline's "facilitator" becomes "added_by_facilitator"

The roster's "add a learner who signed up on paper" recorded ``added_by_facilitator`` for a learner reached
by texts and ``facilitator`` for one reached by calls (as ADD by text did); ``facilitator`` is also the
source of a facilitator's own address. A learner's landline is the only ``voice`` address that ever had
``facilitator`` (a facilitator's own address is an SMS one, a CALL ME one is ``call me``), and only SMS
addresses had ``added_by_facilitator``, so the channel tells them apart both ways.

Revision ID: 0011_added_by_facilitator
Revises: 0010_outbox_batch
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_added_by_facilitator"
down_revision = "0010_outbox_batch"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.get_bind().execute(
        sa.text(
            "UPDATE address SET consent_source = 'added_by_facilitator'"
            " WHERE channel = 'voice' AND consent_source = 'facilitator'"
        )
    )


def downgrade() -> None:
    op.get_bind().execute(
        sa.text(
            "UPDATE address SET consent_source = 'facilitator'"
            " WHERE channel = 'voice' AND consent_source = 'added_by_facilitator'"
        )
    )
