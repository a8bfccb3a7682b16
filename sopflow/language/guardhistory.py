"""The guard functions that read a case's recorded history: `missed_checks("temperature_check")`,
`checks_done(…)`, `hours_since_check(…)`, `visits("observation_extended")`, and the child
cases it started (C11): `children("occupant_check")`, `children_open(…)`,
`children_ended(…[, outcome])`. A rule such as a release review must read the log as it was
recorded, not a box someone ticked about it (issue 11, defect 5).

Their one argument is a check's name (for `visits`, a step's), written as a literal, so that
`flows validate` can tell a misspelt one. The engine hands the history in with the params, under
a key no guard can spell; a guard evaluated without it fails instead of guessing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

from sopflow.language.guardtree import GNode

Program = Callable[[Mapping[str, Any], Mapping[str, Any], datetime], Any]


class HistoryMissing(LookupError):
    """A history function evaluated without the case's history (the engine's mistake)."""

    def __init__(self, function: str) -> None:
        super().__init__(f"{function}() needs the case's recorded checks, which were not given")
        self.function = function


HISTORY_KEY = "@history"
# function -> what its argument names: a check of the flow, or a step of it
HISTORY_FUNCTIONS: dict[str, str] = {
    "missed_checks": "check",
    "checks_done": "check",
    "hours_since_check": "check",
    "visits": "step",
    "children": "flow",
    "children_open": "flow",
    "children_ended": "flow",
}
# those whose value changes only with an entry (a child's start or end), never with the clock
CHILD_FUNCTIONS = frozenset(f for f, kind in HISTORY_FUNCTIONS.items() if kind == "flow")
OUTCOME_FUNCTION = "children_ended"  # the one that may name an outcome too: ("flow", "outcome")


class CheckHistory(Protocol):
    """What the history functions read: a case's recorded checks, worked out from its events."""

    def missed(self, check: str, now: datetime) -> int:
        """Times the check was owed up to `now` and not recorded."""
        ...

    def done(self, check: str) -> int:
        """Readings recorded."""
        ...

    def hours_since(self, check: str, now: datetime) -> float:
        """Hours since the last reading (or since the check was first owed)."""
        ...

    def visits(self, step: str) -> int:
        """Times the case entered `step`."""
        ...

    def children(self, flow: str, state: str, outcome: str | None = None) -> int:
        """Child cases of `flow` this case started: all, "open" or "ended" (with `outcome`)."""
        ...


def history_value(history: CheckHistory, function: str, check: str, now: datetime) -> Any:
    """What history function `function` says of `check` at `now`."""
    if function == "missed_checks":
        return history.missed(check, now)
    if function == "checks_done":
        return history.done(check)
    if function == "visits":
        return history.visits(check)
    if function in CHILD_FUNCTIONS:  # check: "flow", or "flow:outcome" for children_ended
        flow, _, outcome = check.partition(":")
        return history.children(flow, function.removeprefix("children").lstrip("_") or "all", outcome or None)
    return round(history.hours_since(check, now), 1)


def history_call(function: str, check: str) -> Program:
    def call(data: Mapping[str, Any], params: Mapping[str, Any], now: datetime) -> Any:
        history: CheckHistory | None = params.get(HISTORY_KEY)
        if history is None:
            raise HistoryMissing(function)
        return history_value(history, function, check, now)

    return call


def call_text(function: str, check: str) -> str:
    """A history call as written: `children_ended("occupant_check", "referred_kpc")`."""
    return f"{function}(" + ", ".join(f'"{part}"' for part in check.split(":")) + ")"


def history_calls(tree: GNode | None) -> tuple[tuple[str, str], ...]:
    """(function, check) of each history function a guard calls, in the order written; for
    `children_ended("flow", "outcome")` the check is "flow:outcome"."""
    if tree is None:
        return ()
    found: list[tuple[str, str]] = []
    pending = [tree]
    while pending:
        node = pending.pop(0)
        if node.kind == "Call" and node.node.kind == "Name" and node.node.name in HISTORY_FUNCTIONS:
            argument = node.args[0] if node.args else None
            if argument is not None and argument.kind == "Const":
                names = [str(a.value) for a in node.args if a.kind == "Const"]
                found.append((node.node.name, ":".join(names)))
        pending.extend(node.children())
    return tuple(found)
