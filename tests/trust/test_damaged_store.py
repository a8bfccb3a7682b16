"""Issue 12.8: a damaged store (rows edited by hand, a table dropped, an empty file) gives one-line
errors, never a traceback; `verify` reports each damaged case and goes on; an existing store with
missing tables is damaged and said so, not silently made anew."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sopflow import Engine, SopflowError, StoreError, open_store

from .conftest import REQUEST, Run, assert_clean_failure, catalog

# name: (SQL that damages case D-1 only, SQLite only: PostgreSQL's column types refuse it)
ROW_DAMAGE: dict[str, tuple[str, bool]] = {
    "event kind": ("UPDATE events SET kind = 'bogus' WHERE case_id = 'D-1' AND seq = 1", False),
    "case status": ("UPDATE cases SET status = 'bogus' WHERE id = 'D-1'", False),
    "case step": ("UPDATE cases SET step = 'nowhere' WHERE id = 'D-1'", False),
    "event step": ("UPDATE events SET to_step = 'nowhere' WHERE case_id = 'D-1'", False),
    "checks not a mapping": ("UPDATE cases SET last_checks = '[1, 2]' WHERE id = 'D-1'", False),
    "children not a list": ("UPDATE cases SET children = '{\"a\": 1}' WHERE id = 'D-1'", False),
    "text as a time": ("UPDATE cases SET entered_at = 'yesterday' WHERE id = 'D-1'", True),
    "text as an event time": ("UPDATE events SET at = 'yesterday' WHERE case_id = 'D-1'", True),
    "text as a number": ("UPDATE cases SET seq = 'many' WHERE id = 'D-1'", True),
    "malformed data JSON": ("UPDATE cases SET data = '{not json' WHERE id = 'D-1'", True),
    "malformed changes JSON": ("UPDATE events SET changes = '{not json' WHERE case_id = 'D-1'", True),
}
SORTED = {"request_type": "medicine", "items": "布洛芬", "urgent": "no"}  # D-1's next action's data


def _sql(store_url: str) -> sa.Engine:
    """The database under the store, reached without sopflow (as whoever damaged it did)."""
    return sa.create_engine(store_url, poolclass=sa.pool.NullPool)


def _damage(store_url: str, *statements: str) -> None:
    database = _sql(store_url)
    with database.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    database.dispose()


@pytest.fixture
def two_cases(store_url: str, clock: Callable[..., Any]) -> Iterator[str]:
    """D-1 and D-2, two supply requests, and W-1 on the watch flow, saved and the store closed."""
    store = open_store(store_url)
    engine = Engine(store, flows=catalog(), clock=clock)
    for case_id in ("D-1", "D-2"):
        engine.start("supply_request", case_id, REQUEST, actor="王芳", role="grid_worker")
    engine.start("watch", "W-1", {}, actor="王芳", role="nurse")
    store.close()
    yield store_url


def _reopened(store_url: str, clock: Callable[..., Any]) -> Engine:
    return Engine(open_store(store_url), flows=catalog(), clock=clock)


def _calls(engine: Engine) -> dict[str, Callable[[], object]]:
    """What staff do with a case: each must work or say what is wrong in one line."""
    return {
        "case": lambda: engine.case("D-1"),
        "offers": lambda: engine.offers("D-1"),
        "cases": engine.cases,
        "due": engine.due,
        "fire": lambda: engine.fire("D-1", "sorted", actor="王芳", role="grid_worker", data=SORTED),
    }


@pytest.mark.parametrize("damage", ROW_DAMAGE)
def test_reading_a_damaged_case_gives_no_raw_error(
    two_cases: str, clock: Callable[..., Any], damage: str
) -> None:
    sql, sqlite_only = ROW_DAMAGE[damage]
    if sqlite_only and not two_cases.startswith("sqlite"):
        pytest.skip("PostgreSQL's column types refuse this damage")
    _damage(two_cases, sql)
    engine = _reopened(two_cases, clock)
    raw = {}
    for name, call in _calls(engine).items():
        try:
            call()
        except SopflowError:
            continue
        except Exception as error:
            raw[name] = repr(error)[:100]
    engine.store.close()
    assert raw == {}


@pytest.mark.parametrize("damage", ROW_DAMAGE)
def test_verify_reports_the_damaged_case_and_goes_on(
    two_cases: str, clock: Callable[..., Any], damage: str
) -> None:
    sql, sqlite_only = ROW_DAMAGE[damage]
    if sqlite_only and not two_cases.startswith("sqlite"):
        pytest.skip("PostgreSQL's column types refuse this damage")
    _damage(two_cases, sql)
    engine = _reopened(two_cases, clock)
    try:
        reported = {d.case_id for d in engine.verify()}
    finally:
        engine.store.close()
    assert reported == {"D-1"}


@pytest.mark.parametrize("source", ["swapped", "garbage"])
def test_a_damaged_flow_version_is_reported_for_its_cases(
    two_cases: str, clock: Callable[..., Any], source: str
) -> None:
    swap = {  # the supply_request version's source made another flow's, or not a flow at all
        "swapped": "UPDATE flow_versions SET source = (SELECT f.source FROM flow_versions f "
        "WHERE f.flow_id = 'watch') WHERE flow_id = 'supply_request'",
        "garbage": "UPDATE flow_versions SET source = 'not: [a flow' WHERE flow_id = 'supply_request'",
    }
    _damage(two_cases, swap[source])
    engine = _reopened(two_cases, clock)
    try:
        assert {d.case_id for d in engine.verify()} == {"D-1", "D-2"}
        with pytest.raises(StoreError):
            engine.offers("D-1")
    finally:
        engine.store.close()


@pytest.mark.parametrize(
    "damage", ["case status", "checks not a mapping", "event kind", "case step", "event step"]
)
def test_cli_verify_on_a_damaged_store_names_the_case(sopflow: Run, two_cases: str, damage: str) -> None:
    _damage(two_cases, ROW_DAMAGE[damage][0])
    result = sopflow("--db", two_cases, "verify")
    assert_clean_failure(result, "D-1", codes=(1,))
    assert "D-2" not in result.output


def test_cli_verify_on_an_empty_file_says_it_is_not_a_store(sopflow: Run, tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    result = sopflow("--db", str(empty), "verify")
    assert_clean_failure(result, "empty.db", codes=(1,))


@pytest.mark.parametrize("table", ["cases", "events"])
def test_a_store_with_a_table_dropped_is_damaged_not_made_anew(
    two_cases: str, clock: Callable[..., Any], table: str
) -> None:
    cascade = "" if two_cases.startswith("sqlite") else " CASCADE"
    _damage(two_cases, f"DROP TABLE {table}{cascade}")
    with pytest.raises(StoreError):
        engine = _reopened(two_cases, clock)
        try:
            engine.verify()
            engine.fire("D-1", "sorted", actor="王芳", role="grid_worker", data=SORTED)
        finally:
            engine.store.close()
    database = _sql(two_cases)
    try:
        assert table not in sa.inspect(database).get_table_names()
    finally:
        database.dispose()
