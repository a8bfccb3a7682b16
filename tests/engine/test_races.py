"""Several processes writing the same cases at once, on SQLite and PostgreSQL: nothing is lost,
nothing is recorded twice, and of writers that all saw the same state exactly one wins."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sopflow.cases.records import ConcurrentChange, EventKind
from sopflow.engine.runtime import Engine
from sopflow.language.catalog import FlowCatalog, builtin_dir
from sopflow.store.store import Store, open_store

FLOWS = Path(__file__).parent.parent / "data" / "flows"
WRITERS = 4
READINGS = 15
CASES = ["C-1", "C-2", "C-3"]
AT = datetime(2020, 2, 1, tzinfo=UTC)


def _engine(url: str) -> Engine:
    return Engine(open_store(url), flows=FlowCatalog([FLOWS, builtin_dir()]), clock=lambda: AT)


def record_readings(url: str, writer: int, start: Any) -> tuple[int, int]:
    """One member of staff recording readings on every case, retrying when beaten to it."""
    engine = _engine(url)
    start.wait()
    done = clashes = 0
    for n in range(READINGS):
        for case_id in CASES:
            while True:
                try:
                    engine.fire(
                        case_id,
                        "reading",
                        actor=f"w{writer}",
                        role="doctor",
                        data={"temperature": f"36.{n % 10}", "writer": f"w{writer}-{n}"},
                    )
                    done += 1
                    break
                except ConcurrentChange:
                    clashes += 1
    engine.store.close()
    return done, clashes


def close_once(url: str, writer: int, seq: int, start: Any) -> str:
    engine = _engine(url)
    start.wait()
    try:
        engine.fire(
            "C-1", "close", actor=f"w{writer}", role="doctor", expected_seq=seq, data={"writer": f"w{writer}"}
        )
        outcome = "won"
    except ConcurrentChange:
        outcome = "told"
    engine.store.close()
    return outcome


def _run(function: Any, args: list[tuple[Any, ...]]) -> list[Any]:
    context = multiprocessing.get_context("spawn")
    start = context.Manager().Barrier(len(args))
    with context.Pool(len(args)) as pool:
        return pool.starmap(function, [(*a, start) for a in args])


@pytest.fixture
def engine(store: Store, store_url: str) -> Iterator[Engine]:
    opened = _engine(store_url)
    yield opened
    opened.store.close()


def test_concurrent_readings_are_all_kept_once(engine: Engine, store_url: str) -> None:
    for case_id in CASES:
        engine.start("race", case_id, {}, actor="setup", role="doctor")
    results = _run(record_readings, [(store_url, w) for w in range(WRITERS)])
    assert sum(done for done, _ in results) == WRITERS * READINGS * len(CASES)
    for case_id in CASES:
        case = engine.case(case_id)
        readings = [e for e in case.history if e.kind is EventKind.CHECK]
        assert len(readings) == WRITERS * READINGS
        assert [e.seq for e in case.history] == list(range(1, case.seq + 1))
        writers = sorted(e.changes["writer"][1] for e in readings)
        assert writers == sorted(f"w{w}-{n}" for w in range(WRITERS) for n in range(READINGS))
    assert engine.verify() == []


def test_of_writers_who_saw_the_same_state_exactly_one_wins(engine: Engine, store_url: str) -> None:
    seq = engine.start("race", "C-1", {}, actor="setup", role="doctor").seq
    outcomes = _run(close_once, [(store_url, w, seq) for w in range(WRITERS)])
    assert sorted(outcomes) == ["told"] * (WRITERS - 1) + ["won"]
    case = engine.case("C-1")
    assert case.outcome == "closed" and case.seq == seq + 1
    assert engine.verify() == []
