"""The SQLAlchemy engine of a store's address: SQLite files set up for many readers and one
writer at a time, PostgreSQL through psycopg 3."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from sopflow.errors import StoreError
from sopflow.store.rows import json_text
from sopflow.store.tables import add_postgresql_indexes


def database_engine(url: str) -> sa.Engine:
    """The engine for `url`; StoreError `store.bad_url` for an address that is not one."""
    try:
        url.encode("utf-8")  # bytes that were not UTF-8 (a path typed in another encoding)
        if url.startswith("sqlite"):
            options: dict[str, Any] = {"connect_args": {"timeout": 60}, "json_serializer": json_text}
            if sa.engine.make_url(url).database not in (None, "", ":memory:"):
                options["pool_size"] = 0  # every thread keeps its connection (an open file): no cap
            engine = sa.create_engine(url, **options)
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        add_postgresql_indexes()
        return sa.create_engine(_with_driver(url), pool_pre_ping=True, json_serializer=json_text)
    except (SQLAlchemyError, ImportError, ValueError) as exc:  # UnicodeEncodeError is a ValueError
        raise StoreError("store.bad_url", url=url, detail=str(exc).splitlines()[0]) from None


def _with_driver(url: str) -> str:
    """postgresql://... means psycopg 3 here (the driver sopflow installs)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets staff read while one writes; foreign keys keep events tied to cases. pysqlite's own
    transaction handling is switched off so that BEGIN IMMEDIATE is ours to issue."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=60000")
    _use_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _use_wal(cursor: Any, attempts: int = 50) -> None:
    """Switch the file to WAL (kept in the file: only a new store's first connection changes it).
    SQLite does not wait for its busy timeout here: two connections switching a brand-new file at
    once each hold a read lock and want the write lock, and one is told "database is locked" at
    once, to avoid a deadlock. So the switch is tried again after the other has made it."""
    for attempt in range(attempts):
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
                return
            cursor.execute("PRAGMA journal_mode=WAL").fetchall()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.01 * (attempt + 1))  # at most about 12 s in all
