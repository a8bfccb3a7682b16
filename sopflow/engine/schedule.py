"""What a case owes and by when: deadlines, recurring checks and timers, and what is overdue."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import NamedTuple

from sopflow.cases.records import Case
from sopflow.engine.slots import check_due
from sopflow.engine.stepper import Stepper


class DueItem(NamedTuple):
    """One thing a case needs by a time: finish the step, record a check, or a timer to run out."""

    case_id: str
    flow_id: str
    step: str
    kind: str  # "deadline", "check" or "timer"
    name: str  # the step, check or timer name
    due_at: datetime
    roles: tuple[str, ...]
    overdue: bool
    place: str | None = None
    label: Mapping[str, str] | None = None  # an alert's name by language, when another flow has it


def due_items(stepper: Stepper, case: Case, now: datetime) -> list[DueItem]:
    """Everything the case's current step asks for, with its due time."""
    return [
        DueItem(case.id, case.flow_id, case.step, kind, name, when, roles, when <= now, case.place)
        for kind, name, when, roles in _owed(stepper, case)
    ]


def _owed(stepper: Stepper, case: Case) -> Iterator[tuple[str, str, datetime, tuple[str, ...]]]:
    """(kind, name, due time, roles) of each deadline, check and timer of the current step."""
    if not case.active:
        return
    step = stepper.flow.steps[case.step]
    if step.deadline is not None:
        yield "deadline", step.id, case.entered_at + step.deadline, (step.role,)
    for check in step.checks:
        when = check_due(check, step, case, stepper.params, stepper.tz)
        if when is not None:
            yield "check", check.name, when, check.roles
    for timer in step.timers:
        when = stepper.timer_due(case, timer)
        if when is not None:
            yield "timer", timer.name, when, (step.role,)


def next_times(stepper: Stepper, case: Case) -> tuple[datetime | None, datetime | None]:
    """The earliest due time of the case, and of its timers only, in one pass. Both are kept in
    the store and indexed, so that `due` and `tick` read only the cases they concern."""
    first = timer = None
    if case.active and case.alerts:  # an open alert is due from when it was raised (listed first)
        first = case.alerts[0].raised_at
    for kind, _name, when, _roles in _owed(stepper, case):
        if first is None or when < first:
            first = when
        if kind == "timer" and (timer is None or when < timer):
            timer = when
    return first, timer
