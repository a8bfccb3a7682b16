"""What a case owes and by when: deadlines, recurring checks and timers, and what is overdue."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sopflow.engine.cases import Case
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


def due_items(stepper: Stepper, case: Case, now: datetime) -> list[DueItem]:
    """Everything the case's current step asks for, with its due time."""
    if not case.active:
        return []
    step = stepper.flow.steps[case.step]
    items: list[DueItem] = []

    def add(kind: str, name: str, when: datetime, roles: tuple[str, ...]) -> None:
        items.append(
            DueItem(case.id, case.flow_id, case.step, kind, name, when, roles, when <= now, case.place)
        )

    if step.deadline is not None:
        add("deadline", step.id, case.entered_at + step.deadline, (step.role,))
    for check in step.checks:
        last = case.last_checks.get(check.name, case.entered_at)
        add("check", check.name, last + check.every, check.roles)
    for timer in step.timers:
        when = stepper.timer_due(case, timer)
        if when is not None:
            add("timer", timer.name, when, (step.role,))
    return items


def next_due(stepper: Stepper, case: Case, kind: str | None = None) -> datetime | None:
    """The earliest due time of the case, or of its timers only (`kind="timer"`)."""
    times = [i.due_at for i in due_items(stepper, case, case.updated_at) if kind is None or i.kind == kind]
    return min(times) if times else None


def next_times(stepper: Stepper, case: Case) -> tuple[datetime | None, datetime | None]:
    """`next_due` of everything and of the timers, in one pass. Both are kept in the store and
    indexed, so that `due` and `tick` read only the cases they concern."""
    items = due_items(stepper, case, case.updated_at)
    timers = [i.due_at for i in items if i.kind == "timer"]
    return min((i.due_at for i in items), default=None), min(timers, default=None)
