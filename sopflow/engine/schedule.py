"""What a case owes and by when: deadlines, recurring checks and timers, and what is overdue."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, tzinfo
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


Owed = tuple[str, str, datetime, tuple[str, ...]]  # kind, name, due time, roles


def _owed(stepper: Stepper, case: Case) -> Iterator[Owed]:
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


class KeptTimes(NamedTuple):
    """What a case's row keeps of its due times, worked out in one pass as it is written: the
    earliest due time, the earliest timer (both indexed, so that `due` and `tick` read only the
    cases they concern) and the list of what it owes (so that `due` need not read it whole)."""

    next_due_at: datetime | None
    next_timer_at: datetime | None
    due_list: str | None


def kept_times(stepper: Stepper, case: Case) -> KeptTimes:
    """The due times a case's row keeps; the list says the basis it was worked out on."""
    first = timer = None
    if case.active and case.alerts:  # an open alert is due from when it was raised (listed first)
        first = case.alerts[0].raised_at
    owed = list(_owed(stepper, case))
    for kind, _name, when, _roles in owed:
        if first is None or when < first:
            first = when
        if kind == "timer" and (timer is None or when < timer):
            timer = when
    if not case.active:
        return KeptTimes(first, timer, None)
    return KeptTimes(first, timer, _kept_text(basis_of(stepper.tz, stepper.day_zero), owed))


def _kept_text(basis: str, owed: list[Owed]) -> str:
    """A due list as kept: the basis, then a line per item, "kind name due-time role,role".
    Plain text, not JSON: `due` reads one per case listed, and splitting a line is quicker than
    decoding JSON. Names and roles are ids (`^[a-z][a-z0-9_]*$`, the flow schema's), so they
    hold no space, comma or line break."""
    lines = [
        f"{kind} {name} {when.astimezone(UTC).isoformat()} {','.join(roles)}"
        for kind, name, when, roles in owed
    ]
    return "\n".join([basis, *lines])


def basis_of(tz: tzinfo, day_zero: bool) -> str:
    """What a kept list depends on besides the case: the time zone of the checks' times of day
    and how timers count days. A list kept on another basis is worked out afresh."""
    return f"{tz}|{int(day_zero)}"


def kept_basis(kept: str) -> str:
    """What a kept due list was worked out on (its first line; see basis_of)."""
    return kept.split("\n", 1)[0]


def kept_due(
    row: tuple[str, str, str, str | None, str | None], basis: str, now: datetime
) -> list[DueItem] | None:
    """The items a case's row keeps (id, flow, step, place, due list: store/queries.due_rows);
    None when it keeps none (a row written before lists were kept), one kept on another basis,
    or one that cannot be read: the caller then works them out from the case."""
    case_id, flow_id, step, place, kept = row
    if kept is None:
        return None
    lines = kept.split("\n")
    if lines[0] != basis:  # the first line: kept_basis
        return None
    items = []
    try:
        for line in lines[1:]:
            kind, name, when, roles = line.split(" ")
            due_at = datetime.fromisoformat(when)
            listed = (case_id, flow_id, step, kind, name, due_at, _roles(roles), due_at <= now, place, None)
            items.append(tuple.__new__(DueItem, listed))  # DueItem(...) without its Python-level __new__
    except ValueError:  # not what kept_times writes: damaged, or edited by hand
        return None
    return items


@functools.lru_cache(maxsize=256)
def _roles(kept: str) -> tuple[str, ...]:
    """Roles as kept ("nurse,subject"): a flow has few sets of them, each made once."""
    return tuple(kept.split(","))
