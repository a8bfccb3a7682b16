"""Whether a database is a sopflow store: a brand-new (empty) one gets the tables, an existing one
must have them all (one with a table missing is damaged, and said so, never made anew), and what
kind of store it is (a drill or training store, marked when it is made)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sopflow.errors import StoreError
from sopflow.store.tables import metadata, store_settings

CORE_TABLES = frozenset({"flow_versions", "cases", "events"})  # every sopflow store has these
DRILL = ("mode", "drill")
# PostgreSQL: one schema change at a time per schema (tests give each test a schema of its own).
SCHEMA_LOCK = sa.text("SELECT pg_advisory_xact_lock(hashtext('sopflow schema ' || current_schema()))")


def tables_present(conn: Connection) -> frozenset[str]:
    """Which of sopflow's tables the database has."""
    return frozenset(sa.inspect(conn).get_table_names()) & frozenset(metadata.tables)


def settle_tables(conn: Connection, url: str, *, drill: bool) -> None:
    """In a locked transaction (`Store.exclusive`): make a brand-new store's tables (marked a drill
    store if asked), accept a complete one, refuse one with tables missing (nothing changed)."""
    present = tables_present(conn)
    if not present & CORE_TABLES:
        metadata.create_all(conn)
        if drill:
            conn.execute(store_settings.insert().values(key=DRILL[0], value=DRILL[1]))
        return
    check_complete(present, url)
    if drill and not drill_mode(conn):
        raise StoreError("store.not_drill", url=url)


def check_complete(present: frozenset[str], url: str) -> None:
    """StoreError for a store that has some of sopflow's tables but not all: damaged."""
    missing = sorted(CORE_TABLES - present)
    if not present & CORE_TABLES:
        raise StoreError("store.empty", url=url)
    if missing:
        raise StoreError("store.damaged", url=url, detail=f"table {', '.join(missing)} is missing")


def drill_mode(conn: Connection) -> bool:
    """Whether the store was made as a drill or training store."""
    if not sa.inspect(conn).has_table(store_settings.name):
        return False
    mode = conn.execute(sa.select(store_settings.c.value).where(store_settings.c.key == DRILL[0]))
    return mode.scalar() == DRILL[1]
