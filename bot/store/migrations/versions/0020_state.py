"""The inbound lock and load in one statement (issue 31): ``contact.version``

Every inbound message handled for a contact (and every job that locks a contact to change what the inbound
path reads: a conversation opened or closed by a sent question or reminder) adds one to ``contact.version``
in its write. ``bot.inbound.load`` locks the sender and reads their conversation, enrollments and circles in
one ``SELECT … FOR UPDATE OF contact``; under READ COMMITTED the locked row is read as it is once the lock
is granted, the rest as it was when the statement began, so a version that differs from the one read in
the statement's own snapshot says that another transaction changed this sender meanwhile, and the load is
run again, now holding the lock. The conversations stay where they are (``conversation``, one per contact):
existing rows need no move, and every existing contact starts at version 0.

Revision ID: 0020_state
Revises: 0021_desk
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_state"
down_revision = "0021_desk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contact") as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("contact") as batch_op:
        batch_op.drop_column("version")
