"""Checks entered late (issue 11, C12): a paper form typed in after later entries.

Only a check may be dated before the case's last entry, and only when the case stood at a step
owing that check at that time. It is saved with the next seq, dated when it happened (`at`), with
`recorded_at` (when it was typed in) and `late`. It takes its place in time order: the fold leaves
a field a later entry changed as it was (`why.kept`), so a 09:00 reading does not replace a 10:00
one as the current value.

If the reading meets the check's escalation rule as of `at`, and the case has not moved since,
the case escalates now (`why.late_from`). If it has moved on, nothing is rewound: an alert
(`late_entry`) tells the escalation's `alert_roles` (or the role of the step it leads to), and a
person decides what follows. Decisions taken earlier are not re-evaluated.

An action that moves the case is still refused when dated before the last entry: a correction of
the history is `case amend` (issue 13).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NoReturn

from sopflow.cases.alerts import AlertKind
from sopflow.cases.inputs import local_text
from sopflow.cases.records import Case, CaseStatus, Event, EventKind
from sopflow.engine import refusals
from sopflow.engine.alerting import raise_alert
from sopflow.engine.changes import Move, Result
from sopflow.engine.stepper import Stepper, _json_value
from sopflow.errors import CaseError
from sopflow.language.model import Check


def fire_late(
    stepper: Stepper,
    case: Case,
    name: str,
    *,
    actor: str,
    role: str | None,
    data: Mapping[str, Any],
    at: datetime,
    recorded: datetime,
    note: str | None = None,
) -> Result:
    """Record check `name`, dated `at` before the case's last entry (`case` holds its whole
    history); `recorded`: now, when it is typed in."""
    if case.status is not CaseStatus.ACTIVE:
        refusals.ended(stepper.names, case)
    if len(case.history) != case.seq:
        raise ValueError(f"case {case.id}: a late entry needs the whole history")
    if at < case.created_at:
        _late_action(stepper, case, at, code="case.late_before_start")
    as_of = as_it_was(stepper, case, at)
    move, check = _owed(stepper, case, as_of, name, at)
    name = move.name
    if role is not None and role not in stepper.flow.roles:
        role = stepper.names.roles.id_of(role, refuse=CaseError)
    if role not in check.roles:
        refusals.wrong_role(stepper.names, as_of, name, check.roles, role)
    values = stepper.entries.parse_taken(case.id, data, move, at) if data else {}
    missing = [f for f in move.requires if f not in values and (f in move.fresh or f not in as_of.data)]
    if missing:
        refusals.missing_data(
            stepper.names, as_of, name, missing, stepper.held(as_of, move.requires, move.fresh)
        )
    if check.when is not None:  # a check owed only while its `when:` held: then, not now
        stepper._check_owed(as_of, check, values, at)
    values = stepper.computer.with_computed(as_of.data, dict(values), at)
    changes = stepper.entries.changes(as_of.data, values, every=True)
    later = {field for e in case.history if e.at > at for field in e.changes}
    kept = sorted(field for field in changes if field in later)
    event = Event(
        case.seq + 1,
        at,
        EventKind.CHECK,
        name,
        actor,
        role,
        as_of.step,
        None,
        changes,
        note,
        why={"kept": kept} if kept else None,
        recorded_at=recorded,
        late=True,
    )
    moved = stepper.fold.apply(case, event)
    if check.escalate is None:
        return Result(moved, (event,))
    then = stepper.fold.apply(as_of, event._replace(why=None))  # the data as of `at`, with this reading
    escalation = stepper._escalation(then, name, check.escalate, at, actor)
    if escalation is None:
        return Result(moved, (event,))
    if case.step == as_of.step and case.entered_at <= at:  # it has not moved since: escalate now
        why = {**(escalation.why or {}), "late_from": at.isoformat()}
        now = escalation._replace(seq=moved.seq + 1, at=max(recorded, case.updated_at), why=why)
        return stepper._settled(stepper.fold.apply(moved, now), (event, now), now.at)
    roles = check.escalate.alert_roles or (stepper.flow.steps[check.escalate.to].role,)
    detail = {
        "check": name,
        "at": at.isoformat(),
        "values": {field: _json_value(value) for field, value in values.items()},
        "would_have": check.escalate.to,
        "from_step": as_of.step,
    }
    alert = raise_alert(
        stepper, moved, kind=AlertKind.LATE_ENTRY, name=name, at=recorded, roles=roles, detail=detail
    )
    return Result(alert.case, (event, *alert.events))


def as_it_was(stepper: Stepper, case: Case, at: datetime) -> Case:
    """The case as its history stood at `at`: the events dated then or before, in time order."""
    past = sorted((e for e in case.history if e.at <= at), key=lambda e: (e.at, e.seq))
    return stepper.fold.replay(case.id, tuple(past), case.parent_id, case.place)


def _owed(stepper: Stepper, case: Case, as_of: Case, name: str, at: datetime) -> tuple[Move, Check]:
    """The check `name` the case owed at `at`; refused if it was an action, or not owed then."""
    try:
        move = stepper._move(as_of, name, at) if as_of.active else None
    except CaseError:
        move = None
    if move is not None and isinstance(move.first, Check):
        return move, move.first
    if move is not None or _is_action(stepper, case, name, at):
        _late_action(stepper, case, at, code="case.late_action")
    raise CaseError(
        "case.late_check_not_owed",
        case=case.id,
        at=local_text(at, stepper.tz),
        step=stepper.names.steps.named(as_of.step),
        check=name,
    )


def _is_action(stepper: Stepper, case: Case, name: str, at: datetime) -> bool:
    """Whether `name` is an action (not a check) at the case's step now."""
    try:
        move = stepper._move(case, name, at)
    except CaseError:
        return False
    return not isinstance(move.first, Check)


def _late_action(stepper: Stepper, case: Case, at: datetime, *, code: str) -> NoReturn:
    raise CaseError(
        code,
        case=case.id,
        at=local_text(at, stepper.tz),
        last=local_text(case.updated_at, stepper.tz),
        start=local_text(case.created_at, stepper.tz),
    )
