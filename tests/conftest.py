"""Shared fixtures: real stores (a SQLite file and a PostgreSQL schema) and an injected clock."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from sopflow.engine.runtime import Engine
from sopflow.store.store import Store, open_store

PG_SERVER = os.environ.get("SOPFLOW_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="Rewrite the golden chart files.")


@pytest.fixture(autouse=True, scope="session")
def _flow_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The checked-flow cache of the test run in a folder of its own, never the user's."""
    previous = os.environ.get("SOPFLOW_CACHE")
    os.environ["SOPFLOW_CACHE"] = str(tmp_path_factory.mktemp("flowcache"))
    yield
    if previous is None:
        del os.environ["SOPFLOW_CACHE"]
    else:
        os.environ["SOPFLOW_CACHE"] = previous


class Clock:
    """Time that moves only when a test moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


SCHEMA_LOCK = 20200201  # the advisory lock the test workers make and drop their schemas under


def _schema_ddl(admin: sa.Engine, sql: str) -> None:
    """Make or drop a test's schema, one test worker at a time. Dropping a schema's tables while
    another worker makes or drops its own once deadlocked in PostgreSQL's catalog (about one
    run in six of two workers); the lock serialises the fixtures, and a deadlock with a test's
    own tables being made is tried again, as PostgreSQL advises for a deadlock's victim."""
    for attempt in range(3):
        try:
            with admin.begin() as conn:
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")
                conn.exec_driver_sql(sql)
            return
        except sa.exc.OperationalError as exc:
            if "deadlock detected" not in str(exc) or attempt == 2:
                raise


def postgres_url() -> Iterator[str]:
    """A fresh schema on the local PostgreSQL server, dropped afterwards."""
    schema = f"sopflow_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_SERVER)
    _schema_ddl(admin, f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_SERVER}?options=-csearch_path%3D{schema}"
    finally:
        _schema_ddl(admin, f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/cases.db"
    else:
        yield from postgres_url()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    yield opened
    opened.close()


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2020, 2, 1, 1, 0, tzinfo=UTC))  # 09:00 in Qian Gorlos


@pytest.fixture
def engine(store: Store, clock: Clock) -> Engine:
    return Engine(store, clock=clock)
