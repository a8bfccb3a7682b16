"""On PostgreSQL a change is first worked out on its cases read unlocked, and saved only if none
of them changed meanwhile (engine/bulk.py, Bulk._change): the cases it writes by their seq, the
cases it only read by Store.changed_since, which also locks them until the change commits; and
a history read after the case is cut at the case's seq, so the change is worked out on one state
of the case, not on a row from before another change and events from after it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sopflow import Engine
from sopflow.engine.work import Work
from sopflow.store.store import Store
from tests.conftest import Clock
from tests.engine.test_engine import start_request
from tests.engine.test_key_person_walk import register_home_case

SORTED = {"request_type": "groceries", "items": "米", "urgent": "no"}


def test_changed_since_names_the_cases_that_moved_on(engine: Engine) -> None:
    start_request(engine, "R-1")
    start_request(engine, "R-2")
    with engine.store.reading() as conn:
        one = engine.store.get(conn, "R-1", history=False)
        two = engine.store.get(conn, "R-2", history=False)
    assert one is not None and two is not None
    engine.fire("R-2", "sorted", actor="王芳", role="grid_worker", data=SORTED)
    with engine.store.writing() as conn:
        assert engine.store.changed_since(conn, {"R-1": one.seq, "R-2": two.seq}) == ["R-2"]
        assert engine.store.changed_since(conn, {"R-9": 1}) == ["R-9"]  # gone (or never there)
        assert engine.store.changed_since(conn, {}) == []


def test_a_case_only_read_stays_locked_until_the_change_commits(
    store_url: str, store: Store, clock: Clock
) -> None:
    if store.is_sqlite:
        pytest.skip("SQLite's BEGIN IMMEDIATE has locked the whole store already")
    engine = Engine(store, clock=clock)
    start_request(engine, "R-1")
    other = sa.create_engine(store_url, poolclass=sa.pool.NullPool)
    try:
        with store.writing() as conn:
            assert store.changed_since(conn, {"R-1": 1}) == []
            with other.connect() as theirs:
                theirs.exec_driver_sql("SET lock_timeout = '200ms'")
                with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
                    theirs.exec_driver_sql("UPDATE cases SET seq = seq WHERE id = 'R-1'")
    finally:
        other.dispose()


def test_work_lists_the_cases_it_only_read(engine: Engine) -> None:
    start_request(engine, "R-1")
    start_request(engine, "R-2")
    with engine.store.writing() as conn:
        work = Work(conn, lock=False)
        looked_at = engine._read(work, "R-1")
        changed = engine._read(work, "R-2")
        stepper = engine.stepper(engine.store.flow(conn, changed.flow_id, changed.flow_digest))
        sorting = stepper.fire(
            changed, "sorted", actor="王芳", role="grid_worker", data=SORTED, at=engine.now()
        )
        engine.stage(work, sorting, stepper)
        assert work.only_read() == {"R-1": looked_at.seq}
        conn.rollback()


def test_a_history_read_after_its_case_is_cut_at_the_case(engine: Engine, clock: Clock) -> None:
    register_home_case(engine, clock)
    with engine.store.reading() as conn:
        stale = engine.store.get(conn, "K-0001", history=False)
    assert stale is not None
    clock.advance(hours=1)
    engine.fire(
        "K-0001",
        "temperature_check",
        actor="张三",
        role="subject",
        data={"temperature": "36.5", "symptoms": "no"},
    )
    with engine.store.reading() as conn:
        past = engine.with_past(conn, stale, whole=True).history
    assert [e.seq for e in past] == list(range(1, stale.seq + 1))  # not the reading made after it
    assert engine.case("K-0001").seq == stale.seq + 1
