"""Issue 15's fault tests, on SQLite and PostgreSQL with real processes: a `tick` killed (SIGKILL)
inside one of its transactions, eight processes racing on the same fifty cases through the
command line, and a PostgreSQL connection cut in the middle of a change."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from sopflow import Engine, EventKind, SopflowError, StoreError, open_store
from sopflow.cli import cli
from sopflow.engine import bulk
from sopflow.engine.stepper import Stepper

from ..trust.conftest import DATA, T0, TickingClock, catalog

TICK_CASES, KILL_AFTER = 40, 15  # the tick is killed while working out its 16th case
BATCH = 10  # cases a tick runs in one transaction, here: the kill falls inside the second batch
RACERS, RACED_CASES = 8, 50


def _start_watches(url: str, count: int) -> None:
    with open_store(url) as store:
        engine = Engine(store, flows=catalog(), clock=TickingClock())
        for n in range(count):
            engine.start("watch", f"W-{n:03}", {}, actor="王芳", role="nurse")


def _tick_until_stopped(url: str, inside: Any) -> None:
    """`tick` two days on, stopped for good inside the transaction of its case KILL_AFTER + 1:
    the case is read and locked, its timer worked out, nothing of it written yet."""
    original = Stepper.run_timers
    calls = Counter[str]()

    def run_timers(self: Stepper, case: Any, now: Any) -> Any:
        calls[case.id] += 1
        if len(calls) == KILL_AFTER + 1:
            inside.set()
            os.read(os.pipe()[0], 1)  # waits for ever: the kill comes here
        return original(self, case, now)

    Stepper.run_timers = run_timers  # type: ignore[method-assign]  # in this child process only
    bulk.TICK_BATCH = BATCH
    with open_store(url) as store:
        Engine(store, flows=catalog(), clock=lambda: T0 + timedelta(days=2)).tick()


def test_a_tick_killed_inside_a_change_leaves_the_store_whole_and_the_rerun_finishes_once(
    store_url: str,
) -> None:
    _start_watches(store_url, TICK_CASES)
    context = multiprocessing.get_context("fork")
    inside = context.Event()
    ticker = context.Process(target=_tick_until_stopped, args=(store_url, inside))
    ticker.start()
    assert inside.wait(timeout=120), "the tick did not get going"
    os.kill(ticker.pid or 0, signal.SIGKILL)
    ticker.join(timeout=60)
    assert ticker.exitcode == -signal.SIGKILL
    with open_store(store_url) as store:
        engine = Engine(store, flows=catalog(), clock=lambda: T0 + timedelta(days=2))
        moved = [c.id for c in engine.cases() if c.step == "review"]
        saved = KILL_AFTER // BATCH * BATCH
        assert len(moved) == saved  # the killed batch left nothing; the batches before it stay
        assert engine.verify() == []
        rerun = engine.tick()  # no lock was left behind: the next tick goes through at once
        assert len(rerun) == TICK_CASES - saved
        for summary in engine.cases():
            case = engine.case(summary.id)
            timers = [e for e in case.history if e.kind is EventKind.TIMER]
            assert len(timers) == 1, (case.id, timers)  # each timer ran out exactly once
            assert [e.seq for e in case.history] == list(range(1, case.seq + 1))
        assert engine.tick() == []
        assert engine.verify() == []


def _race(url: str, racer: int, start: Any, results: Any) -> None:
    """One member of staff at the command line, going through the fifty cases in an order of
    their own: on each, a reading, or (two racers in eight per case) closing it. Each command's
    exit code and what it printed go to `results`."""
    runner = CliRunner()
    env = {
        "SOPFLOW_DB": url,
        "SOPFLOW_FLOWS": str(DATA),
        "SOPFLOW_LANG": "en",
        "SOPFLOW_ACTOR": f"护士{racer}",
        "SOPFLOW_ROLE": "nurse",
        "SOPFLOW_NOW": "2020-02-01 09:30",
    }
    order = list(range(RACED_CASES))
    random.Random(racer).shuffle(order)  # noqa: S311 - an order, not a secret
    start.wait()
    for n in order:
        case = f"W-{n:03}"
        action, extra = ("close", []) if (n + racer) % 4 == 0 else ("reading", ["--set", "temperature=36.6"])
        done = runner.invoke(cli, ["case", "advance", case, action, *extra, "--json"], env=env)
        results.put((case, action, done.exit_code, done.output))
    results.put(None)


def test_eight_processes_racing_on_fifty_cases_through_the_cli_lose_nothing(store_url: str) -> None:
    _start_watches(store_url, RACED_CASES)
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(RACERS), context.Queue()
    racers = [context.Process(target=_race, args=(store_url, r, start, results)) for r in range(RACERS)]
    for racer in racers:
        racer.start()
    outcomes: list[tuple[str, str, int, str]] = []
    finished = 0
    while finished < RACERS:
        item = results.get(timeout=300)
        if item is None:
            finished += 1
        else:
            outcomes.append(item)
    for racer in racers:
        racer.join(timeout=60)
    assert [r.exitcode for r in racers] == [0] * RACERS
    refusals = [o for o in outcomes if o[2] != 0]
    for case_id, action, code, output in refusals:
        assert code == 1, (case_id, action, code, output)
        assert len(output.strip().splitlines()) == 1 and "Traceback" not in output, output
        assert case_id in output
    with open_store(store_url) as store:
        engine = Engine(store, flows=catalog(), clock=lambda: T0 + timedelta(hours=1))
        for n in range(RACED_CASES):
            case = engine.case(f"W-{n:03}")
            mine = [o for o in outcomes if o[0] == case.id]
            saved = Counter(e.name for e in case.history if e.kind in (EventKind.CHECK, EventKind.ACTION))
            succeeded = Counter(o[1] for o in mine if o[2] == 0)
            assert saved == succeeded, case.id  # every success is saved, nothing else is
            assert succeeded["close"] == 1 and case.outcome == "closed"  # one close won
            assert [e.seq for e in case.history] == list(range(1, case.seq + 1))
        assert engine.verify() == []


def test_a_postgresql_connection_cut_inside_a_change_is_one_clear_error_and_nothing_half_written(
    store_url: str,
) -> None:
    if not store_url.startswith("postgresql"):
        pytest.skip("PostgreSQL backends only")
    name = f"sopflow_cut_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(store_url, poolclass=sa.pool.NullPool)
    cut = {"armed": False}
    clock = TickingClock()

    def cutting_clock() -> Any:
        """Read inside the change, once the case is read: that is where the cut lands."""
        if cut["armed"]:
            cut["armed"] = False
            with admin.connect() as conn:
                conn.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
                    (name,),
                )
        return clock()

    try:
        with open_store(f"{store_url}&application_name={name}") as store:
            engine = Engine(store, flows=catalog(), clock=cutting_clock)
            engine.start("watch", "W-1", {}, actor="王芳", role="nurse")
            before = engine.case("W-1")
            cut["armed"] = True
            with pytest.raises(SopflowError) as refused:
                engine.fire("W-1", "reading", actor="王芳", role="nurse", data={"temperature": "36.6"})
            assert isinstance(refused.value, StoreError)
            message = refused.value.message("en")
            assert len(message.splitlines()) == 1, message
            after = engine.case("W-1")  # the next call reconnects
            assert after.seq == before.seq and after.history == before.history  # nothing half written
            again = engine.fire("W-1", "reading", actor="王芳", role="nurse", data={"temperature": "36.6"})
            assert again.seq == before.seq + 1
            assert engine.verify() == []
    finally:
        admin.dispose()
