"""Upgrading a store to this sopflow's schema with Alembic (`sopflow db upgrade`).

Only this module imports Alembic: every other command checks the recorded revision with one
SELECT (store/versioning.py) and never pays for loading it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from sopflow.errors import StoreError
from sopflow.store.revision import HEAD
from sopflow.store.store import Store
from sopflow.store.versioning import Standing, create_at_head, recorded, standing

MIGRATIONS = Path(__file__).parent / "migrations"


class Upgrade(NamedTuple):
    """What `upgrade` found and did: the store's standing before, its revision before and after."""

    found: Standing
    before: str | None
    after: str


def upgrade(store: Store) -> Upgrade:
    """Bring the store to HEAD in one transaction, locked against every other schema change (two
    upgrades at once: the second finds nothing to do). A new store is made at HEAD; a store made
    by a newer sopflow is refused; if any migration fails, nothing is changed."""
    with store.exclusive() as conn:
        before, has_tables = recorded(conn)
        found = standing(before, has_tables)
        if found is Standing.NEWER:
            raise StoreError("store.too_new", url=store.url, revision=before, head=HEAD)
        if found is Standing.NEW:
            create_at_head(conn)
        elif found is Standing.OLD:
            run_migrations(conn, HEAD)
        return Upgrade(found, before, recorded(conn)[0] or "")


def examine(store: Store) -> Upgrade:
    """Where the store stands, changing nothing (`sopflow db status`)."""
    with store.reading() as conn:
        before, has_tables = recorded(conn)
        return Upgrade(standing(before, has_tables), before, HEAD)


def alembic_config(conn: Connection | None = None) -> Config:
    """Alembic's configuration without an alembic.ini: the migrations shipped in the package,
    new revision files named `NNNN_what_it_does.py`, and the connection to run on."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes["connection"] = conn
    return config


def run_migrations(conn: Connection, target: str) -> None:
    command.upgrade(alembic_config(conn), target)


def made_here(dialect: str) -> Any:
    """Alembic's include_object for this database: an index made only on another one (the
    PostgreSQL pattern index, `ddl_if(dialect=...)`) is no difference when comparing a store's
    tables with tables.py, which Alembic's comparison does not know by itself."""

    def include(item: object, _name: str | None, _kind: str, _reflected: bool, _other: object) -> bool:
        condition = getattr(item, "_ddl_if", None)  # SQLAlchemy's record of ddl_if()
        return condition is None or condition.dialect in (None, dialect)

    return include
