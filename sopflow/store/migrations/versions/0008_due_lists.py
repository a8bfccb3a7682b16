"""Due lists (issue 15): each case row keeps what it owes at its step (deadline, checks, timers
with their due times and roles), written with every change, so that `due` reads a few columns
instead of every case whole. Rows already in the store get null: `due` works those out from the
case as before, until the case next changes."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_list", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("due_list")
