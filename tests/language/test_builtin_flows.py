"""The built-in procedures: they load clean, every outcome is reachable, and they say what the
brief says (the 14 days run from the basis date, twice-daily checks, the supply flow starts at
home placement, fever medicine goes to the fever branch)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import networkx as nx
import pytest

from sopflow import Flow, StepKind, builtin_flows
from sopflow.language.paths import flow_paths

BUILTIN = builtin_flows()
IDS = sorted(BUILTIN)


def test_the_procedures_are_all_there() -> None:
    assert {"key_person_control", "home_isolation_supply", "supply_request", "three_check"} <= set(IDS)


@pytest.mark.parametrize("flow_id", IDS)
def test_loads_without_warnings(flow_id: str) -> None:
    flow = BUILTIN[flow_id]
    assert [p.format("en") for p in flow.warnings] == []


@pytest.mark.parametrize("flow_id", IDS)
def test_paths_reach_every_outcome(flow_id: str) -> None:
    flow = BUILTIN[flow_id]
    reached = {path.outcome for path in flow_paths(flow.graph, flow.start)}
    assert reached == set(flow.outcomes)


@pytest.mark.parametrize("flow_id", IDS)
def test_every_step_has_a_role_and_bilingual_short_label(flow_id: str) -> None:
    flow = BUILTIN[flow_id]
    for step in flow.steps.values():
        assert step.role in flow.roles
        assert {"zh", "en"} <= set(step.label), step.id
        assert len(step.label["zh"]) <= 12, step.id


@pytest.mark.parametrize("flow_id", IDS)
def test_the_graph_mirrors_the_steps(flow_id: str) -> None:
    flow = BUILTIN[flow_id]
    graph = flow.graph
    assert isinstance(graph, nx.MultiDiGraph) and nx.is_frozen(graph)
    assert set(graph.nodes) == set(flow.steps)
    for step in flow.steps.values():
        assert graph.nodes[step.id]["kind"] == str(step.kind)
        names = {data["name"] for _, _, data in graph.out_edges(step.id, data=True)}
        assert names == {name for name, _, _ in step.exits()}


def test_flows_are_immutable() -> None:
    flow = BUILTIN["key_person_control"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        flow.version = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        flow.steps["x"] = flow.steps[flow.start]  # type: ignore[index]


def _find_timer(flow: Flow) -> tuple[str, timedelta, str | None]:
    for step in flow.steps.values():
        for timer in step.timers:
            if timer.after == timedelta(days=14):
                return step.id, timer.after, timer.from_field
    raise AssertionError("no 14-day timer")


def test_key_person_observation_runs_14_days_from_a_date_field() -> None:
    flow = BUILTIN["key_person_control"]
    _, after, from_field = _find_timer(flow)
    assert after == timedelta(days=14)
    assert from_field is not None and flow.fields[from_field].type in ("date", "datetime")


def test_key_person_temperature_is_checked_morning_and_evening_and_can_escalate() -> None:
    flow = BUILTIN["key_person_control"]
    checks = [c for s in flow.steps.values() for c in s.checks if "temperature" in c.requires]
    # the brief's 07–09 and 15–17 (KPC-09): at fixed times, not 12 h after whenever the case came in
    assert checks and all(c.at == ("08:00", "16:00") and c.window == timedelta(hours=1) for c in checks)
    assert all({"grid_worker", "subject"} <= set(c.roles) for c in checks)
    assert all(c.escalate is not None for c in checks)


def test_home_placement_starts_the_supply_flow_without_waiting() -> None:
    flow = BUILTIN["key_person_control"]
    starts = [s for s in flow.steps.values() if s.kind is StepKind.SUBFLOW]
    assert any(s.subflow == "home_isolation_supply" and not s.wait for s in starts)


def test_fever_medicine_requests_signal_the_fever_branch() -> None:
    flow = BUILTIN["supply_request"]
    signals = [s.signal for s in flow.steps.values() if s.signal]
    assert signals and all(sig.flow == "key_person_control" for sig in signals)
    kpc_actions = BUILTIN["key_person_control"].action_names()
    assert all(sig.action in kpc_actions for sig in signals)


def test_three_check_refers_to_key_person_control_and_has_the_match_codes() -> None:
    """Each person seen has a case of their own, which refers to key-person control and holds the
    match codes M1–M7; nobody at home (M8) is the dwelling's own step."""
    flow, person = BUILTIN["three_check"], BUILTIN["occupant_check"]
    assert any(a.start and a.start.flow == "occupant_check" for s in flow.steps.values() for a in s.actions)
    assert "nobody_home" in flow.steps
    assert any(s.subflow == "key_person_control" for s in person.steps.values())
    codes = {c for f in person.fields.values() for c in f.choices}
    assert {f"M{n}" for n in range(1, 8)} <= codes


def test_personal_fields_are_marked() -> None:
    for flow in BUILTIN.values():
        for spec in flow.fields.values():
            if spec.type == "id_number" or spec.id in ("full_name", "name", "phone", "address"):
                assert spec.personal, (flow.id, spec.id)
