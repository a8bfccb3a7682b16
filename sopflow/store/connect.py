"""The SQLAlchemy engine of a store's address: SQLite files set up for many readers and one
writer at a time, PostgreSQL through psycopg 3."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
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
        engine = sa.create_engine(_with_driver(url), json_serializer=json_text)
        sa.event.listen(engine, "connect", _fresh)
        sa.event.listen(engine, "checkin", _fresh)
        sa.event.listen(engine, "checkout", _pinging_if_idle(engine.dialect))
        return engine
    except (SQLAlchemyError, ImportError, ValueError) as exc:  # UnicodeEncodeError is a ValueError
        raise StoreError("store.bad_url", url=url, detail=str(exc).splitlines()[0]) from None


# How long a pooled PostgreSQL connection may lie unused and still be lent without a ping. A
# ping before every transaction (SQLAlchemy's pool_pre_ping) is a round trip to the server,
# one in six of a recorded reading's; a connection used a moment ago is alive but for a server
# restarted or a backend terminated in that moment, which a statement then finds: one clear
# error for that call, the connection dropped, the next call on a new one. One lain unused
# longer (a server restarted overnight under a long-running program) is pinged, and replaced
# unseen if it is dead.
IDLE_BEFORE_PING = 2.0  # seconds


def _fresh(_dbapi_connection: Any, record: Any) -> None:
    """A connection just made or just given back: known alive now."""
    record.info["alive_at"] = time.monotonic()


def _pinging_if_idle(dialect: sa.Dialect) -> Callable[[Any, Any, Any], None]:
    """Before lending a connection that lay unused longer than IDLE_BEFORE_PING, ping it; a
    dead one makes the pool drop it and lend a new one (SQLAlchemy's DisconnectionError)."""

    def ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("alive_at", float("-inf")) < IDLE_BEFORE_PING:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as exc:  # the driver's own error for a connection the server dropped
            raise sa.exc.DisconnectionError(str(exc)) from exc
        if not alive:
            raise sa.exc.DisconnectionError("the server did not answer")

    return ping_if_idle


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
