"""Checks on the flow as a graph: reachability, dead ends, ways out, overlapping guards."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import networkx as nx
from jinja2 import nodes

from sopflow.language.guards import GuardRuntimeError, parse_guard
from sopflow.language.model import Action, FieldSpec, FieldType, Guard, Param, Step, StepKind
from sopflow.language.problems import ProblemSink

MAX_OVERLAP_TRIALS = 5_000
_PROBE_TIME = datetime(2020, 2, 1, tzinfo=UTC)


def check_graph(
    graph: nx.MultiDiGraph[str],
    start: str,
    steps: Mapping[str, Step],
    *,
    fields: Mapping[str, FieldSpec],
    params: Mapping[str, Param],
    sink: ProblemSink,
) -> None:
    """Report every structural problem of a flow whose references all resolve."""
    reachable = nx.descendants(graph, start) | {start}
    ends = [s.id for s in steps.values() if s.kind is StepKind.END]
    can_end: set[str] = set(ends)
    for end in ends:
        can_end |= nx.ancestors(graph, end)
    for step in steps.values():
        path = ("steps", step.id)
        if step.id not in reachable:
            sink.add("graph.unreachable", path, on_key=True, step=step.id, start=start)
            continue
        if step.kind is StepKind.WAIT and not (step.timers or step.actions):
            # a check's escalation is no way out to count on: it fires only if something goes wrong
            sink.add("wait.no_exit", path, on_key=True, step=step.id)
        elif step.kind is not StepKind.END and not step.exits():
            sink.add("graph.no_way_out", path, on_key=True, step=step.id)
        elif step.id not in can_end:
            sink.add("graph.no_end", path, on_key=True, step=step.id)
    for step in steps.values():
        for first, second in overlapping_actions(step, fields, params):
            a, b = step.actions[first], step.actions[second]
            where = ("steps", step.id, "actions", second)
            if a.guard is None or b.guard is None:
                sink.add("action.overlap_unguarded", where, action=b.name, other=first + 1)
            else:
                sink.add(
                    "action.overlap",
                    where,
                    action=b.name,
                    other=first + 1,
                    example=_example_text(a, b, fields, params),
                )


def overlapping_actions(
    step: Step, fields: Mapping[str, FieldSpec], params: Mapping[str, Param]
) -> Iterator[tuple[int, int]]:
    """Pairs of positions of same-named actions whose guards can both hold."""
    for i, j in itertools.combinations(range(len(step.actions)), 2):
        a, b = step.actions[i], step.actions[j]
        if a.name == b.name and _witness(a, b, fields, params) is not None:
            yield i, j


def _example_text(a: Action, b: Action, fields: Mapping[str, FieldSpec], params: Mapping[str, Param]) -> str:
    witness = _witness(a, b, fields, params) or {}
    return ", ".join(f"{k} = {v!r}" for k, v in sorted(witness.items()))


def _witness(
    a: Action, b: Action, fields: Mapping[str, FieldSpec], params: Mapping[str, Param]
) -> dict[str, Any] | None:
    """Values of the fields under which both guards hold, or None if none was found.

    Unguarded actions always hold. Otherwise we try the values that matter for these guards:
    the constants they compare against, just above and below, and each choice; that finds the
    overlap of ordinary guards such as `temperature >= 37.3` and `temperature > 37`.
    """
    if a.guard is None or b.guard is None:
        return {}
    names = sorted((a.guard.names | b.guard.names) - set(params))
    guards = (a.guard, b.guard)
    candidates = {n: _candidates(n, fields.get(n), guards, params) for n in names}
    param_values = {p.id: p.value for p in params.values()}
    for trial, combo in enumerate(itertools.product(*candidates.values())):
        if trial >= MAX_OVERLAP_TRIALS:
            return None
        values = dict(zip(names, combo, strict=True))
        if _holds(a.guard, {**param_values, **values}) and _holds(b.guard, {**param_values, **values}):
            return values
    return None


def _holds(guard: Guard, values: Mapping[str, Any]) -> bool:
    try:
        return guard.evaluate(values, _PROBE_TIME)
    except GuardRuntimeError:
        return False


def _candidates(
    name: str, spec: FieldSpec | None, guards: tuple[Guard, ...], params: Mapping[str, Param]
) -> list[Any]:
    if spec is not None and spec.type is FieldType.BOOLEAN:
        return [True, False]
    if spec is not None and spec.type is FieldType.CHOICE:
        return list(spec.choices)
    constants = [c for g in guards for c in _constants(g.source)]
    constants += [params[p].value for g in guards for p in g.names if p in params]
    numbers = [c for c in constants if isinstance(c, int | float) and not isinstance(c, bool)]
    texts = [c for c in constants if isinstance(c, str)]
    if spec is not None and spec.type in (FieldType.INTEGER, FieldType.NUMBER):
        values: set[float] = {0.0}
        for n in numbers:
            values |= {n - 1, n - 0.05, n, n + 0.05, n + 1}
        return sorted(values)
    return [*dict.fromkeys(texts), ""]


def _constants(source: str) -> Iterator[object]:
    tree = parse_guard(source)
    for const in (tree, *tree.find_all(nodes.Const)):
        if isinstance(const, nodes.Const):
            yield const.value
