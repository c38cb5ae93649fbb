"""the P2PU id of a circle brought in by ``circlebot circle import`` (unique, nullable)

Importing the same P2PU learning circle again finds the circle by this id and updates it.

Revision ID: 0014_p2pu
Revises: 0013_delivery
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_p2pu"
down_revision = "0013_delivery"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("circle") as batch_op:
        batch_op.add_column(sa.Column("p2pu_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint("uq_circle_p2pu_id", ["p2pu_id"])


def downgrade() -> None:
    with op.batch_alter_table("circle") as batch_op:
        batch_op.drop_constraint("uq_circle_p2pu_id", type_="unique")
        batch_op.drop_column("p2pu_id")
