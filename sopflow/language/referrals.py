"""Entry steps, and child cases started at a given step (issue 11, C6).

A flow marks the steps a case may start at, and what must come with it:

    fever_found:
      kind: task
      entry: {requires: [address]}

A subflow step (or a signal's `if_none: start`) starts its child there, with fields renamed
(`copy:` as child field: this case's field; the list form copies fields of the same name),
literal values (`set:`) and a place (`place: parent`, the default, or a text field of this case
holding a place path):

    refer_fever:
      kind: subflow
      flow: key_person_control
      start_at: fever_found
      copy: {id_number: id_number, address: address}
      set: {lead_source: three_check}

The checks that need this flow only are here; those that need the child flow (its entry steps,
fields and codes) are in crosscheck.py (`check_referral`).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from sopflow.language.model import Entry, FieldType, Referral, StepKind

if TYPE_CHECKING:
    from sopflow.language.builder import FlowBuilder
    from sopflow.language.yamlsource import Path

PARENT_PLACE = "parent"
_ENTRY_KINDS = (StepKind.TASK, StepKind.WAIT)


def build_entry(
    builder: FlowBuilder, step_id: str, kind: StepKind, raw: Mapping[str, Any], path: Path
) -> Entry | None:
    """The step's `entry:`, on a task or wait step only (a case waits at the step it starts at)."""
    if "entry" not in raw:
        return None
    if kind not in _ENTRY_KINDS:
        builder.sink.add("entry.kind", (*path, "entry"), on_key=True, step=step_id, kind=kind.value)
    given = raw.get("entry") or {}
    return Entry(builder.field_refs(given.get("requires"), (*path, "entry", "requires")))


def build_referral(
    builder: FlowBuilder, flow_id: str, raw: Mapping[str, Any], path: Path, *, at: str
) -> Referral:
    """A child start from `copy:`, `set:`, `place:` and the step named by the key `at`."""
    copy = raw.get("copy") or []
    if isinstance(copy, list):
        pairs = {str(n): str(n) for n in copy}
        for i, name in enumerate(copy):
            builder.ref(str(name), builder.field_names, "ref.field", (*path, "copy", i))
    else:
        pairs = {str(child): str(mine) for child, mine in copy.items()}
        for child, mine in pairs.items():
            builder.ref(mine, builder.field_names, "ref.field", (*path, "copy", child))
    place = raw.get("place")
    if place is not None and place != PARENT_PLACE:
        spec = builder.fields.get(str(place))
        if spec is None or spec.type is not FieldType.TEXT:
            builder.sink.add("entry.place_field", (*path, "place"), value=place)
    return Referral(
        flow_id,
        None if raw.get(at) is None else str(raw[at]),
        MappingProxyType(pairs),
        MappingProxyType(dict(raw.get("set") or {})),
        None if place in (None, PARENT_PLACE) else str(place),
    )


def subflow_referral(builder: FlowBuilder, raw: Mapping[str, Any], path: Path) -> dict[str, Any]:
    """The Step fields of a subflow step's child start."""
    referral = build_referral(builder, str(raw["flow"]), raw, path, at="start_at")
    return {
        "copy": tuple(dict.fromkeys(referral.copy.values())),
        "copy_as": referral.copy,
        "start_at": referral.at,
        "set_values": referral.set,
        "place_from": referral.place,
    }
