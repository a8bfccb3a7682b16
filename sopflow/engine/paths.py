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
    """All paths from `start` to an end step that use each way (edge) at most once.

    A loop such as 'false alarm -> back to observation' is therefore taken once and then left,
    which is what a drill wants: every branch exercised, no path repeating itself.
    """
    found: list[FlowPath] = []
    used: set[tuple[str, str, str]] = set()
    hops: list[Hop] = []

    def walk(node: str) -> None:
        outcome = graph.nodes[node].get("outcome")
        if outcome:
            if len(found) >= limit:
                raise TooManyPaths(limit)
            found.append(FlowPath(tuple(hops), outcome))
            return
        edges = sorted(graph.out_edges(node, keys=True, data=True), key=lambda e: e[3]["position"])
        for source, target, key, data in edges:
            edge = (source, target, key)
            if edge in used:
                continue
            used.add(edge)
            hops.append(Hop(source, data["name"], data["kind"], target))
            walk(target)
            hops.pop()
            used.discard(edge)

    walk(start)
    return found
