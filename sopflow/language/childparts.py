"""Actions that stay at their step and start a child case, and conditions of wait steps (C11).

A dwelling visit records each person seen as a child case of their own, and moves on by itself
once every one of them is done:

    check_documents:
      kind: wait
      actions:
        - action: documents_seen
          stays: true                  # no `to:`: the case stays here
          start: {flow: occupant_check, copy: [dwelling_code, address]}
          requires: [full_name, document_type]
      conditions:
        - condition: everyone_checked
          when: children("occupant_check") >= occupant_count and children_open("occupant_check") == 0
          to: visit_result

The checks that need the child flow (it exists, what it requires) are in crosscheck.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sopflow.language.model import Action, Condition, StepKind
from sopflow.language.referrals import build_referral

if TYPE_CHECKING:
    from sopflow.language.builder import FlowBuilder
    from sopflow.language.yamlsource import Path


def build_action(
    builder: FlowBuilder, raw: Mapping[str, Any], path: Path, role: str, kind: StepKind, *, step_id: str = ""
) -> Action:
    """One action of step `step_id` (by default `path[1]`; an interrupt names its own): `to:`
    another step, or `stays: true` (on a wait step) where it is, with a child started by `start:`."""
    step_id = step_id or str(path[1])
    stays = bool(raw.get("stays", False))
    if stays and "to" in raw:
        builder.sink.add("action.stays_and_to", (*path, "to"), on_key=True, action=raw["action"])
    elif not stays and "to" not in raw:
        builder.sink.add("action.no_to", path, action=raw["action"])
    if stays and kind is not StepKind.WAIT:
        builder.sink.add(
            "action.stays_not_wait", (*path, "stays"), on_key=True, step=step_id, kind=kind.value
        )
    start = raw.get("start")
    referral = None
    if isinstance(start, Mapping):
        referral = build_referral(builder, str(start["flow"]), start, (*path, "start"), at="at")
    return Action(
        name=raw["action"],
        label=builder.text(raw.get("label"), (*path, "label")),
        to=step_id if stays or "to" not in raw else builder.step_ref(raw["to"], (*path, "to")),
        roles=builder.role_refs(raw.get("roles"), (*path, "roles"), role),
        requires=builder.field_refs(raw.get("requires"), (*path, "requires")),
        accepts=builder.field_refs(raw.get("accepts"), (*path, "accepts")),
        guard=builder.guard(raw.get("when"), (*path, "when")),
        source=raw.get("source"),
        leave=tuple(str(flow) for flow in raw.get("leave") or ()),
        stays=stays,
        start=referral,
        keep=builder.field_refs(raw.get("keep"), (*path, "keep")),
    )


def build_conditions(
    builder: FlowBuilder, raw: Mapping[str, Any], path: Path, kind: StepKind
) -> tuple[Condition, ...]:
    """The step's `conditions:`, on a wait step only, each a guard that does not read the clock
    (a time is a timer's business: nothing would notice it becoming true)."""
    raws = raw.get("conditions") or []
    if raws and kind is not StepKind.WAIT:
        builder.sink.add(
            "condition.not_wait", (*path, "conditions"), on_key=True, step=path[1], kind=kind.value
        )
    found = []
    for i, given in enumerate(raws):
        where: Path = (*path, "conditions", i)
        guard = builder.guard(str(given["when"]), (*where, "when"))
        target = builder.step_ref(given["to"], (*where, "to"))
        if guard is None:
            continue
        if guard.uses_time:
            builder.sink.add("condition.uses_time", (*where, "when"), guard=guard.source)
        label = builder.text(given.get("label"), (*where, "label"))
        found.append(Condition(str(given["condition"]), label, guard, target, given.get("source")))
    return tuple(found)
