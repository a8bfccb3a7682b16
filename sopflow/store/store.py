"""The case store: flow versions, cases and their events in SQLite or PostgreSQL (SQLAlchemy Core).

One code path for both. Cases carry `seq`, the number of their last event; every update is
`... WHERE id = :id AND seq = :seq_read`, so of two staff changing the same case at once exactly
one wins and the other is told (optimistic concurrency). Events have the primary key
(case_id, seq): nothing is recorded twice. Times are stored as UTC.
"""

from __future__ import annotations

import json
import os
import threading
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError, SQLAlchemyError

from sopflow.cases.filter import CaseFilter
from sopflow.cases.records import Case, Event
from sopflow.errors import ArgumentError, StoreError
from sopflow.language.model import Flow
from sopflow.store import alertrows
from sopflow.store.alertrows import open_alerts, open_alerts_of
from sopflow.store.casewrites import write_cases
from sopflow.store.connect import database_engine
from sopflow.store.flowversions import read_flow_version, save_flow_version
from sopflow.store.queries import below, case_query
from sopflow.store.rows import (
    INSERT_EVENTS,
    UNREADABLE,
    CaseWrite,
    case_of,
    damaged,
    event_of,
    update_if_unchanged,
)
from sopflow.store.sqlrun import Prepared
from sopflow.store.tables import cases, events
from sopflow.store.versioning import (
    SCHEMA_LOCK,
    Standing,
    check_complete,
    drill_mode,
    recorded,
    refuse,
    settle_schema,
    standing,
    tables_present,
)

DEFAULT_URL = "sqlite:///sopflow.db"


class Store:
    """Cases on disk (or on a server). Open with `open_store(url)`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=True)
        self.is_sqlite = engine.dialect.name == "sqlite"
        self.in_memory = self.is_sqlite and engine.url.database in (None, "", ":memory:")
        self.drill = False  # a drill or training store (see schema.py); read when it is opened
        self._flows: dict[tuple[str, str], Flow] = {}
        self._saved: set[tuple[str, str]] = set()  # flow versions known to be in this store
        self._held = threading.local()  # each thread's open connection (see _connection)
        self._open: dict[Connection, threading.Thread] = {}  # kept connections, by the thread using each
        self._lock = threading.Lock()  # guards _open
        self._generation = 0  # bumped by close(): a thread then replaces the connection it keeps
        self._creator = threading.get_ident()  # an in-memory store is this thread's only
        dialect = engine.dialect
        self._case_by_id = Prepared(alertrows.CASE_BY_ID, dialect)
        self._lock_case = Prepared(alertrows.LOCK_CASE, dialect)
        self._updates: dict[tuple[str, ...], Prepared] = {}  # by the columns they set
        self._insert_events = Prepared(INSERT_EVENTS, dialect)
        _STORES.add(self)

    def create(self, *, drill: bool = False) -> None:
        """Check that the store's tables are the ones this sopflow reads, and make them in a
        brand-new store (at the newest schema revision; a drill store if `drill`). An older store
        is refused with a message to run `sopflow db upgrade`, a newer one as such, a store at
        this revision with a table missing as damaged; each is left unchanged. The lock below is
        taken only for a new store (or one to be marked a drill store)."""
        if not drill and self.check(new=True):
            return
        with self.exclusive() as conn:
            settle_schema(conn, self.url, drill=drill)
        self.check()

    def check(self, *, new: bool = False) -> bool:
        """True if the store is at this sopflow's schema revision with all its tables (and then
        whether it is a drill store is known). A database without sopflow's tables: False if
        `new` (to be made), else `store.empty`; an old or newer store, or one at this revision
        with a table missing (dropped by hand): StoreError, saying which."""
        with self.reading() as conn:
            revision, has_tables = recorded(conn)
            found = standing(revision, has_tables)
            if found is Standing.CURRENT:
                check_complete(tables_present(conn), self.url)
                self.drill = drill_mode(conn)
                return True
        if found is Standing.NEW and new:
            return False
        refuse(found, self.url, revision)
        return False

    @contextmanager
    def exclusive(self) -> Iterator[Connection]:
        """A write transaction in which nobody else changes the schema: for making a new store
        and upgrading one, so that two processes opening a new store at once both succeed (the
        second finds it made). On SQLite, the write lock (BEGIN IMMEDIATE) with foreign keys off,
        as a migration that rebuilds a table needs, and checked before commit; on PostgreSQL, an
        advisory lock on the schema until the transaction ends."""
        with self._errors(), self._connection() as conn:
            driver = conn.connection.dbapi_connection
            if self.is_sqlite:
                driver.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
            try:
                conn.begin()
                try:
                    if self.is_sqlite:
                        driver.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]
                    else:
                        conn.execute(SCHEMA_LOCK)
                    yield conn
                    if self.is_sqlite:
                        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
                        if broken is not None:
                            raise StoreError("store.damaged", url=self.url, detail=f"foreign key {broken}")
                except BaseException:
                    self._end(conn, commit=False)
                    raise
                conn.commit()
            finally:
                if self.is_sqlite and not conn.invalidated:
                    driver.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only transaction: one consistent snapshot for everything read in it (a case and
        its history, or every case `verify` looks at). SQLite's transactions are snapshots; on
        PostgreSQL, REPEATABLE READ makes one (its default gives each statement its own)."""
        with self._errors(), self._connection() as conn:
            if self.is_sqlite:
                conn.exec_driver_sql("BEGIN")
            else:  # on the connection before it begins: psycopg sends them with its BEGIN, where
                # SET TRANSACTION was a round trip of its own; reset when the pool takes it back
                conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            try:
                yield conn
            finally:
                self._end(conn, commit=False)

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction; on SQLite it takes the write lock at once (BEGIN IMMEDIATE) so
        that writers queue up instead of failing half-way."""
        with self._errors(), self._connection() as conn:
            conn.begin()
            try:
                if self.is_sqlite:
                    conn.connection.dbapi_connection.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]
                yield conn
            except BaseException:
                self._end(conn, commit=False)
                raise
            self._end(conn, commit=True)

    def _end(self, conn: Connection, *, commit: bool) -> None:
        """Commit or roll back. A connection that cannot even roll back (the server went away, or
        Python's recursion limit was hit) is dropped, never kept with a transaction open."""
        if commit:
            conn.commit()
            return
        try:
            conn.rollback()
        except BaseException:
            conn.invalidate()
            self._held.conn = None
            raise

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """On SQLite, this thread's connection, kept open from one transaction to the next:
        taking one from the pool and giving it back cost more than SQLite's own work for a
        change. (A SQLite connection is an open file; on PostgreSQL, where a connection is a
        server process, the pool lends one per transaction.) A transaction opened inside
        another gets a connection of its own."""
        if self.in_memory and threading.get_ident() != self._creator:
            raise StoreError("store.memory_one_thread", url=self.url)
        held: Connection | None = getattr(self._held, "conn", None) if self.is_sqlite else None
        if self.is_sqlite and (held is None or not self._usable(held)):
            held = self._held.conn = self._keep(self.engine.connect())  # first use, closed, or stale
        if held is None or held.in_transaction():
            with self.engine.connect() as conn:
                yield conn
        else:
            yield held

    def _usable(self, held: Connection) -> bool:
        """Whether this thread's kept connection can be used: not closed, not broken, not from
        before a fork or a close(), and not left in a transaction (a failed rollback)."""
        this_process = self._held.pid == os.getpid()
        fresh = this_process and self._held.generation == self._generation
        if fresh and not held.closed and not held.invalidated:
            if held.in_transaction():  # busy with an outer transaction: fine, the inner gets another
                return True
            if not getattr(held.connection.dbapi_connection, "in_transaction", False):
                return True
        if this_process and not held.closed:
            held.close()  # this thread's own (a forked child leaves the parent's alone)
        with self._lock:
            self._open.pop(held, None)
        return False

    def _keep(self, conn: Connection) -> Connection:
        self._held.pid, self._held.generation = os.getpid(), self._generation
        with self._lock:
            self._open[conn] = threading.current_thread()
        return conn

    def close(self) -> None:
        """Close the connections this store keeps open, and the pool. The store can be used
        again afterwards (it connects anew). A connection another thread keeps is not touched
        while that thread lives (closing a SQLite connection under a thread using it can crash
        Python): that thread replaces it on its next use, and it is closed then."""
        me = threading.current_thread()
        with self._lock:
            self._generation += 1
            mine = [c for c, owner in self._open.items() if owner is me or not owner.is_alive()]
            for conn in mine:
                del self._open[conn]
        for conn in mine:
            if not conn.closed:
                conn.close()
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _forked(self) -> None:
        """In a child process just forked: leave the parent's pooled connections to the parent
        (SQLAlchemy's recipe); this process connects anew."""
        self.engine.dispose(close=False)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except OperationalError as exc:
            detail = _first_line(exc)
            if "no such table" in detail:  # a table dropped from an existing store
                raise StoreError("store.damaged", url=self.url, detail=detail) from None
            raise StoreError("store.unavailable", url=self.url, detail=detail) from None
        except self.engine.dialect.loaded_dbapi.OperationalError as exc:  # BEGIN IMMEDIATE, on the driver
            raise StoreError("store.unavailable", url=self.url, detail=str(exc).splitlines()[0]) from None
        except IntegrityError:
            raise  # a constraint the engine's own checks should have kept: a bug, not the store
        except DatabaseError as exc:  # not a database ("file is not a database"), or foreign tables
            detail = _first_line(exc)
            if "no schema has been selected" in detail:  # search_path names a schema not made yet
                raise StoreError("store.no_schema", url=self.url, detail=detail) from None
            if exc.connection_invalidated:  # the server or the connection went away
                raise StoreError("store.unavailable", url=self.url, detail=detail) from None
            raise StoreError("store.damaged", url=self.url, detail=detail) from None
        except self.engine.dialect.loaded_dbapi.DatabaseError as exc:
            raise StoreError("store.damaged", url=self.url, detail=str(exc).splitlines()[0]) from None
        except json.JSONDecodeError as exc:  # a row's JSON edited by hand
            raise StoreError("store.damaged", url=self.url, detail=f"unreadable JSON: {exc}") from None

    # -- flow versions ----------------------------------------------------------------------------

    def save_flow(self, conn: Connection, flow: Flow) -> None:
        """Keep the exact source of a flow version the first time a case uses it. Two staff
        starting the first cases of a new version at once on PostgreSQL both insert it: the
        second insert does nothing instead of failing."""
        if (flow.id, flow.digest) in self._saved:
            return
        save_flow_version(conn, flow, sqlite=self.is_sqlite)
        self._flows[(flow.id, flow.digest)] = flow

    def saved(self, flows: list[Flow]) -> None:
        """Remember flow versions a committed transaction saved: later writes skip the lookup."""
        self._saved.update((flow.id, flow.digest) for flow in flows)

    def flow(self, conn: Connection, flow_id: str, digest: str) -> Flow:
        """The flow version a case started on, from its saved source, checked against its digest
        (a source replaced by hand would step the case by other rules)."""
        key = (flow_id, digest)
        if key not in self._flows:
            self._flows[key] = read_flow_version(conn, flow_id, digest)
        return self._flows[key]

    def get(
        self, conn: Connection, case_id: str, *, history: bool = True, to_change: bool = False
    ) -> Case | None:
        """The case, with its history unless `history=False`; `to_change`: lock its row until the
        transaction ends (PostgreSQL), so that no other change can come in between."""
        try:
            if to_change and not self.is_sqlite:  # locked first, then read (alertrows.LOCK_CASE)
                self._lock_case.execute(conn, {"wanted_id": case_id}).close()
            rows = self._case_by_id.all(conn, {"wanted_id": case_id})
        except UNREADABLE as error:  # a value the driver cannot even convert (text as a time)
            raise damaged(case_id, error) from None
        if not rows:
            return None
        flow = self.flow(conn, rows[0]["flow_id"], rows[0]["flow_digest"])
        past = self.history(conn, case_id) if history else ()
        return case_of(flow, rows[0], past, open_alerts_of(rows))

    def cases_to_change(self, conn: Connection, case_ids: Sequence[str]) -> dict[str, Case]:
        """Several cases to change (without history), as `get(..., to_change=True)` reads one:
        locked first on PostgreSQL (alertrows.LOCK_CASE), then read with their open alerts in
        one statement. A case not found is left out."""
        rows: dict[str, list[Any]] = {}  # a case's row once per open alert
        try:
            if not self.is_sqlite:
                conn.execute(alertrows.lock_cases(case_ids)).close()
            for row in conn.execute(alertrows.cases_with_alerts(case_ids)):
                rows.setdefault(row.id, []).append(row._mapping)
        except UNREADABLE as error:
            raise damaged("-", error) from None
        return {
            case_id: case_of(
                self.flow(conn, found[0]["flow_id"], found[0]["flow_digest"]),
                found[0],
                (),
                open_alerts_of(found),
            )
            for case_id, found in rows.items()
        }

    def changed_since(self, conn: Connection, read: Mapping[str, int]) -> list[str]:
        """Of the cases read (id -> the seq read), those changed since, the others locked until
        the transaction ends: a change that only looked at a case relied on it as it was."""
        if not read:
            return []
        query = sa.select(cases.c.id, cases.c.seq).where(cases.c.id.in_(sorted(read)))
        found = {
            row.id: row.seq for row in conn.execute(query if self.is_sqlite else query.with_for_update())
        }
        return [case_id for case_id, seq in read.items() if found.get(case_id) != seq]

    def history(self, conn: Connection, case_id: str) -> tuple[Event, ...]:
        rows = conn.execute(sa.select(events).where(events.c.case_id == case_id).order_by(events.c.seq))
        try:
            return tuple(event_of(dict(r._mapping)) for r in rows)
        except UNREADABLE as error:
            raise damaged(case_id, error) from None

    def ids(self, conn: Connection, after: str | None, limit: int) -> list[str]:
        """Case ids in order, `limit` at a time after `after`: what `verify` pages through (one
        damaged case must not hide the others)."""
        query = sa.select(cases.c.id).order_by(cases.c.id).limit(limit)
        if after is not None:
            query = query.where(cases.c.id > after)
        return list(conn.execute(query).scalars())

    def select(self, conn: Connection, where: CaseFilter) -> list[Case]:
        """Cases (without history) matching `where`, by id (see `query`)."""
        found = []
        try:
            rows = [dict(row._mapping) for row in conn.execute(self.query(where))]
            alerted = open_alerts(conn, [row["id"] for row in rows]) if rows else {}
            for row in rows:
                flow = self.flow(conn, row["flow_id"], row["flow_digest"])
                found.append(case_of(flow, row, (), alerted.get(row["id"], ())))
        except UNREADABLE as error:  # a row the driver cannot convert: find which, to name it
            for case_id in conn.execute(self.query(where).with_only_columns(cases.c.id)).scalars():
                self.get(conn, case_id, history=False)
            raise damaged("-", error) from None
        return found

    def query(self, where: CaseFilter) -> sa.Select[Any]:
        """The SELECT of the cases matching `where`, by id (see queries.case_query)."""
        return case_query(where, sqlite=self.is_sqlite)

    def _update(self, columns: tuple[str, ...]) -> Prepared:
        prepared = self._updates.get(columns)
        if prepared is None:
            prepared = self._updates[columns] = Prepared(update_if_unchanged(columns), self.engine.dialect)
        return prepared

    def below(self, place: str) -> sa.ColumnElement[bool]:
        """Places below `place`, in a form an index can serve (see queries.below)."""
        return below(place, sqlite=self.is_sqlite)

    def write(self, conn: Connection, writes: Sequence[CaseWrite]) -> list[str]:
        """Save cases and their new events; returns the ids someone else changed first (nothing
        is saved for them — the caller rolls the whole transaction back)."""
        return write_cases(conn, writes, self._update, self._insert_events)


def _first_line(exc: SQLAlchemyError) -> str:
    cause = getattr(exc, "orig", None) or exc
    return (str(cause).strip().splitlines() or [type(exc).__name__])[0]


def open_store(
    url: str | None = None, *, create: bool = True, drill: bool = False, existing: bool = False
) -> Store:
    """A store at `url` (default: SOPFLOW_DB, else ./sopflow.db), checked to be at this sopflow's
    schema revision with all its tables, its tables created if it is new (see `Store.create`).
    `drill`: make a new store a drill or training store, whose clock may be set ahead (an
    existing store cannot become one). `existing`: the store must be there already (a command
    that only reads never makes one: `store.empty`). `create=False` opens it as it is, unchecked
    (`sopflow db` does, to upgrade or describe it)."""
    ArgumentError.check_optional("url", url, str, "expected.text_or_none")
    for name, flag in (("create", create), ("drill", drill), ("existing", existing)):
        ArgumentError.check(name, flag, bool, "expected.yes_no")
    url = url or os.environ.get("SOPFLOW_DB") or DEFAULT_URL
    engine = database_engine(url)
    store = Store(engine)
    if existing and store.is_sqlite and not store.in_memory and not Path(str(engine.url.database)).exists():
        raise StoreError("store.missing", url=store.url)  # not made here: a typo'd path stays no file
    try:
        with store._errors():
            if existing:
                store.check()
            elif create:
                store.create(drill=drill)
    except BaseException:
        store.close()  # its connections, not left for the garbage collector
        raise
    return store


_STORES: weakref.WeakSet[Store] = weakref.WeakSet()  # every open store of this process


def _after_fork_in_child() -> None:
    for store in list(_STORES):
        store._forked()


os.register_at_fork(after_in_child=_after_fork_in_child)
