"""Late entries (issue 11, C12): a check typed in after later entries keeps when it happened in
`at`, and says when it was entered (`recorded_at`) and that it came late (`late`). Events already
in the store were all saved in time order: null and false."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recorded_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("late", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("late")
        batch_op.drop_column("recorded_at")
