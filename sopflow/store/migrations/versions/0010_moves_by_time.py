"""Moves by time (issue 15): an index of the history's starts and entries into steps by their
time, with the case, kind and step, so that the daily report finds the cases that moved since
its cut-off and the day's entries without reading the whole history (at a county's size, 4.5
million entries). Checks are left out of it (a partial index): recording one writes nothing
here."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_MOVED = sa.text("to_step IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_events_moves_at",
        "events",
        ["at", "case_id", "kind", "to_step"],
        unique=False,
        sqlite_where=_MOVED,
        postgresql_where=_MOVED,
    )


def downgrade() -> None:
    op.drop_index("ix_events_moves_at", table_name="events")
