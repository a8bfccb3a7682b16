"""A checked Flow as JSON and back: what the checked-flow cache (flowcache) keeps on disk.

Only passive data is written: dataclasses by class name, texts, numbers, durations, mappings in
their order, and each guard as its source, names and vetted syntax tree (guardtree). Reading it
back builds the same frozen model, guards evaluated by the same closures; nothing in the file is
ever run as code, and a file that does not read as this format is refused (the flow is then
checked from its source again)."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import Any

from sopflow.language.graph import frozen_graph
from sopflow.language.guardeval import CompiledGuard, compile_guard
from sopflow.language.guardtree import tree_from_json, tree_to_json
from sopflow.language.model import (
    Action,
    Address,
    Branch,
    Check,
    ComputeRule,
    Condition,
    EdgeKind,
    Entry,
    Escalation,
    FieldSpec,
    FieldType,
    Flow,
    Interrupt,
    Param,
    Referral,
    Signal,
    Step,
    StepKind,
    Timer,
)

# raise when what is written changes (2: deadline reasons, the flow's format; 3: interrupts;
# 4: identity fields and addressed signals; 5: computed fields; 6: checks at fixed times,
# once-checks and conditional checks; 7: escalate.alert_roles, accept_invalid; 8: entry steps, child
# cases started at a step; 9: shared cases, one_per and leave; 10: conditions of wait steps, actions
# that stay and start a child, C11)
FORMAT = 10
_CLASSES: dict[str, type[Any]] = {
    c.__name__: c
    for c in (
        Action,
        Address,
        Branch,
        Check,
        ComputeRule,
        Condition,
        Entry,
        Escalation,
        FieldSpec,
        Interrupt,
        Param,
        Referral,
        Signal,
        Step,
        Timer,
    )
}
_ENUMS: dict[str, type[enum.Enum]] = {e.__name__: e for e in (StepKind, FieldType, EdgeKind)}
_FLOW_SKIPPED = frozenset({"source_text", "source_path", "warnings", "make_graph"})


class NotFrozenFlow(ValueError):
    """The data is not a flow as this module writes it."""


def flow_to_json(flow: Flow) -> dict[str, Any]:
    """`flow` as JSON-ready data (its source text and path are not kept: the caller has them)."""
    kept = [f.name for f in dataclasses.fields(flow) if f.name not in _FLOW_SKIPPED]
    return {"format": FORMAT, "flow": {name: _encode(getattr(flow, name)) for name in kept}}


def flow_from_json(data: Any, source_text: str, source_path: str) -> Flow:
    """The Flow `flow_to_json` wrote, for `source_text` read from `source_path`; NotFrozenFlow
    if `data` is anything else."""
    try:
        if data["format"] != FORMAT:
            raise NotFrozenFlow("format")
        fields = {k: _decode(v) for k, v in data["flow"].items()}
        return Flow(**fields, source_text=source_text, source_path=source_path, make_graph=frozen_graph)
    except NotFrozenFlow:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise NotFrozenFlow(str(exc)) from None


def _encode(value: Any) -> Any:  # noqa: PLR0911 - one line per kind of value
    if isinstance(value, CompiledGuard):
        names = sorted(value.names)
        return {"$guard": [value.source, names, value.uses_time, tree_to_json(value.tree)]}
    if isinstance(value, enum.Enum):
        return {"$enum": [type(value).__name__, value.value]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"$class": type(value).__name__, "fields": fields}
    if isinstance(value, timedelta):
        return {"$duration": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, Mapping):
        return {"$map": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise NotFrozenFlow(f"cannot keep a {type(value).__name__}")


def _decode(value: Any) -> Any:  # noqa: PLR0911 - one line per kind of value
    if isinstance(value, list):
        return tuple(_decode(item) for item in value)
    if not isinstance(value, dict):
        return value
    if "$guard" in value:
        source, names, uses_time, tree = value["$guard"]
        plain = tree_from_json(tree)
        if plain is None:
            raise NotFrozenFlow("a guard without its tree")
        program = compile_guard(plain)  # the tree was vetted when the flow was checked
        return CompiledGuard(str(source), frozenset(names), program, bool(uses_time), plain)
    if "$enum" in value:
        kind, member = value["$enum"]
        return _ENUMS[kind](member)
    if "$class" in value:
        fields = {k: _decode(v) for k, v in value["fields"].items()}
        return _CLASSES[value["$class"]](**fields)
    if "$duration" in value:
        days, seconds, microseconds = value["$duration"]
        return timedelta(days=days, seconds=seconds, microseconds=microseconds)
    if "$map" in value:
        return MappingProxyType({_decode(k): _decode(v) for k, v in value["$map"]})
    raise NotFrozenFlow("unknown value")
