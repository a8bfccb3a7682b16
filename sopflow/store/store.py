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
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError, SQLAlchemyError

from sopflow.cases.fielddata import data_from_json
from sopflow.cases.filter import CaseFilter
from sopflow.cases.records import Case, CaseStatus, Event
from sopflow.errors import StoreError
from sopflow.language.loader import load_shallow
from sopflow.language.model import Flow
from sopflow.store.revision import HEAD
from sopflow.store.rows import (
    ALL_COLUMNS,
    CASE_BY_ID,
    CASE_TO_CHANGE,
    INSERT_CASE,
    INSERT_EVENTS,
    CaseWrite,
    case_row,
    event_of,
    event_row,
    json_text,
    naive,
    update_if_unchanged,
    utc,
)
from sopflow.store.sqlrun import Prepared
from sopflow.store.tables import cases, events, flow_versions
from sopflow.store.versioning import SCHEMA_LOCK, SELECT_REVISION, settle_schema

DEFAULT_URL = "sqlite:///sopflow.db"


class Store:
    """Cases on disk (or on a server). Open with `open_store(url)`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=True)
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._flows: dict[tuple[str, str], Flow] = {}
        self._saved: set[tuple[str, str]] = set()  # flow versions known to be in this store
        self._held = threading.local()  # each thread's open connection (see _connection)
        self._open: weakref.WeakSet[Connection] = weakref.WeakSet()  # gone with their thread
        dialect = engine.dialect
        self._case_by_id = Prepared(CASE_BY_ID, dialect)
        self._case_to_change = Prepared(CASE_TO_CHANGE, dialect)
        self._updates: dict[tuple[str, ...], Prepared] = {}  # by the columns they set
        self._insert_events = Prepared(INSERT_EVENTS, dialect)

    def create(self) -> None:
        """Check that the store's tables are the ones this sopflow reads, and make them in a
        brand-new store (at the newest schema revision). An older store is refused with a
        message to run `sopflow db upgrade`, a newer one as such; either is left unchanged. The
        check is one SELECT; the lock below is taken only for a store not at HEAD."""
        if self._recorded_revision() == HEAD:
            return
        with self.exclusive() as conn:
            settle_schema(conn, self.url)

    def _recorded_revision(self) -> str | None:
        """The revision the store records, or None if it has none (or cannot be read: the
        slower path then says why)."""
        try:
            with self.reading() as conn:
                recorded = conn.execute(SELECT_REVISION).scalars().all()
        except StoreError:
            return None
        return recorded[0] if len(recorded) == 1 else None

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
                    conn.rollback()
                    raise
                conn.commit()
            finally:
                if self.is_sqlite:
                    driver.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only transaction: one consistent snapshot for everything read in it."""
        with self._errors(), self._connection() as conn:
            if self.is_sqlite:
                conn.exec_driver_sql("BEGIN")
            try:
                yield conn
            finally:
                conn.rollback()

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
                conn.rollback()
                raise
            conn.commit()

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """On SQLite, this thread's connection, kept open from one transaction to the next:
        taking one from the pool and giving it back cost more than SQLite's own work for a
        change. (A SQLite connection is an open file; on PostgreSQL, where a connection is a
        server process, the pool lends one per transaction.) A transaction opened inside
        another gets a connection of its own."""
        held: Connection | None = getattr(self._held, "conn", None) if self.is_sqlite else None
        if self.is_sqlite and (
            held is None or held.closed or held.invalidated or self._held.pid != os.getpid()
        ):
            held = self._held.conn = self.engine.connect()  # first use, closed, broken, or forked
            self._held.pid = os.getpid()
            self._open.add(held)
        if held is None or held.in_transaction():
            with self.engine.connect() as conn:
                yield conn
        else:
            yield held

    def close(self) -> None:
        """Close the connections this store keeps open, and the pool. The store can be used
        again afterwards (it connects anew)."""
        for conn in list(self._open):
            if not conn.closed:
                conn.close()
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except OperationalError as exc:
            raise StoreError("store.unavailable", url=self.url, detail=_first_line(exc)) from None
        except self.engine.dialect.loaded_dbapi.OperationalError as exc:  # BEGIN IMMEDIATE, on the driver
            raise StoreError("store.unavailable", url=self.url, detail=str(exc).splitlines()[0]) from None
        except IntegrityError:
            raise  # a constraint the engine's own checks should have kept: a bug, not the store
        except DatabaseError as exc:  # not a database ("file is not a database"), or foreign tables
            detail = _first_line(exc)
            if "no schema has been selected" in detail:  # search_path names a schema not made yet
                raise StoreError("store.no_schema", url=self.url, detail=detail) from None
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
        exists = conn.execute(
            sa.select(flow_versions.c.digest).where(
                flow_versions.c.flow_id == flow.id, flow_versions.c.digest == flow.digest
            )
        ).first()
        if exists is None:
            insert = sqlite_insert if self.is_sqlite else postgresql_insert
            values = {"flow_id": flow.id, "digest": flow.digest, "version": flow.version}
            saved_at = naive(datetime.now(UTC))
            conn.execute(
                insert(flow_versions)
                .values(**values, source=flow.source_text, saved_at=saved_at)
                .on_conflict_do_nothing()
            )
        self._flows[(flow.id, flow.digest)] = flow

    def saved(self, flows: list[Flow]) -> None:
        """Remember flow versions a committed transaction saved: later writes skip the lookup."""
        self._saved.update((flow.id, flow.digest) for flow in flows)

    def flow(self, conn: Connection, flow_id: str, digest: str) -> Flow:
        """The flow version a case started on, from its saved source."""
        key = (flow_id, digest)
        if key not in self._flows:
            row = conn.execute(
                sa.select(flow_versions.c.source).where(
                    flow_versions.c.flow_id == flow_id, flow_versions.c.digest == digest
                )
            ).first()
            if row is None:
                raise StoreError("store.missing_flow_version", flow=flow_id, digest=digest[:12])
            self._flows[key] = load_shallow(row.source.encode("utf-8"), f"<{flow_id} {digest[:12]}>")[0]
        return self._flows[key]

    def get(
        self, conn: Connection, case_id: str, *, history: bool = True, to_change: bool = False
    ) -> Case | None:
        """The case, with its history unless `history=False`; `to_change`: lock its row until the
        transaction ends (PostgreSQL), so that no other change can come in between."""
        statement = self._case_to_change if to_change else self._case_by_id
        row = statement.first(conn, {"wanted_id": case_id})
        if row is None:
            return None
        flow = self.flow(conn, row["flow_id"], row["flow_digest"])
        past = self.history(conn, case_id) if history else ()
        return self._case(flow, row, past)

    def history(self, conn: Connection, case_id: str) -> tuple[Event, ...]:
        rows = conn.execute(sa.select(events).where(events.c.case_id == case_id).order_by(events.c.seq))
        return tuple(event_of(dict(r._mapping)) for r in rows)

    def _case(self, flow: Flow, row: Mapping[str, Any], past: tuple[Event, ...]) -> Case:
        return Case(
            id=row["id"],
            flow_id=row["flow_id"],
            flow_version=row["flow_version"],
            flow_digest=row["flow_digest"],
            step=row["step"],
            status=CaseStatus(row["status"]),
            outcome=row["outcome"],
            data=MappingProxyType(data_from_json(flow.fields, row["data"], flow.date_fields)),
            parent_id=row["parent_id"],
            place=row["place"],
            created_at=utc(row["created_at"]),
            updated_at=utc(row["updated_at"]),
            entered_at=utc(row["entered_at"]),
            last_checks=MappingProxyType(
                {k: datetime.fromisoformat(v) for k, v in (row["last_checks"] or {}).items()}
            ),
            children=tuple(row["children"] or ()),
            seq=row["seq"],
            history=past,
        )

    def select(self, conn: Connection, where: CaseFilter) -> list[Case]:
        """Cases (without history) matching `where`, by id (see `query`)."""
        found = []
        for row in conn.execute(self.query(where)):
            flow = self.flow(conn, row.flow_id, row.flow_digest)
            found.append(self._case(flow, dict(row._mapping), ()))
        return found

    def query(self, where: CaseFilter) -> sa.Select[Any]:
        """The SELECT of the cases matching `where`, by id. Each filter is one an index serves (the
        tests look at the query plans)."""
        query = sa.select(cases).order_by(cases.c.id)
        equal = {
            "flow_id": where.flow_id,
            "step": where.step,
            "role": where.role,
            "status": where.status,
            "parent_id": where.parent_id,
        }
        for column, value in equal.items():
            if value is not None:
                query = query.where(cases.c[column] == value)
        if where.after_id is not None:
            query = query.where(cases.c.id > where.after_id)
        if where.place is not None:
            query = query.where(sa.or_(cases.c.place == where.place, self.below(where.place)))
        if where.due_before is not None:
            query = query.where(cases.c.status == "active", cases.c.next_due_at <= naive(where.due_before))
        if where.timer_before is not None:
            query = query.where(
                cases.c.status == "active", cases.c.next_timer_at <= naive(where.timer_before)
            )
        if where.limit is not None:
            query = query.limit(where.limit)
        return query

    def _update(self, columns: tuple[str, ...]) -> Prepared:
        prepared = self._updates.get(columns)
        if prepared is None:
            prepared = self._updates[columns] = Prepared(update_if_unchanged(columns), self.engine.dialect)
        return prepared

    def below(self, place: str) -> sa.ColumnElement[bool]:
        """Places below `place` ('前郭县/平凤乡' is below '前郭县'), in a form an index can serve.
        SQLite compares text bytewise, so they are the range from 'place/' up to 'place0' ('0'
        follows '/'); its LIKE ignores case and cannot use an index. PostgreSQL takes LIKE with
        the pattern index above."""
        if self.is_sqlite:
            return sa.and_(cases.c.place >= place + "/", cases.c.place < place + "0")
        return cases.c.place.startswith(place + "/", autoescape=True)

    def write(self, conn: Connection, writes: Sequence[CaseWrite]) -> list[str]:
        """Save cases and their new events; returns the ids someone else changed first (nothing
        is saved for them — the caller rolls the whole transaction back)."""
        conflicts = []
        for item in writes:
            if item.read_seq is None:
                values = case_row(item, ALL_COLUMNS)
                try:
                    with conn.begin_nested():
                        conn.execute(INSERT_CASE, values)
                except IntegrityError:
                    conflicts.append(item.case.id)
                    continue
            else:
                columns = item.changed_columns()
                changing = case_row(item, columns)
                changing["read_id"], changing["read_seq"] = item.case.id, item.read_seq
                cursor = self._update(columns).execute(conn, changing)
                updated = cursor.rowcount
                cursor.close()
                if updated != 1:
                    conflicts.append(item.case.id)
                    continue
            if item.new_events:
                self._insert_events.execute_many(conn, [event_row(item.case.id, e) for e in item.new_events])
        return conflicts


def _first_line(exc: SQLAlchemyError) -> str:
    cause = getattr(exc, "orig", None) or exc
    return (str(cause).strip().splitlines() or [type(exc).__name__])[0]


def open_store(url: str | None = None, *, create: bool = True) -> Store:
    """A store at `url` (default: SOPFLOW_DB, else ./sopflow.db), checked to be at this sopflow's
    schema revision, its tables created if it is new (see `Store.create`). `create=False` opens
    it as it is, unchecked (`sopflow db` does, to upgrade or describe it)."""
    url = url or os.environ.get("SOPFLOW_DB") or DEFAULT_URL
    try:
        if url.startswith("sqlite"):
            options: dict[str, Any] = {"connect_args": {"timeout": 60}, "json_serializer": json_text}
            if sa.engine.make_url(url).database not in (None, "", ":memory:"):
                options["pool_size"] = 0  # every thread keeps its connection (an open file): no cap
            engine = sa.create_engine(url, **options)
            sa.event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = sa.create_engine(_with_driver(url), pool_pre_ping=True, json_serializer=json_text)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreError("store.bad_url", url=url, detail=str(exc).splitlines()[0]) from None
    store = Store(engine)
    if create:
        try:
            store.create()
        except BaseException:
            store.close()  # its connections, not left for the garbage collector
            raise
    return store


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
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=60000")
    cursor.close()
