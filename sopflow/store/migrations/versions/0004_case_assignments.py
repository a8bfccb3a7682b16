"""Cases get the named worker who looks after them (`case assign`, `due --worker`), indexed with
their status and next due time. Corrections, transfers, merges and cancellations are events and
need no table of their own."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assigned_to", sa.String(length=200), nullable=True))
        batch_op.create_index("ix_cases_worker_due", ["assigned_to", "status", "next_due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_worker_due")
        batch_op.drop_column("assigned_to")
