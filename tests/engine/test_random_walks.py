"""Property: random walks through each built-in flow, on SQLite and PostgreSQL.

At every point the case is at a real step; every refused action leaves it exactly as it was;
replaying its history gives the state that was stored; `verify` finds nothing to report.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sopflow import builtin_flows
from sopflow.cases.records import replay
from sopflow.engine.runtime import Engine
from sopflow.errors import CaseError
from sopflow.language.model import FieldSpec, FieldType, Flow
from tests.conftest import Clock

FLOWS = builtin_flows()
ID_NUMBERS = ["220721198503120045", "220721198503120010", "22072119920101003X", "11010519491231002X"]


def value_for(spec: FieldSpec, draw: st.DrawFn) -> Any:
    """A valid value for a field, as staff would type it."""
    if spec.type is FieldType.CHOICE:
        return draw(st.sampled_from(sorted(spec.choices)))
    if spec.type is FieldType.BOOLEAN:
        return draw(st.sampled_from(["yes", "no", "是", "否", "true", "false"]))
    if spec.type is FieldType.NUMBER:
        low = spec.minimum if spec.minimum is not None else 35.0
        high = spec.maximum if spec.maximum is not None else 40.0
        return str(round(draw(st.floats(min_value=max(low, 35.0), max_value=min(high, 40.0))), 1))
    if spec.type is FieldType.INTEGER:
        low = int(spec.minimum) if spec.minimum is not None else 0
        return str(draw(st.integers(min_value=low, max_value=low + 8)))
    if spec.type is FieldType.DATE:
        return str(date(2020, 1, 20) + timedelta(days=draw(st.integers(0, 30))))
    if spec.type is FieldType.DATETIME:
        return f"2020-02-0{draw(st.integers(1, 9))} 0{draw(st.integers(0, 9))}:30"
    if spec.type is FieldType.ID_NUMBER:
        return draw(st.sampled_from(ID_NUMBERS))
    return draw(st.sampled_from(["张三", "前郭镇东风社区", "备注", "H-1-1-101"]))


def bad_value_for(spec: FieldSpec) -> str | None:
    return {
        FieldType.NUMBER: "abc",
        FieldType.INTEGER: "1.5",
        FieldType.BOOLEAN: "maybe",
        FieldType.DATE: "2020-02-30",
        FieldType.CHOICE: "not-a-choice",
        FieldType.ID_NUMBER: "110105194912310021",
    }.get(spec.type)


def snapshot(engine: Engine, case_id: str) -> tuple[Any, ...]:
    case = engine.case(case_id)
    return (case.seq, case.step, case.status, dict(case.data), case.history, case.children)


def walk(engine: Engine, clock: Clock, flow: Flow, draw: st.DrawFn) -> None:
    case_id = f"W-{uuid.uuid4().hex[:8]}"
    required = {f.id: value_for(f, draw) for f in flow.fields.values() if f.required}
    engine.start(flow.id, case_id, required, actor="tester", role=next(iter(flow.roles)))
    for _ in range(draw(st.integers(3, 40))):
        case = engine.case(case_id)
        assert case.step in flow.steps
        if not case.active:
            break
        offers = [o for o in engine.offers(case_id) if o.available]
        move = draw(st.sampled_from(["act", "act", "act", "wrong_role", "bad_data", "unknown", "time"]))
        if move == "time" or not offers:
            clock.advance(hours=draw(st.sampled_from([1, 12, 24 * 15])))
            engine.tick()
            continue
        offer = draw(st.sampled_from(offers))
        data = {f: value_for(flow.fields[f], draw) for f in offer.requires}
        data |= {f: value_for(flow.fields[f], draw) for f in offer.accepts if draw(st.booleans())}
        role = draw(st.sampled_from(offer.roles))
        before = snapshot(engine, case_id)
        if move == "act":
            try:
                engine.fire(case_id, offer.name, actor="tester", role=role, data=data)
            except CaseError:
                assert snapshot(engine, case_id) == before  # e.g. a decision lacking data
            continue
        refused = _refusal(flow, offer, data, role, move)
        if refused is None:
            continue
        name, bad_role, bad_data = refused
        with pytest.raises(CaseError):
            engine.fire(case_id, name, actor="tester", role=bad_role, data=bad_data)
        assert snapshot(engine, case_id) == before


def _refusal(
    flow: Flow, offer: Any, data: dict[str, Any], role: str, move: str
) -> tuple[str, str, dict[str, Any]] | None:
    if move == "unknown":
        return "no_such_action_here", role, data
    if move == "wrong_role":
        others = [r for r in flow.roles if r not in offer.roles]
        return (offer.name, others[0], data) if others else None
    for name in offer.requires:
        bad = bad_value_for(flow.fields[name])
        if bad is not None:
            return offer.name, role, {**data, name: bad}
    asked = [f for f in offer.requires if f not in offer.held]  # what the case holds is not asked again
    if asked:
        return offer.name, role, {k: v for k, v in data.items() if k != asked[0]}
    return None


@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_random_walks_keep_cases_valid_and_replayable(engine: Engine, clock: Clock, flow_id: str) -> None:
    flow = FLOWS[flow_id]

    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.data())
    def run(data: st.DataObject) -> None:
        walk(engine, clock, flow, data.draw)

    run()
    assert engine.verify() == []
    for case in engine.cases():
        stored = engine.case(case.id)
        again = replay(
            engine.stepper_for(stored).flow, stored.id, stored.history, stored.parent_id, stored.place
        )
        assert (again.step, again.status, dict(again.data), again.seq) == (
            stored.step,
            stored.status,
            dict(stored.data),
            stored.seq,
        )


def test_walks_get_somewhere(engine: Engine, clock: Clock) -> None:
    """The walks above are worth something only if they move cases on and end some."""
    flow = FLOWS["supply_request"]

    @settings(
        max_examples=15,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(st.data())
    def run(data: st.DataObject) -> None:
        walk(engine, clock, flow, data.draw)

    run()
    walked = [engine.case(c.id) for c in engine.cases()]
    assert sum(len(c.history) for c in walked) > 2 * len(walked)
    assert any(not c.active for c in walked)
