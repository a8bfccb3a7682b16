"""Guards that read the case's history (`missed_checks("temperature_check")` and the like) must
name a check (for `visits`, a step) the flow has: a misspelt name would otherwise count nothing,
for ever, and a release rule built on it would always pass. Checked once every step is built, at
the guard's file:line:col.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sopflow.language.guardhistory import HISTORY_FUNCTIONS
from sopflow.language.model import Guard, Step
from sopflow.language.names import suggest
from sopflow.language.problems import ProblemSink
from sopflow.language.yamlsource import Path


def check_names(steps: Mapping[str, Step]) -> frozenset[str]:
    """Every check name of the flow, at any step."""
    return frozenset(check.name for step in steps.values() for check in step.checks)


def started_flows(steps: Mapping[str, Step]) -> frozenset[str]:
    """The flows this flow's cases start: by subflow steps and `start:` actions (C11)."""
    found = {s.subflow or "" for s in steps.values() if s.subflow}
    found |= {a.start.flow for s in steps.values() for a in s.actions if a.start is not None}
    return frozenset(found - {""})


def check_history_calls(
    guards: Sequence[tuple[Guard, Path]], steps: Mapping[str, Step], sink: ProblemSink
) -> None:
    """`guard.unknown_check` for each history function whose check no step has
    (`guard.unknown_step` for `visits` of a step the flow does not have, `guard.unknown_flow` for
    `children(…)` of a flow it never starts)."""
    names = {"check": check_names(steps), "step": frozenset(steps), "flow": started_flows(steps)}
    codes = {"check": "guard.unknown_check", "step": "guard.unknown_step", "flow": "guard.unknown_flow"}
    for guard, path in guards:
        for function, called in guard.reads_history:
            kind = HISTORY_FUNCTIONS[function]
            known = names[kind]
            name = called.partition(":")[0]  # children_ended("flow", "outcome") reads "flow:outcome"
            if name not in known:
                sink.add(
                    codes[kind],
                    path,
                    guard=guard.source,
                    function=function,
                    name=name,
                    suggestion=suggest(name, sorted(known)),
                )


def step_guards(step: Step) -> list[Guard]:
    """The guards of a step: of its actions, branches, escalations and conditional checks."""
    found: list[Guard | None] = [a.guard for a in step.actions] + [b.guard for b in step.branches]
    found += [c.escalate.guard for c in step.checks if c.escalate is not None]
    found += [c.when for c in step.checks]
    found += [c.guard for c in step.conditions]
    return [g for g in found if g is not None]


def steps_reading_history(
    steps: Mapping[str, Step], automatic: frozenset[str], *, everywhere: bool = False
) -> frozenset[str]:
    """The steps from which one change can evaluate a guard that reads the case's history: one of
    the step's own guards, or a branch of an automatic step (a decision, a subflow, an end) or a
    condition of a wait step (C11) its exits lead to, directly or through other such steps. A
    change elsewhere (a reading at home observation) needs none of the case's past events, so the
    engine does not read them. `everywhere`: a computed field's rule reads it (every entry)."""
    if everywhere:
        return frozenset(steps)
    automatic = automatic | {s.id for s in steps.values() if s.conditions}
    reading = {s.id for s in steps.values() if any(g.reads_history for g in step_guards(s))}
    found = set()
    for step in steps.values():
        todo, seen = [step.id], set()
        while todo:
            current = todo.pop()
            if current in reading:
                found.add(step.id)
                break
            seen.add(current)
            todo += [t for _, _, t in steps[current].exits() if t in automatic and t not in seen]
    return frozenset(found)
