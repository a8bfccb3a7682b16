"""The baseline: flow versions, cases and events as sopflow stored them before migrations.

A store made before migrations (no version record) has these tables already; upgrading it runs
this revision too, which then adds only what such a store lacks (an index added later) and
checks that its columns are the baseline's. The tables are written out here, not imported from
`store/tables.py`, which describes the newest schema and changes with every revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sopflow.errors import StoreError

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _tables() -> list[sa.Table]:
    metadata = sa.MetaData()
    flow_versions = sa.Table(
        "flow_versions",
        metadata,
        sa.Column("flow_id", sa.String(100), primary_key=True),
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("saved_at", sa.DateTime, nullable=False),
    )
    cases = sa.Table(
        "cases",
        metadata,
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("flow_id", sa.String(100), nullable=False),
        sa.Column("flow_digest", sa.String(64), nullable=False),
        sa.Column("flow_version", sa.String(100), nullable=False),
        sa.Column("step", sa.String(100), nullable=False),
        sa.Column("role", sa.String(100), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("outcome", sa.String(100), nullable=True),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("parent_id", sa.String(200), nullable=True),
        sa.Column("place", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("entered_at", sa.DateTime, nullable=False),
        sa.Column("last_checks", sa.JSON, nullable=False),
        sa.Column("children", sa.JSON, nullable=False),
        sa.Column("next_due_at", sa.DateTime, nullable=True),
        sa.Column("next_timer_at", sa.DateTime, nullable=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.ForeignKeyConstraint(
            ["flow_id", "flow_digest"], ["flow_versions.flow_id", "flow_versions.digest"]
        ),
        sa.Index("ix_cases_due", "status", "next_due_at"),
        sa.Index("ix_cases_timer", "status", "next_timer_at"),
        sa.Index("ix_cases_flow_step", "flow_id", "step"),
        sa.Index("ix_cases_role_due", "role", "status", "next_due_at"),
        sa.Index("ix_cases_parent", "parent_id"),
        sa.Index("ix_cases_place", "place"),
        sa.Index("ix_cases_place_below", "place", postgresql_ops={"place": "text_pattern_ops"}).ddl_if(
            dialect="postgresql"
        ),
    )
    events = sa.Table(
        "events",
        metadata,
        sa.Column("case_id", sa.String(200), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("role", sa.String(100), nullable=True),
        sa.Column("from_step", sa.String(100), nullable=True),
        sa.Column("to_step", sa.String(100), nullable=True),
        sa.Column("changes", sa.JSON, nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("why", sa.JSON, nullable=True),
        sa.Column("child_id", sa.String(200), nullable=True),
    )
    return [flow_versions, cases, events]


def upgrade() -> None:
    connection = op.get_bind()
    inspector = sa.inspect(connection)
    for table in _tables():
        if not inspector.has_table(table.name):
            table.create(connection)
            continue
        present = {column["name"] for column in inspector.get_columns(table.name)}
        missing = [column.name for column in table.columns if column.name not in present]
        if missing:
            raise StoreError("store.unknown_layout", table=table.name, columns=", ".join(missing))
        indexes = {index["name"] for index in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in indexes:
                index.create(connection)


def downgrade() -> None:
    for name in ("events", "cases", "flow_versions"):
        op.drop_table(name)
