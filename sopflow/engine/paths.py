"""Every distinct way through a flow, for drills and tests: start to an end, each loop at most once."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

DEFAULT_LIMIT = 20_000


@dataclass(frozen=True)
class Hop:
    """One move: from a step, by a named way out (action, branch, timer...), to the next step."""

    step: str
    way: str
    kind: str
    to: str


@dataclass(frozen=True)
class FlowPath:
    hops: tuple[Hop, ...]
    outcome: str

    @property
    def steps(self) -> tuple[str, ...]:
        return (self.hops[0].step, *(h.to for h in self.hops)) if self.hops else ()


class TooManyPaths(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} paths")
        self.limit = limit


def flow_paths(graph: nx.MultiDiGraph[str], start: str, limit: int = DEFAULT_LIMIT) -> list[FlowPath]:
    """Every path from `start` to an end step that goes round at most one loop, once.

    That is every simple path (no step twice), plus every path that comes back to one step a
    second time (a false alarm back to observation, say) and then goes on without repeating any
    other step. Drills and tests get each branch and each way back, without the combinatorial
    blow-up of every order in which several loops could be taken.
    """
    found: list[FlowPath] = []
    visits: dict[str, int] = {start: 1}
    hops: list[Hop] = []

    def walk(node: str, revisited: bool) -> None:
        outcome = graph.nodes[node].get("outcome")
        if outcome:
            if len(found) >= limit:
                raise TooManyPaths(limit)
            found.append(FlowPath(tuple(hops), outcome))
            return
        edges = sorted(graph.out_edges(node, keys=True, data=True), key=lambda e: e[3]["position"])
        for source, target, _key, data in edges:
            seen = visits.get(target, 0)
            if seen >= 2 or (seen == 1 and revisited):
                continue
            visits[target] = seen + 1
            hops.append(Hop(source, data["name"], data["kind"], target))
            walk(target, revisited or seen == 1)
            hops.pop()
            visits[target] = seen

    walk(start, revisited=False)
    return found


def covering_paths(paths: list[FlowPath]) -> list[FlowPath]:
    """A small set of the given paths that still takes every way out of every step at least once.

    Greedy set cover: good enough for a drill plan, and deterministic for the same flow.
    """
    uncovered = {(h.step, h.way, h.to) for p in paths for h in p.hops}
    chosen: list[FlowPath] = []
    while uncovered:
        best = max(paths, key=lambda p: len({(h.step, h.way, h.to) for h in p.hops} & uncovered))
        gain = {(h.step, h.way, h.to) for h in best.hops} & uncovered
        if not gain:
            break
        chosen.append(best)
        uncovered -= gain
    return chosen
