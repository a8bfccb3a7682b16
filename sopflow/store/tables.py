"""The store's tables, the newest schema: flow versions, cases and their events; the registry of
places, households and people, and what each case is about (SQLAlchemy Core metadata)."""

from __future__ import annotations

import threading

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
    sa.Column("assigned_to", sa.String(200), nullable=True),  # the named worker (case assign)
    # What the case owes at its step, written with it (engine/schedule.kept_times: a line an
    # item), read by `due` without reading the case whole; null for a row from before 0008
    sa.Column("due_list", sa.Text, nullable=True),
    sa.ForeignKeyConstraint(["flow_id", "flow_digest"], ["flow_versions.flow_id", "flow_versions.digest"]),
    # `due` reads active cases by next due time; lists filter by flow and step, role, parent, place
    sa.Index("ix_cases_due", "status", "next_due_at"),
    sa.Index("ix_cases_timer", "status", "next_timer_at"),
    sa.Index("ix_cases_flow_step", "flow_id", "step"),
    sa.Index("ix_cases_role_due", "role", "status", "next_due_at"),
    sa.Index("ix_cases_parent", "parent_id"),
    sa.Index("ix_cases_place", "place"),
    sa.Index("ix_cases_worker_due", "assigned_to", "status", "next_due_at"),  # due --worker
    # ix_cases_place_below on PostgreSQL: see add_postgresql_indexes
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
    # a check entered after later entries (issue 11, C12): when it was typed in; null otherwise
    sa.Column("recorded_at", sa.DateTime, nullable=True),
    sa.Column("late", sa.Boolean, nullable=False, server_default=sa.false()),
)
# The moves (starts and entries into steps) by time, with what the daily report counts of them,
# so that it reads the cases that moved in its day, not every entry (migration 0010). Checks,
# most of the history, are not in it: recording one writes no entry here.
# (Partial on PostgreSQL too: its `where` is added by add_postgresql_indexes, as declaring it
# here would load the PostgreSQL dialect on every command.)
_MOVED = events.c.to_step.is_not(None)
MOVES_AT = sa.Index(
    "ix_events_moves_at", events.c.at, events.c.case_id, events.c.kind, events.c.to_step, sqlite_where=_MOVED
)

# Open and closed alerts (cases/alerts.py): raised and closed by events in the same transaction,
# kept here so that `due`, `alert list` and the daily report count the open ones by place.
alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("case_id", sa.String(200), sa.ForeignKey("cases.id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),  # the event that raised it
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("raised_at", sa.DateTime, nullable=False),
    sa.Column("roles", sa.JSON, nullable=False),
    sa.Column("place", sa.String(200), nullable=True),  # the case's place, kept with it
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Column("closed_seq", sa.Integer, nullable=True),  # the event that closed it
    sa.Column("closed_at", sa.DateTime, nullable=True),
    sa.Index("ix_alerts_place_open", "place", "closed_at"),
    sa.Index("ix_alerts_open", "closed_at", "raised_at"),
)

# Whom each case is about, by kind (person, household, dwelling), from the case's identity fields
# (Flow.identities; issue 11, C3): an addressed signal finds the cases of a household or a person
# through the index. Rewritten from the case's data whenever those values change.
case_identities = sa.Table(
    "case_identities",
    metadata,
    sa.Column("case_id", sa.String(200), sa.ForeignKey("cases.id"), primary_key=True),
    sa.Column("kind", sa.String(20), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
    sa.Index("ix_case_identities_value", "kind", "value"),
)

# -- the county's registry: places (every door too), households, people, and what a case is about

places = sa.Table(
    "places",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("path", sa.String(400), nullable=False, unique=True),  # 前郭县/前郭镇/东风社区/...
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # registry.places.PlaceKind
    sa.Column("parent_id", sa.Integer, sa.ForeignKey("places.id"), nullable=True),
    sa.Index("ix_places_parent", "parent_id"),
    sa.Index("ix_places_name", "name"),
    # ix_places_below on PostgreSQL: see add_postgresql_indexes
)


_POSTGRESQL_INDEXES = threading.Lock()


def add_postgresql_indexes() -> None:
    """Add the PostgreSQL-only indexes to the tables, once; called when a PostgreSQL store is
    opened. Declaring them loads SQLAlchemy's PostgreSQL dialect (about a fifth of a second),
    which a reading recorded on a SQLite store from the shell should not pay.

    On PostgreSQL a place and everything below it is found with LIKE 'place/%' (cases.place,
    places.path), which an index serves only with pattern ordering (the database's collation
    may not be bytewise)."""
    with _POSTGRESQL_INDEXES:
        MOVES_AT.dialect_kwargs["postgresql_where"] = _MOVED
        for table, name, column in (
            (cases, "ix_cases_place_below", "place"),
            (places, "ix_places_below", "path"),
        ):
            if not any(index.name == name for index in table.indexes):
                pattern_ordered = {column: "text_pattern_ops"}
                sa.Index(name, table.c[column], postgresql_ops=pattern_ordered).ddl_if(dialect="postgresql")


households = sa.Table(
    "households",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(100), nullable=False, unique=True),  # the 户编号 staff use
    sa.Column("dwelling_id", sa.Integer, sa.ForeignKey("places.id"), nullable=True),
    sa.Index("ix_households_dwelling", "dwelling_id"),
)

people = sa.Table(
    "people",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("id_number", sa.String(18), nullable=True, unique=True),  # one person, one record
    sa.Column("phone", sa.String(40), nullable=True),  # as written: 138 1234 5678, +86 139-0000-1111
    sa.Column("sex", sa.String(6), nullable=True),  # "male" / "female", from the ID number
    sa.Column("birth_date", sa.Date, nullable=True),
    sa.Column("household_id", sa.Integer, sa.ForeignKey("households.id"), nullable=True),
    sa.Column("dwelling_id", sa.Integer, sa.ForeignKey("places.id"), nullable=True),
    # without an ID number, the same name and phone as another record: perhaps the same person
    sa.Column("duplicate_of", sa.Integer, sa.ForeignKey("people.id"), nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    # the phone's digits (registry.values.phone_digits: 13812345678), which people are matched by
    # (migration 0009 added it, at the end)
    sa.Column("phone_key", sa.String(20), nullable=True),
    sa.Index("ix_people_name_phone_key", "name", "phone_key"),
    sa.Index("ix_people_phone_key", "phone_key"),
    sa.Index("ix_people_household", "household_id"),
    sa.Index("ix_people_dwelling", "dwelling_id"),
)

case_subjects = sa.Table(
    "case_subjects",
    metadata,
    sa.Column("case_id", sa.String(200), sa.ForeignKey("cases.id"), primary_key=True),
    sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=True),
    sa.Column("household_id", sa.Integer, sa.ForeignKey("households.id"), nullable=True),
    sa.Column("dwelling_id", sa.Integer, sa.ForeignKey("places.id"), nullable=True),
    sa.Index("ix_case_subjects_person", "person_id"),
    sa.Index("ix_case_subjects_household", "household_id"),
    sa.Index("ix_case_subjects_dwelling", "dwelling_id"),
)

# What a store is, set when it is made: ("mode", "drill") marks a drill or training store, whose
# clock may be set ahead to play a day forward. A store without the row (or the table, in a store
# made before it existed) is a real one.
store_settings = sa.Table(
    "store_settings",
    metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
