"""Interrupts (issue 11, C2): an action taken from every step of a scope, as BPMN interrupting
boundary events are from a sub-process.

    interrupts:
      - interrupt: fever_reported
        from: ["*"]               # groups and/or step ids; "*" = every step
        except: [fever]           # groups or steps left out
        to: fever_found
        roles: [subject, liaison_cadre, grid_worker, community_doctor]

A fever report must be taken wherever the person is (chasing a missed reading, a violation being
verified, a move being handed over), not only at the steps someone remembered to give the action.
The scope holds task and wait steps only: decisions, ends and subflow steps that do not wait are
passed through, never waited at; a subflow step that waits for a child is left out under "*"
(the signal waits there as an alert) and may not be named.

Each interrupt becomes an ordinary action of every step in its scope when the flow is built, so
the Stepper, the offers, the checks on the graph and the chart need nothing new; one name has
one meaning, so a step in the scope may not have its own action of that name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sopflow.language.childparts import build_action
from sopflow.language.model import Interrupt, Step, StepKind
from sopflow.language.names import suggest

if TYPE_CHECKING:
    from sopflow.language.builder import FlowBuilder
    from sopflow.language.yamlsource import Path

EVERY = "*"
_WAITED_AT = (StepKind.TASK, StepKind.WAIT)


def add_interrupts(builder: FlowBuilder, raws: Any) -> tuple[Interrupt, ...]:
    """Give each step in each interrupt's scope the interrupt as an action; report bad scopes."""
    if not isinstance(raws, list):
        return ()
    found = []
    for i, raw in enumerate(raws):
        if not isinstance(raw, Mapping):
            continue
        with builder.part():
            found.append(_add(builder, raw, ("interrupts", i)))
    return tuple(found)


def _add(builder: FlowBuilder, raw: Mapping[str, Any], path: Path) -> Interrupt:
    name = str(raw["interrupt"])
    reported = len(builder.sink.problems)
    scope = _scope(builder, list(raw["from"]), (*path, "from"), explicit=True)
    left_out = _scope(builder, list(raw.get("except", [])), (*path, "except"), explicit=False)
    steps = [s for s in scope if s not in left_out]
    if not steps and len(builder.sink.problems) == reported:  # not when a name was wrong
        builder.sink.add("interrupt.empty_scope", (*path, "from"), interrupt=name)
    as_action = {k: v for k, v in raw.items() if k not in ("interrupt", "from", "except")}
    as_action["action"] = name
    for step_id in steps:
        step = builder.steps[step_id]
        if any(a.name == name for a in step.actions) or any(c.name == name for c in step.checks):
            builder.sink.add("interrupt.also_action", path, on_key=True, step=step_id, interrupt=name)
            continue
        action = replace(
            build_action(builder, as_action, path, step.role, step.kind, step_id=step_id), interrupt=True
        )
        builder.steps[step_id] = replace(step, actions=(*step.actions, action))
    return Interrupt(name, str(raw["to"]), tuple(steps))


def _scope(builder: FlowBuilder, names: list[str], path: Path, *, explicit: bool) -> list[str]:
    """The task and wait steps named by `names` (groups, steps, "*"), in file order."""
    wanted: dict[str, None] = {}
    steps: Mapping[str, Step] = builder.steps
    groups = set(builder.groups)
    for i, name in enumerate(names):
        if name == EVERY:
            wanted.update(dict.fromkeys(s.id for s in steps.values() if s.kind in _WAITED_AT))
        elif name in groups:
            wanted.update(
                dict.fromkeys(s.id for s in steps.values() if s.group == name and s.kind in _WAITED_AT)
            )
        elif name in steps:
            kind = steps[name].kind
            if explicit and kind is StepKind.SUBFLOW and steps[name].wait:
                builder.sink.add("interrupt.waiting_step", (*path, i), step=name)
            elif kind in _WAITED_AT:
                wanted[name] = None
        else:
            known = [*groups, *steps]
            builder.sink.add(
                "interrupt.unknown_scope", (*path, i), name=name, suggestion=suggest(name, known)
            )
    return list(wanted)
