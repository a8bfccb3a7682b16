"""Every distinct way through a flow, for drills and tests: start to an end, each loop at most once."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

DEFAULT_LIMIT = 20_000


@dataclass(frozen=True)
class Hop:
    """One move: from a step, by a named way out (action, branch, timer...), to the next step.

    `key` tells apart two ways out with one name and one next step (two `repledged` actions with
    different guards): the flow graph's edge key."""

    step: str
    way: str
    kind: str
    to: str
    key: str = ""

    @property
    def edge(self) -> tuple[str, str, str]:
        """The flow graph's edge: (step, next step, key)."""
        return (self.step, self.to, self.key or self.way)


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


def flow_paths(
    graph: nx.MultiDiGraph[str], start: str, limit: int = DEFAULT_LIMIT, outcomes: set[str] | None = None
) -> list[FlowPath]:
    """Every path from `start` to an end step (one of `outcomes` if given) that goes round at most
    one loop, once; TooManyPaths if there are more than `limit` of them.

    That is every simple path (no step twice), plus every path that comes back to one step a
    second time (a false alarm back to observation, say) and then goes on without repeating any
    other step. Drills and tests get each branch and each way back, without the combinatorial
    blow-up of every order in which several loops could be taken. Interrupts (taken from every
    step of a scope) are left out, so are the steps only they lead to, and a loop back through two
    steps at once: `cover_paths` takes those ways too.
    """
    found: list[FlowPath] = []
    visits: dict[str, int] = {start: 1}
    hops: list[Hop] = []
    wanted = _ends(graph, outcomes)
    # only steps from which a wanted end can be reached are worth walking into
    useful = wanted.union(*(nx.ancestors(graph, end) for end in wanted))

    def walk(node: str, revisited: bool) -> None:
        outcome = graph.nodes[node].get("outcome")
        if outcome:
            if node not in wanted:
                return
            if len(found) >= limit:
                raise TooManyPaths(limit)
            found.append(FlowPath(tuple(hops), outcome))
            return
        edges = sorted(graph.out_edges(node, keys=True, data=True), key=lambda e: e[3]["position"])
        for source, target, key, data in edges:
            if data.get("interrupt"):  # taken from everywhere: each would multiply the paths
                continue
            seen = visits.get(target, 0)
            if target not in useful or seen >= 2 or (seen == 1 and revisited):
                continue
            visits[target] = seen + 1
            hops.append(Hop(source, data["name"], data["kind"], target, key))
            walk(target, revisited or seen == 1)
            hops.pop()
            visits[target] = seen

    if start in useful:
        walk(start, revisited=False)
    return found


def count_paths(graph: nx.MultiDiGraph[str], start: str, outcomes: set[str] | None = None) -> int | None:
    """How many paths `flow_paths` would list, counted without listing them; None for a flow with
    loops, where counting is as hard as listing."""
    if not nx.is_directed_acyclic_graph(graph):
        return None
    wanted = _ends(graph, outcomes)
    ways: dict[str, int] = {}
    for node in reversed(list(nx.topological_sort(graph))):
        ways[node] = 1 if node in wanted else sum(ways[v] for _u, v in graph.out_edges(node))
    return ways[start]


def _ends(graph: nx.MultiDiGraph[str], outcomes: set[str] | None) -> set[str]:
    """The end steps with one of `outcomes` (every end step if None)."""
    return {
        n
        for n, d in graph.nodes(data=True)
        if d.get("outcome") and (outcomes is None or d["outcome"] in outcomes)
    }


def covering_paths(paths: list[FlowPath]) -> list[FlowPath]:
    """A small set of the given paths that still takes every way out of every step at least once.

    Greedy set cover: good enough for a drill plan, and deterministic for the same flow.
    """
    uncovered = {h.edge for p in paths for h in p.hops}
    chosen: list[FlowPath] = []
    while uncovered:
        best = max(paths, key=lambda p: len({h.edge for h in p.hops} & uncovered))
        gain = {h.edge for h in best.hops} & uncovered
        if not gain:
            break
        chosen.append(best)
        uncovered -= gain
    return chosen


Edge = tuple[str, str, str]  # (step, next step, key) of the flow's MultiDiGraph
Best = dict[str, tuple[int, list[Edge]]]  # step -> (ways out not yet taken, the edges getting there)


def cover_paths(graph: nx.MultiDiGraph[str], start: str, outcomes: set[str] | None = None) -> list[FlowPath]:
    """A few paths from `start` to an end (one of `outcomes` if given) that together take every
    way out on such paths, found without listing every path: 40 decisions in a row have 2**40
    paths but are covered by two.

    Greedy over the flow without its loops (the edges a depth-first walk finds going back to a
    step it is still in): each round takes the path with the most ways out not yet taken (dynamic
    programming in topological order), with at most one loop edge in it, until every way out that
    can lie on such a path is taken."""
    ends = _ends(graph, outcomes)
    back = _back_edges(graph, start)
    dag: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    dag.add_nodes_from(graph.nodes)
    dag.add_edges_from((u, v, k) for u, v, k in graph.edges(keys=True) if (u, v, k) not in back)
    order = list(nx.topological_sort(dag))
    uncovered: set[Edge] = set(graph.edges(keys=True))
    chosen: list[FlowPath] = []
    while True:
        to, onward = _best_to(dag, order, start, uncovered), _best_onward(dag, order, ends, uncovered)
        # a forward way out may also go on round a loop edge once (a step whose only way on is back)
        looped: Best = {}
        for u, v, k in sorted(back):
            if v in onward:
                score = onward[v][0] + ((u, v, k) in uncovered)
                if u not in looped or score > looped[u][0]:
                    looped[u] = (score, [(u, v, k), *onward[v][1]])
        candidates: list[tuple[int, list[Edge]]] = []
        for edge in sorted(uncovered):
            u, v, _ = edge
            tails = [onward.get(v)] + ([looped.get(v)] if edge not in back else [])
            for tail in (t for t in tails if t is not None and u in to):
                candidates.append((to[u][0] + 1 + tail[0], [*to[u][1], edge, *tail[1]]))
        if not candidates:
            return chosen
        route = max(candidates, key=lambda c: c[0])[1]
        uncovered -= set(route)
        hops = tuple(
            Hop(a, graph.edges[a, b, c]["name"], graph.edges[a, b, c]["kind"], b, c) for a, b, c in route
        )
        chosen.append(FlowPath(hops, graph.nodes[route[-1][1]]["outcome"]))


def _back_edges(graph: nx.MultiDiGraph[str], start: str) -> set[Edge]:
    """Edges back to a step the depth-first walk from `start` is still in: what makes the loops."""
    back: set[Edge] = set()
    on_stack: set[str] = set()
    done: set[str] = set()
    stack: list[tuple[str, list[Edge]]] = []

    def enter(node: str) -> None:
        on_stack.add(node)
        stack.append((node, sorted(graph.out_edges(node, keys=True), reverse=True)))

    enter(start)
    while stack:
        node, pending = stack[-1]
        if not pending:
            stack.pop()
            on_stack.discard(node)
            done.add(node)
            continue
        edge = pending.pop()
        if edge[1] in on_stack:
            back.add(edge)
        elif edge[1] not in done:
            enter(edge[1])
    return back


def _best_to(dag: nx.MultiDiGraph[str], order: list[str], start: str, uncovered: set[Edge]) -> Best:
    best: Best = {start: (0, [])}
    for node in order:
        if node not in best:
            continue
        gain, route = best[node]
        for edge in sorted(dag.out_edges(node, keys=True)):
            score = gain + (edge in uncovered)
            if edge[1] not in best or score > best[edge[1]][0]:
                best[edge[1]] = (score, [*route, edge])
    return best


def _best_onward(dag: nx.MultiDiGraph[str], order: list[str], ends: set[str], uncovered: set[Edge]) -> Best:
    best: Best = {end: (0, []) for end in ends}
    for node in reversed(order):
        for edge in sorted(dag.out_edges(node, keys=True)):
            if edge[1] in best:
                score = best[edge[1]][0] + (edge in uncovered)
                if node not in best or score > best[node][0]:
                    best[node] = (score, [edge, *best[edge[1]][1]])
    return best
