"""Issue 12.2 and 12.3: staff changing one case at once queue up (none refused), and every read of a
case and its history is one snapshot. Real threads and processes, on SQLite and PostgreSQL, counted."""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sopflow import CaseError, Engine, EventKind, Store, open_store

from .conftest import T0, TickingClock, catalog

THREADS, READINGS = 8, 25
PROCESSES, PROCESS_READINGS = 4, 50


def _in_threads(count: int, work: Callable[[int], None]) -> None:
    start = threading.Barrier(count)
    failures: list[BaseException] = []

    def run(n: int) -> None:
        start.wait()
        try:
            work(n)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures


def test_simultaneous_readings_on_one_case_are_all_recorded(
    store: Store, ticking_clock: TickingClock
) -> None:
    """8 threads x 25 readings on one case, the clock moving on as a real one does: a writer that
    waited for the lock must not find its reading 'before the case's last entry'."""
    engine = Engine(store, flows=catalog(), clock=ticking_clock)
    engine.start("watch", "W-1", {}, actor="王芳", role="nurse")
    refused: Counter[str] = Counter()

    def record(writer: int) -> None:
        for n in range(READINGS):
            try:
                engine.fire(
                    "W-1",
                    "reading",
                    actor=f"w{writer}",
                    role="nurse",
                    data={"temperature": "36.6", "writer": f"w{writer}-{n}"},
                )
            except CaseError as error:
                refused[error.code] += 1

    _in_threads(THREADS, record)
    assert refused == Counter(), f"{sum(refused.values())} of {THREADS * READINGS} wrongly refused"
    case = engine.case("W-1")
    assert sum(e.kind is EventKind.CHECK for e in case.history) == THREADS * READINGS
    assert engine.verify() == []


def _record_in_process(url: str, ticks: Any, start: Any, refused: Any, writer: int) -> None:
    """One member of staff in a process of their own; the clock is shared and moves on 1 ms a read."""

    def clock() -> datetime:
        with ticks.get_lock():
            ticks.value += 1
            return T0 + timedelta(milliseconds=ticks.value)

    store = open_store(url)
    engine = Engine(store, flows=catalog(), clock=clock)
    engine.case("W-1")  # connected and warmed up before the race
    start.wait()
    for n in range(PROCESS_READINGS):
        try:
            engine.fire(
                "W-1",
                "reading",
                actor=f"p{writer}",
                role="nurse",
                data={"temperature": "36.6", "writer": f"{n}"},
            )
        except CaseError:
            with refused.get_lock():
                refused.value += 1
    store.close()


def test_simultaneous_readings_from_processes_are_all_recorded(trust_engine: Engine, store_url: str) -> None:
    trust_engine.start("watch", "W-1", {}, actor="王芳", role="nurse")
    trust_engine.store.close()  # nothing of the parent's is shared with the children
    context = multiprocessing.get_context("fork")
    ticks, refused, start = context.Value("q", 0), context.Value("q", 0), context.Barrier(PROCESSES)
    workers = [
        context.Process(target=_record_in_process, args=(store_url, ticks, start, refused, w))
        for w in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [w.exitcode for w in workers] == [0] * PROCESSES
    assert refused.value == 0, f"{refused.value} of {PROCESSES * PROCESS_READINGS} wrongly refused"
    assert trust_engine.case("W-1").seq == 1 + PROCESSES * PROCESS_READINGS
    assert trust_engine.verify() == []


WRITES = 1500  # a case's history the readers see grow; unbounded, each read of it grew without end


def _writing(engine: Engine, case_ids: list[str]) -> tuple[threading.Event, threading.Thread]:
    """A member of staff recording readings on the cases, round and round, until told to stop
    (or WRITES readings are recorded: reading a case reads its whole history)."""
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set() and n < WRITES:
            engine.fire(
                case_ids[n % len(case_ids)],
                "reading",
                actor="李医生",
                role="nurse",
                data={"temperature": "36.6"},
            )
            n += 1

    thread = threading.Thread(target=write)
    thread.start()
    return stop, thread


def test_a_case_and_its_history_are_one_snapshot(trust_engine: Engine, store_url: str) -> None:
    trust_engine.start("watch", "W-1", {}, actor="王芳", role="nurse")
    stop, writer = _writing(trust_engine, ["W-1"])
    disagreements = 0
    try:
        for _ in range(400):
            case = trust_engine.case("W-1")
            if [e.seq for e in case.history] != list(range(1, case.seq + 1)):
                disagreements += 1
    finally:
        stop.set()
        writer.join()
    assert disagreements == 0, f"Engine.case() disagreed with its own history {disagreements} times in 400"


def test_verify_on_a_live_store_finds_no_false_differences(trust_engine: Engine, store_url: str) -> None:
    for n in range(3):
        trust_engine.start("watch", f"W-{n}", {}, actor="王芳", role="nurse")
    stop, writer = _writing(trust_engine, ["W-0", "W-1", "W-2"])
    false_runs = 0
    try:
        for _ in range(20):
            if trust_engine.verify():
                false_runs += 1
    finally:
        stop.set()
        writer.join()
    assert false_runs == 0, f"verify reported false differences in {false_runs} of 20 runs"
