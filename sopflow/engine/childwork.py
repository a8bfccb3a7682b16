"""Child cases seen from their parent (C11): an action that starts one child per firing, a
child's end written into the parent's history, and the conditions of a wait step.

Pure, like the Stepper that calls these: a case and what happened in, events and effects out.
The values given with a `start:` action are the child's (one person seen at a dwelling): they go
to the child and stay off the parent unless the action `keep:`s them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

from sopflow.cases.records import Case, Event, EventKind, Fold, with_history
from sopflow.engine.changes import Draft, StartChild, child_start
from sopflow.language.model import Action, Step


def split_given(action: Action, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the child's values, those this case keeps) of what a `start:` action was given."""
    if action.start is None:
        return {}, values
    return dict(values), {name: v for name, v in values.items() if name in action.keep}


def start_per_action(
    fold: Fold, case: Case, action: Action, given: Mapping[str, Any], at: datetime
) -> tuple[Case, Event, StartChild]:
    """The CHILD event on `case` (just moved by `action`) and the child it starts: the fields the
    action copies from this case, then the values given with it, then those it sets."""
    assert action.start is not None  # noqa: S101 - the caller looked
    child_id = f"{case.id}.{len(case.children) + 1}"  # as for a subflow step (changes.CHILD_ID)
    event = Event(
        case.seq + 1,
        at,
        EventKind.CHILD,
        action.start.flow,
        "system",
        None,
        case.step,
        None,
        child_id=child_id,
    )
    effect = child_start(action.start, case, child_id, at, step=case.step)
    data = {name: value for name, value in effect.data.items() if name not in action.start.set}
    data.update(given)
    data.update(action.start.set)
    return fold.apply(case, event), event, replace(effect, data=MappingProxyType(data))


def child_end_event(
    case: Case,
    child_id: str,
    outcome: str,
    at: datetime,
    computed: Callable[[Case], Mapping[str, list[Any]]],
) -> Event:
    """The CHILD_ENDED event a child's end appends to its parent, waited for or not, with the
    computed fields it changes (`computed`: their changes on the case with the end counted)."""
    at = max(at, case.updated_at)  # never before the parent's last entry: the history stays in order
    event = Event(case.seq + 1, at, EventKind.CHILD_ENDED, outcome, "system", None, case.step, None)
    event = event._replace(child_id=child_id)
    changes = computed(with_history(case, (*case.history, event)))  # the end counted
    return event._replace(changes=changes) if changes else event


def condition_met(
    draft: Draft,
    step: Step,
    at: datetime,
    holds: Callable[[Any, Case], bool],
    why: Callable[[Any, Case, datetime], Any],
) -> bool:
    """Move the case by the first condition of `step` that holds (a system CONDITION event whose
    `why` holds the guard and the values it saw); False if none does."""
    for condition in step.conditions:
        if holds(condition.guard, draft.case):
            seen = {"guard": condition.guard.source, "values": why(condition.guard, draft.case, at)}
            draft.add_system(at, EventKind.CONDITION, condition.name, step.id, condition.to, why=seen)
            return True
    return False
