"""Checks that need the other flows: child flows (their outcomes and fields) and signals."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from sopflow.errors import FlowError, Location
from sopflow.language.model import Action, FieldType, Flow, Referral, Signal, Step, StepKind
from sopflow.language.names import suggest
from sopflow.language.problems import ProblemSink
from sopflow.language.sharing import shared_checks


class Siblings(Protocol):
    """The flows a flow may name (a FlowCatalog), as far as these checks look at them."""

    def shallow(self, flow_id: str) -> Flow | None: ...

    def duplicates(self) -> Mapping[str, tuple[tuple[Path, int, int], ...]]: ...

    def path_of(self, flow_id: str) -> str: ...

    def usable_ids(self) -> frozenset[str]: ...


def cross_check(flow: Flow, catalog: Siblings, sink: ProblemSink) -> None:
    """Checks that need the other flows: child flows, their outcomes and fields, signals."""
    for step in flow.steps.values():
        path = ("steps", step.id)
        if step.kind is StepKind.SUBFLOW and step.subflow:
            child = _find(step.subflow, flow, catalog, sink, (*path, "flow"))
            if child is not None:
                _check_child(flow, step.id, child, sink)
                if step.one_per is not None:
                    shared_checks(flow, step, child, sink)
        if step.signal is not None:
            target = _find(step.signal.flow, flow, catalog, sink, (*path, "signal", "flow"))
            if target is not None and step.signal.action not in target.action_names():
                sink.add(
                    "signal.unknown_action",
                    (*path, "signal", "action"),
                    action=step.signal.action,
                    flow=target.id,
                    suggestion=suggest(step.signal.action, target.action_names()),
                )
            if target is not None:
                _check_addresses(step.signal, target, sink, (*path, "signal"))
            start = step.signal.start
            if start is not None:
                started = _find(start.flow, flow, catalog, sink, (*path, "signal", "if_none", "start"))
                if started is not None:
                    check_referral(flow, start, started, sink, (*path, "signal", "if_none"), at_key="at")
        _check_actions(flow, step, catalog, sink)


def _check_actions(flow: Flow, step: Step, catalog: Siblings, sink: ProblemSink) -> None:
    """What an action names in other flows: the child it starts, the shared cases it leaves."""
    path = ("steps", step.id)
    for i, action in enumerate(step.actions):
        if action.start is not None:
            _check_start(flow, action, catalog, sink, (*path, "actions", i))
        for j, shared in enumerate(action.leave):
            if shared not in flow.shared and not action.interrupt:
                sink.add("action.leave_unknown", (*path, "actions", i, "leave", j), flow=shared)


def _check_start(
    flow: Flow, action: Action, catalog: Siblings, sink: ProblemSink, path: tuple[Any, ...]
) -> None:
    """An action's `start:` (C11) names a flow, and the child gets every field it requires: copied
    from this case, set, or given with the action."""
    start = action.start
    assert start is not None  # noqa: S101 - the caller looked
    where = (*path, "start", "flow")
    try:
        child = flow if start.flow == flow.id else catalog.shallow(start.flow)
    except FlowError:
        child = _find(start.flow, flow, catalog, sink, where)
        if child is None:
            return
    if child is None:
        known = catalog.usable_ids() | {flow.id}
        suggestion = suggest(start.flow, known)
        sink.add(
            "action.start_unknown_flow",
            where,
            flow=start.flow,
            suggestion=suggestion,
            known=", ".join(sorted(known)),
        )
        return
    given = set(start.copy) | set(start.set) | set(action.requires)
    missing = [s.id for s in child.fields.values() if s.required and s.id not in given and not s.compute]
    for name in missing:
        sink.add("action.start_required", where, field=name, flow=child.id)
    if not missing:  # its entry step, copy types and set values, as for a subflow step's child
        given_too = frozenset(action.requires)
        check_referral(flow, start, child, sink, (*path, "start"), at_key="at", given_too=given_too)


def _check_addresses(signal: Signal, target: Flow, sink: ProblemSink, path: tuple[Any, ...]) -> None:
    """Each address names a kind the target flow identifies its cases by; the roles told are
    roles of the target flow."""
    for i, address in enumerate(signal.to):
        if address.kind not in target.identities:
            sink.add("signal.address_kind", (*path, "to", i, address.kind), flow=target.id, kind=address.kind)
        for j, role in enumerate(address.if_several):
            _known_role(role, target, sink, (*path, "to", i, "if_several", j))
    for j, role in enumerate(signal.alert_roles):
        _known_role(role, target, sink, (*path, "alert_roles", j))


def _known_role(role: str, target: Flow, sink: ProblemSink, path: tuple[Any, ...]) -> None:
    if role not in target.roles:
        sink.add(
            "signal.unknown_role", path, role=role, flow=target.id, suggestion=suggest(role, target.roles)
        )


def _find(
    flow_id: str, flow: Flow, catalog: Siblings, sink: ProblemSink, path: tuple[str, ...]
) -> Flow | None:
    if flow_id == flow.id:
        return flow
    try:
        found = catalog.shallow(flow_id)
    except FlowError:
        marks = catalog.duplicates().get(flow_id)
        if marks:
            files = ", ".join(str(Location(str(f), line, column)) for f, line, column in marks)
            sink.add("subflow.child_duplicate", path, flow=flow_id, files=files)
        else:
            sink.add("subflow.child_broken", path, flow=flow_id, file=catalog.path_of(flow_id))
        return None
    if found is None:
        known = catalog.usable_ids()  # not the ids of broken files beside it
        sink.add(
            "subflow.unknown_flow",
            path,
            flow=flow_id,
            suggestion=suggest(flow_id, known),
            known=", ".join(sorted(known)),
        )
    return found


def _check_child(flow: Flow, step_id: str, child: Flow, sink: ProblemSink) -> None:
    step = flow.steps[step_id]
    path = ("steps", step_id)
    child_outcomes = child.outcomes
    for outcome in step.outcomes:
        if outcome not in child_outcomes:
            sink.add(
                "subflow.unknown_outcome",
                (*path, "outcomes", outcome),
                on_key=True,
                outcome=outcome,
                flow=child.id,
                suggestion=suggest(outcome, child_outcomes),
                outcomes=", ".join(child_outcomes),
            )
    if step.wait:
        for outcome in child_outcomes:
            if outcome not in step.outcomes:
                sink.add(
                    "subflow.unhandled_outcome",
                    (*path, "outcomes"),
                    on_key=True,
                    outcome=outcome,
                    flow=child.id,
                )
    check_referral(flow, step.referral, child, sink, path, at_key="start_at")


def check_referral(
    flow: Flow,
    ref: Referral,
    child: Flow,
    sink: ProblemSink,
    path: tuple[Any, ...],
    *,
    at_key: str,
    given_too: frozenset[str] = frozenset(),
) -> None:
    """A child started by `ref`: at an entry step of `child`, given what it needs to start there
    (its required fields and the entry's), each value of the child field's type (C6). `given_too`:
    the fields an action that starts it requires (C11), given with each firing."""
    at = ref.at or child.start
    if ref.at is not None and ref.at not in child.steps:
        suggestion = suggest(ref.at, child.steps)
        sink.add(
            "subflow.start_at_unknown", (*path, at_key), step=ref.at, flow=child.id, suggestion=suggestion
        )
        return
    if at not in child.entry_steps:
        entries = ", ".join(child.entry_steps)
        sink.add("subflow.start_at_not_entry", (*path, at_key), step=at, flow=child.id, entries=entries)
    given = set(ref.copy) | set(ref.set) | given_too
    for name in child.entry_requires(at):
        if name not in given:
            sink.add("subflow.entry_not_copied", (*path, at_key), step=at, field=name, flow=child.id)
    for spec in child.fields.values():
        if spec.required and spec.id not in given:
            sink.add("subflow.required_not_copied", (*path, "flow"), field=spec.id, flow=child.id)
    for i, (name, mine_name) in enumerate(ref.copy.items()):
        where = (*path, "copy", name)
        where = where if where in sink.source_map.values else (*path, "copy", i)
        mine, theirs = flow.fields.get(mine_name), child.fields.get(name)
        if theirs is None:
            sink.add("subflow.copy_missing", where, field=name, flow=child.id)
        elif mine is not None and theirs.type is not mine.type:
            shown = name if name == mine_name else f"{name}: {mine_name}"
            sink.add(
                "subflow.copy_type",
                where,
                field=shown,
                flow=child.id,
                mine=str(mine.type),
                theirs=str(theirs.type),
            )
    for name, value in ref.set.items():
        _check_set(child, name, value, sink, (*path, "set", name))
    for kind, theirs_name in child.identities.items():
        if kind in flow.identities and theirs_name not in given:
            sink.warn(
                "subflow.identity_not_copied",
                (*path, "copy") if ref.copy else (*path, "flow"),
                on_key=bool(ref.copy),
                field=flow.identities[kind],
                kind=kind,
                flow=child.id,
                theirs=theirs_name,
            )


_SET_TYPES: dict[FieldType, tuple[type, ...]] = {
    FieldType.INTEGER: (int,),
    FieldType.NUMBER: (int, float),
    FieldType.BOOLEAN: (bool,),
}


def _check_set(child: Flow, name: str, value: Any, sink: ProblemSink, where: tuple[Any, ...]) -> None:
    """A literal value a child is given: a field of the child, a code of a choice, of its type."""
    spec = child.fields.get(name)
    if spec is None:
        sink.add("subflow.copy_missing", where, on_key=True, field=name, flow=child.id)
    elif spec.type is FieldType.CHOICE:
        if str(value) not in spec.choices:
            codes = ", ".join(spec.choices)
            sink.add("subflow.set_value", where, field=name, value=value, codes=codes)
    else:
        wanted = _SET_TYPES.get(spec.type, (str,))
        if not isinstance(value, wanted) or (isinstance(value, bool) and bool not in wanted):
            sink.add("subflow.set_type", where, field=name, value=value, flow=child.id, type=spec.type.value)
