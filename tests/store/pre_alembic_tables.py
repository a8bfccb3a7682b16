"""The store's tables as sopflow made them before migrations (sopflow/store/tables.py at e8fadcd,
verbatim below this docstring): the tests make a pre-Alembic store with them and upgrade it."""

from __future__ import annotations

import sqlalchemy as sa

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
    sa.ForeignKeyConstraint(["flow_id", "flow_digest"], ["flow_versions.flow_id", "flow_versions.digest"]),
    # `due` reads active cases by next due time; lists filter by flow and step, role, parent, place
    sa.Index("ix_cases_due", "status", "next_due_at"),
    sa.Index("ix_cases_timer", "status", "next_timer_at"),
    sa.Index("ix_cases_flow_step", "flow_id", "step"),
    sa.Index("ix_cases_role_due", "role", "status", "next_due_at"),
    sa.Index("ix_cases_parent", "parent_id"),
    sa.Index("ix_cases_place", "place"),
    # On PostgreSQL a place and everything below it is found with LIKE 'place/%', which an index
    # serves only with pattern ordering (the database's collation may not be bytewise).
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
