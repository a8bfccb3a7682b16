"""A pooled PostgreSQL connection is pinged before it is lent only if it lay unused a while
(store/connect.py, IDLE_BEFORE_PING): a ping before every transaction was one round trip in six
of a recorded reading. A dead connection that lay unused is replaced unseen; one used a moment
ago that the server dropped is one clear error for that call, and the next call works."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from sopflow import Engine, StoreError, open_store
from sopflow.store import connect
from sopflow.store.store import Store
from tests.conftest import PG_SERVER, Clock, postgres_url

TERMINATE = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s"
REQUEST = {"household_id": "H-1", "address": "前郭镇东风社区3号楼2单元501"}


@pytest.fixture
def named_store() -> Iterator[tuple[Store, str]]:
    """A PostgreSQL store whose backends are found by their application name."""
    name = f"sopflow_ping_{uuid.uuid4().hex[:8]}"
    for url in postgres_url():
        store = open_store(f"{url}&application_name={name}")
        yield store, name
        store.close()


def _terminate(name: str) -> int:
    """Terminate the store's backends, as a server restart or an administrator would."""
    admin = sa.create_engine(PG_SERVER, poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        killed = conn.exec_driver_sql(TERMINATE, (name,)).scalar_one()
    admin.dispose()
    return int(killed)


def _engine_with_a_case(store: Store, clock: Clock) -> Engine:
    engine = Engine(store, clock=clock)
    engine.start("supply_request", "R-1", REQUEST, actor="王芳", role="grid_worker")
    return engine


def test_a_dead_connection_that_lay_unused_is_replaced_unseen(
    named_store: tuple[Store, str], clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, name = named_store
    engine = _engine_with_a_case(store, clock)
    monkeypatch.setattr(connect, "IDLE_BEFORE_PING", 0.0)  # every connection has lain long enough
    assert _terminate(name) >= 1
    assert engine.case("R-1").id == "R-1"  # pinged, found dead, replaced: no error


def test_a_connection_dropped_a_moment_after_use_is_one_clear_error(
    named_store: tuple[Store, str], clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, name = named_store
    engine = _engine_with_a_case(store, clock)
    monkeypatch.setattr(connect, "IDLE_BEFORE_PING", 1e9)  # used a moment ago: not pinged
    assert _terminate(name) >= 1
    with pytest.raises(StoreError) as raised:
        engine.case("R-1")
    assert "\n" not in str(raised.value)
    assert engine.case("R-1").id == "R-1"  # the next call, on a new connection
