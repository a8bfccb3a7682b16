"""A tick runs out timers in batches, one transaction each (a transaction per case cost a disk
flush per case on SQLite); what it does is the same as case by case: every due case moves once,
hooks run for each, and a batch that fails is run again case by case so that one bad case stops
nothing before it. On a real SQLite file and on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from sopflow import Engine, EventKind
from sopflow.engine import bulk
from sopflow.engine.stepper import Stepper

from ..trust.conftest import catalog

CASES = 7


@pytest.fixture
def watches(store: Any, clock: Any, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setattr(bulk, "TICK_BATCH", 3)  # 7 cases: batches of 3, 3 and 1
    engine = Engine(store, flows=catalog(), clock=clock)
    for n in range(CASES):
        engine.start("watch", f"W-{n}", {}, actor="王芳", role="nurse")
    clock.advance(days=1, minutes=1)
    return engine


def test_every_due_case_moves_once_across_batches_and_its_hook_runs(watches: Engine) -> None:
    entered: list[str] = []
    watches.on_enter("review", flow="watch")(lambda case, event: entered.append(case.id))
    moved = watches.tick()
    expected = [f"W-{n}" for n in range(CASES)]
    assert sorted(c.id for c in moved) == expected
    assert {c.step for c in moved} == {"review"}
    assert sorted(entered) == expected
    for case_id in expected:
        timers = [e for e in watches.case(case_id).history if e.kind is EventKind.TIMER]
        assert len(timers) == 1
    assert watches.tick() == []
    assert watches.verify() == []


def test_a_case_that_fails_stops_its_batch_not_the_cases_before_it(
    watches: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """W-4 (in the second batch) cannot be worked out: the first batch is saved, the second is
    run again case by case, W-3 is saved, and W-4's error is the tick's, as before batching."""
    original = Stepper.run_timers

    def run_timers(self: Stepper, case: Any, now: Any) -> Any:
        if case.id == "W-4":
            raise RuntimeError("W-4 cannot be worked out")
        return original(self, case, now)

    monkeypatch.setattr(Stepper, "run_timers", run_timers)
    with pytest.raises(RuntimeError, match="W-4"):
        watches.tick()
    steps = {c.id: c.step for c in watches.cases()}
    assert [case_id for case_id, step in sorted(steps.items()) if step == "review"] == [
        "W-0",
        "W-1",
        "W-2",
        "W-3",
    ]
    monkeypatch.setattr(Stepper, "run_timers", original)
    assert sorted(c.id for c in watches.tick()) == ["W-4", "W-5", "W-6"]
    assert watches.verify() == []
