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


def check_history_calls(
    guards: Sequence[tuple[Guard, Path]], steps: Mapping[str, Step], sink: ProblemSink
) -> None:
    """`guard.unknown_check` for each history function whose check no step has
    (`guard.unknown_step` for `visits` of a step the flow does not have)."""
    names = {"check": check_names(steps), "step": frozenset(steps)}
    for guard, path in guards:
        for function, name in guard.reads_history:
            kind = HISTORY_FUNCTIONS[function]
            known = names[kind]
            if name not in known:
                sink.add(
                    "guard.unknown_step" if kind == "step" else "guard.unknown_check",
                    path,
                    guard=guard.source,
                    function=function,
                    name=name,
                    suggestion=suggest(name, sorted(known)),
                )
