"""Raising and closing alerts, purely (issue 11, C1; the record is cases/alerts.py).

A signal is never dropped: when the receiving case cannot take it at its step, an ALERT event
goes on that case for the role of its step; when there is no case to receive it, an
`undelivered` alert goes on the sender. An alert closes by itself when the case later takes the
awaited action (by staff, signal or check) or enters the step that action leads to (so a
`fever_reported` alert closes when the person reaches `fever_found`, however they got there), or
when a person closes it with a note. Each closing is an ALERT_CLOSED event naming the alert.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sopflow.cases.alerts import Alert, AlertKind, alert_why
from sopflow.cases.records import MOVES, Case, Event, EventKind
from sopflow.engine.changes import Result
from sopflow.engine.stepper import Stepper
from sopflow.errors import CaseError
from sopflow.language.model import Flow

_TAKEN = frozenset({EventKind.ACTION, EventKind.SIGNAL, EventKind.CHECK})


def expected_step(flow: Flow, action: str) -> str | None:
    """The step `action` leads to wherever it is offered (the first in the file): entering it
    answers an alert about that action."""
    for step in flow.steps.values():
        for offered in step.actions:
            if offered.name == action:
                return offered.to
    return None


def raise_alert(
    stepper: Stepper,
    case: Case,
    *,
    kind: str,
    name: str,
    at: datetime,
    roles: Iterable[str],
    detail: Mapping[str, Any],
    actor: str = "system",
) -> Result:
    """An ALERT event on `case` (active or ended), for `roles` and the role of its step. Dated
    no earlier than the case's last entry, so its history stays in time order."""
    step_role = stepper.flow.steps[case.step].role
    why = alert_why(kind, (*roles, step_role), {"step": case.step, **detail})
    event = Event(
        case.seq + 1, max(at, case.updated_at), EventKind.ALERT, name, actor, None, case.step, why=why
    )
    return Result(stepper.fold.apply(case, event), (event,))


def note_sent(stepper: Stepper, case: Case, at: datetime, why: Mapping[str, Any]) -> Result:
    """A SENT event on the case that sent a signal: where it went (taken, kept as an alert)."""
    name = str(why.get("action", "signal"))
    event = Event(
        case.seq + 1, max(at, case.updated_at), EventKind.SENT, name, "system", None, case.step, why=why
    )
    return Result(stepper.fold.apply(case, event), (event,))


def note_child(stepper: Stepper, case: Case, at: datetime, flow_id: str, child_id: str) -> Result:
    """A CHILD event on a case (ended, as a signal's sender is) that starts `child_id` of `flow_id`."""
    event = Event(case.seq + 1, max(at, case.updated_at), EventKind.CHILD, flow_id, "system", None, case.step)
    event = event._replace(child_id=child_id)
    return Result(stepper.fold.apply(case, event), (event,))


def answered(stepper: Stepper, result: Result) -> Result:
    """`result` with ALERT_CLOSED events for the open alerts its events answer."""
    case = result.case
    if not case.alerts or not result.events:
        return result
    closing = [a for a in case.alerts if _answers(result.events, a)]
    if not closing:
        return result
    events = list(result.events)
    at = case.updated_at
    for alert in closing:
        why = {"alert": alert.seq, "by": "answered"}
        event = Event(
            case.seq + 1, at, EventKind.ALERT_CLOSED, alert.name, "system", None, case.step, why=why
        )
        case = stepper.fold.apply(case, event)
        events.append(event)
    return Result(case, tuple(events), result.effects)


def _answers(events: Iterable[Event], alert: Alert) -> bool:
    if alert.kind == AlertKind.LATE_ENTRY:
        return False  # the next reading is no answer to it: a person decides and closes it
    for event in events:
        if event.seq <= alert.seq:
            continue
        if event.kind in _TAKEN and event.name == alert.name:
            return True
        if event.kind in MOVES and event.to_step is not None and event.to_step == alert.expects:
            return True
    return False


def close_by_hand(
    stepper: Stepper, case: Case, seq: int, *, actor: str, role: str | None, note: str, at: datetime
) -> Result:
    """A person closes alert `seq` of the case with a note: one of the alert's roles, or the role
    of the case's current step. CaseError otherwise, or if no such alert is open."""
    alert = next((a for a in case.alerts if a.seq == seq), None)
    if alert is None:
        raise CaseError("alert.not_open", alert=f"{case.id}#{seq}")
    allowed = (*alert.roles, stepper.flow.steps[case.step].role)
    if role not in allowed:
        names = stepper.names.roles
        raise CaseError(
            "alert.wrong_role",
            alert=alert.id,
            role=names.named(role) if role else "-",
            roles=names.listing(list(dict.fromkeys(allowed))),
        )
    why = {"alert": seq, "by": "person"}
    when = max(at, case.updated_at)
    event = Event(
        case.seq + 1, when, EventKind.ALERT_CLOSED, alert.name, actor, role, case.step, why=why, note=note
    )
    return Result(stepper.fold.apply(case, event), (event,))
