"""Property: random amendments of random walks through each built-in flow, on SQLite and PostgreSQL.

A refused amendment leaves the case exactly as it was; an accepted one (re-played or not) leaves a
history that, played again, goes the way the case now stands — so the next correction compares
with the right way — and `verify` finds nothing to report.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sopflow import PathWouldChange, builtin_flows
from sopflow.cases.records import Event, EventKind
from sopflow.engine.amending import ENTRIES, effective, givens
from sopflow.engine.rerun import INPUTS, rerun
from sopflow.engine.runtime import Engine
from sopflow.errors import CaseError
from sopflow.language.model import Action, Check, Flow
from tests.conftest import Clock
from tests.engine.test_random_walks import snapshot, value_for, walk

FLOWS = builtin_flows()


def takes(flow: Flow, entry: Event) -> list[str]:
    if entry.kind is EventKind.START:
        return sorted(entry.changes)
    step = flow.steps[entry.from_step or ""]
    ways: list[Action | Check] = [w for w in (*step.actions, *step.checks) if w.name == entry.name]
    return sorted({f for w in ways for f in (*w.requires, *w.accepts)})


def amend_at_random(engine: Engine, clock: Clock, flow: Flow, draw: st.DrawFn) -> None:
    for case in engine.cases(flow_id=flow.id) * 3:
        whole = engine.case(case.id)
        entries = [e for e in whole.history if e.kind in ENTRIES and takes(flow, e)]
        if not entries:
            continue
        # entries a decision or an escalation followed are the ones worth correcting most
        decided = [
            e
            for e, after in zip(whole.history, whole.history[1:], strict=False)
            if e in entries and after.kind in (EventKind.BRANCH, EventKind.ESCALATE)
        ]
        entry = draw(st.sampled_from(decided or entries))
        field = draw(st.sampled_from(takes(flow, entry)))
        value = value_for(flow.fields[field], draw)
        replay = draw(st.sampled_from([True, True, False]))
        clock.advance(minutes=5)
        before = snapshot(engine, case.id)
        try:
            engine.amend(
                case.id,
                entry.seq,
                {field: value},
                reason="核对",
                actor="tester",
                role=entry.role or next(iter(flow.roles)),
                replay=replay,
            )
        except PathWouldChange:
            assert not replay
            assert snapshot(engine, case.id) == before
            continue
        except CaseError:  # the same value, a role that may not
            assert snapshot(engine, case.id) == before
            continue
        now = engine.case(case.id)
        if now.outcome in ("cancelled", "merged"):
            continue
        stepper = engine.stepper_for(now)
        inputs = [e for e in now.history if e.kind in INPUTS]
        again = rerun(stepper, now, inputs, givens(flow, now.history, effective(now.history)), now.history)
        assert again.divergence is None, (case.id, [m for m in again.marks], now.history)
        assert (again.case.step, again.case.status) == (now.step, now.status)


@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_random_amendments_keep_histories_honest(engine: Engine, clock: Clock, flow_id: str) -> None:
    flow = FLOWS[flow_id]

    @settings(
        max_examples=10,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.data())
    def run(data: st.DataObject) -> None:
        walk(engine, clock, flow, data.draw)
        amend_at_random(engine, clock, flow, data.draw)

    run()
    assert engine.verify() == []
