"""Whether a store's tables are the ones this sopflow reads: the schema revision it records
against `revision.HEAD`; a brand-new store is made at HEAD (a drill store if asked), and a store
at HEAD must have every table (one dropped by hand is damaged, said so, never made anew). No
Alembic here (see migrate.py)."""

from __future__ import annotations

from enum import Enum

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sopflow.errors import StoreError
from sopflow.store.revision import HEAD, REVISIONS, VERSION_TABLE
from sopflow.store.tables import metadata, store_settings

# Alembic's version table, as Alembic makes it: a store made here is one Alembic can upgrade.
version_table = sa.Table(
    VERSION_TABLE,
    sa.MetaData(),
    sa.Column("version_num", sa.String(32), nullable=False),
    sa.PrimaryKeyConstraint("version_num", name=f"{VERSION_TABLE}_pkc"),
)
SELECT_REVISION = sa.select(version_table.c.version_num)
# PostgreSQL: one schema change at a time per schema (tests give each test a schema of its own).
SCHEMA_LOCK = sa.text("SELECT pg_advisory_xact_lock(hashtext('sopflow schema ' || current_schema()))")
FIRST_TABLE = "cases"  # every sopflow store has had it; a database without it is new to sopflow
DRILL = ("mode", "drill")  # the store_settings row of a drill or training store


class Standing(Enum):
    """Where a store stands against this sopflow's schema revisions."""

    CURRENT = "current"  # at HEAD
    NEW = "new"  # no sopflow tables yet: made at HEAD
    OLD = "old"  # an earlier revision, or tables from before revisions were recorded
    NEWER = "newer"  # a revision this sopflow does not know: made by a newer one


def recorded(conn: Connection) -> tuple[str | None, bool]:
    """The revision the store records (None if none) and whether it has sopflow's tables."""
    inspector = sa.inspect(conn)
    has_tables = inspector.has_table(FIRST_TABLE)
    if not inspector.has_table(VERSION_TABLE):
        return None, has_tables
    revisions = list(conn.execute(SELECT_REVISION).scalars())
    return (",".join(revisions) or None), has_tables


def standing(revision: str | None, has_tables: bool, revisions: tuple[str, ...] = REVISIONS) -> Standing:
    if revision == revisions[-1]:
        return Standing.CURRENT
    if revision is None:
        return Standing.OLD if has_tables else Standing.NEW
    return Standing.OLD if revision in revisions else Standing.NEWER


def settle_schema(conn: Connection, url: str, *, drill: bool = False) -> None:
    """In a locked transaction (`Store.exclusive`): make a new store's tables (marked a drill
    store if `drill`), accept a current one (but not as a drill store if it is not one), refuse an
    old or newer one (nothing changed)."""
    revision, has_tables = recorded(conn)
    found = standing(revision, has_tables)
    if found is Standing.NEW:
        refuse_foreign(conn, url)
        create_at_head(conn)
        if drill:
            conn.execute(store_settings.insert().values(key=DRILL[0], value=DRILL[1]))
    elif found is Standing.CURRENT:
        if drill and not drill_mode(conn):
            raise StoreError("store.not_drill", url=url)
    else:
        refuse(found, url, revision)


def refuse_foreign(conn: Connection, url: str) -> None:
    """StoreError for a SQLite file that holds another program's tables and none of sopflow's: a
    mistyped --db, most likely; sopflow's tables are not added to it. (A PostgreSQL schema may
    well be shared: see README on search_path.)"""
    if conn.dialect.name != "sqlite":
        return
    others = sorted(set(sa.inspect(conn).get_table_names()) - set(metadata.tables) - {VERSION_TABLE})
    if others:
        shown = ", ".join(others[:5]) + (", …" if len(others) > 5 else "")
        raise StoreError("store.foreign", url=url, tables=shown)


def refuse(found: Standing, url: str, revision: str | None) -> None:
    """StoreError for a store this sopflow does not take as it is: new (nothing to read yet),
    old (to upgrade) or newer (made by a newer sopflow)."""
    if found is Standing.NEW:
        raise StoreError("store.empty", url=url)
    if found is Standing.OLD:
        raise StoreError("store.needs_upgrade", url=url)
    if found is Standing.NEWER:
        raise StoreError("store.too_new", url=url, revision=revision, head=HEAD)


def tables_present(conn: Connection) -> frozenset[str]:
    """Which of sopflow's tables the database has."""
    return frozenset(sa.inspect(conn).get_table_names()) & frozenset(metadata.tables)


def check_complete(present: frozenset[str], url: str) -> None:
    """StoreError for a store at HEAD without all of sopflow's tables: damaged."""
    missing = sorted(frozenset(metadata.tables) - present)
    if missing:
        raise StoreError("store.damaged", url=url, detail=f"table {', '.join(missing)} is missing")


def drill_mode(conn: Connection) -> bool:
    """Whether the store was made as a drill or training store."""
    mode = conn.execute(sa.select(store_settings.c.value).where(store_settings.c.key == DRILL[0]))
    return mode.scalar() == DRILL[1]


def create_at_head(conn: Connection) -> None:
    """The newest tables (`tables.metadata`, which the migrations must reproduce exactly: the
    tests compare them) and the version record saying so."""
    metadata.create_all(conn)
    version_table.create(conn, checkfirst=True)
    conn.execute(version_table.delete())
    conn.execute(version_table.insert().values(version_num=HEAD))
