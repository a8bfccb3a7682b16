"""The flow as a networkx MultiDiGraph: nodes are steps, edges are the ways between them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from sopflow.language.model import Flow, Step

if TYPE_CHECKING:
    import networkx as nx


def frozen_graph(flow: Flow) -> nx.MultiDiGraph[str]:
    """`flow`'s graph, frozen: what `Flow.graph` holds. networkx is imported here, when a graph
    is first needed (a flow read from the checked-flow cache may never need one)."""
    import networkx as nx  # noqa: PLC0415 - see the docstring

    frozen: nx.MultiDiGraph[str] = nx.freeze(build_graph(flow.id, flow.start, flow.steps))
    return frozen


def build_graph(flow_id: str, start: str, steps: Mapping[str, Step]) -> nx.MultiDiGraph[str]:
    """Nodes carry the Step and its main attributes; edges are keyed by action (or branch, timer,
    check, outcome) name. A name used twice between the same two steps gets a `#2` suffix."""
    import networkx as nx  # noqa: PLC0415 - see frozen_graph

    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph(flow=flow_id, start=start)
    for step in steps.values():
        graph.add_node(
            step.id,
            step=step,
            kind=str(step.kind),
            label=step.label,
            role=step.role,
            group=step.group,
            deadline=step.deadline,
            outcome=step.outcome,
        )
    for step in steps.values():
        interrupts = {a.name for a in step.actions if a.interrupt}
        for position, (name, kind, target) in enumerate(step.exits()):
            if target not in steps:
                continue  # reported as a broken reference; the graph only holds real steps
            key = name
            suffix = 2
            while graph.has_edge(step.id, target, key):
                key = f"{name}#{suffix}"
                suffix += 1
            graph.add_edge(
                step.id,
                target,
                key=key,
                name=name,
                kind=str(kind),
                position=position,
                interrupt=name in interrupts,
            )
    return graph
