"""Drill plans: a few paths that take every way out, found without listing every path."""

from __future__ import annotations

from pathlib import Path

import pytest

from sopflow import builtin_flows, load_flow
from sopflow.i18n import say
from sopflow.language.paths import FlowPath, TooManyPaths, cover_paths, covering_paths, flow_paths

DIAMONDS = Path(__file__).parent.parent / "data" / "user" / "diamonds.yaml"


def _ways(flow_graph: object, paths: list[FlowPath]) -> set[tuple[str, str, str]]:
    return {(h.step, h.way, h.to) for p in paths for h in p.hops}


def test_forty_decisions_in_a_row_are_covered_by_two_paths() -> None:
    flow = load_flow(DIAMONDS)
    with pytest.raises(TooManyPaths):
        flow_paths(flow.graph, flow.start)
    cover = cover_paths(flow.graph, flow.start)
    every = {(u, d["name"], v) for u, v, d in flow.graph.edges(data=True)}
    assert _ways(flow.graph, cover) == every
    assert len(cover) == 2
    for path in cover:
        assert path.steps[0] == flow.start and flow.steps[path.steps[-1]].outcome == path.outcome


@pytest.mark.parametrize("flow_id", sorted(builtin_flows()))
def test_the_cover_takes_every_way_out_of_every_built_in_flow(flow_id: str) -> None:
    flow = builtin_flows()[flow_id]
    cover = cover_paths(flow.graph, flow.start)
    every = {(u, d["name"], v) for u, v, d in flow.graph.edges(data=True)}
    assert _ways(flow.graph, cover) == every
    # by edge too: two ways out with one name to one step (two `repledged` with other guards) are two
    assert {h.edge for p in cover for h in p.hops} == set(flow.graph.edges(keys=True))
    listed = covering_paths(flow_paths(flow.graph, flow.start))
    # about as few as choosing among every listed path; the listed paths leave out interrupts
    # (taken from every step of a scope), each of which the cover takes once more at most
    interrupts = sum(1 for _u, _v, d in flow.graph.edges(data=True) if d.get("interrupt"))
    assert len(cover) <= len(listed) + 4 + interrupts
    for path in cover:  # each a real walk from the start to an end
        assert all(a.to == b.step for a, b in zip(path.hops, path.hops[1:], strict=False))


def test_a_cover_for_chosen_outcomes_ends_only_there() -> None:
    flow = builtin_flows()["supply_request"]
    cover = cover_paths(flow.graph, flow.start, {"redirected_flow1"})
    assert cover and {p.outcome for p in cover} == {"redirected_flow1"}


def test_too_many_paths_does_not_blame_loops() -> None:
    assert "loops to list" not in say("paths.too_many", "en", limit=20000, ending="")
