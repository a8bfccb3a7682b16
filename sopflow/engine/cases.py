"""Cases and their history: the state of one person (household, visit) in one flow.

A case's history is the truth; its current state is what folding the history gives
(`apply_event`). The store keeps both, so a listing needs no replay, and `verify` can replay every
case and compare.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from sopflow.engine.fielddata import from_json
from sopflow.engine.model import Flow, StepKind


class CaseStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class EventKind(StrEnum):
    """What moved (or touched) the case."""

    START = "start"  # the case was opened
    ACTION = "action"  # staff fired an action
    CHECK = "check"  # a recurring check was recorded (the step stays)
    BRANCH = "branch"  # a decision took a branch on the case's data
    TIMER = "timer"  # a timer ran out
    ESCALATE = "escalate"  # a recorded check met its escalation guard
    NEXT = "next"  # a child flow was started without waiting; the case went on
    CHILD = "child"  # a child case was started
    OUTCOME = "outcome"  # a child case ended; this case went on by its outcome
    SIGNAL = "signal"  # a descendant case fired an action here when it ended


MOVES = frozenset(
    {
        EventKind.START,
        EventKind.ACTION,
        EventKind.BRANCH,
        EventKind.TIMER,
        EventKind.ESCALATE,
        EventKind.NEXT,
        EventKind.OUTCOME,
        EventKind.SIGNAL,
    }
)


@dataclass(frozen=True)
class Event:
    """One line of a case's history. `changes` maps field -> [old, new] as JSON data."""

    seq: int
    at: datetime
    kind: EventKind
    name: str
    actor: str
    role: str | None = None
    from_step: str | None = None
    to_step: str | None = None
    changes: Mapping[str, list[Any]] = field(default_factory=lambda: MappingProxyType({}))
    note: str | None = None
    why: Mapping[str, Any] | None = None
    child_id: str | None = None


@dataclass(frozen=True)
class Case:
    """A case as it stands. `seq` is the number of its last event, the token for optimistic
    concurrency: a change is saved only if nobody saved another since this case was read.
    `history` holds the events loaded with it: all of them from Engine.case(); only those of
    the change itself on a case returned by Engine.start/fire/tick."""

    id: str
    flow_id: str
    flow_version: str
    flow_digest: str
    step: str
    status: CaseStatus
    outcome: str | None
    data: Mapping[str, Any]
    parent_id: str | None
    place: str | None
    created_at: datetime
    updated_at: datetime
    entered_at: datetime
    last_checks: Mapping[str, datetime]
    children: tuple[str, ...]
    seq: int
    history: tuple[Event, ...] = ()

    @property
    def active(self) -> bool:
        return self.status is CaseStatus.ACTIVE


def new_case(case_id: str, flow: Flow, parent_id: str | None, place: str | None, at: datetime) -> Case:
    """The empty case a START event is applied to."""
    return Case(
        id=case_id,
        flow_id=flow.id,
        flow_version=flow.version,
        flow_digest=flow.digest,
        step="",
        status=CaseStatus.ACTIVE,
        outcome=None,
        data=MappingProxyType({}),
        parent_id=parent_id,
        place=place,
        created_at=at,
        updated_at=at,
        entered_at=at,
        last_checks=MappingProxyType({}),
        children=(),
        seq=0,
    )


_NO_CHECKS: Mapping[str, datetime] = MappingProxyType({})


def apply_event(flow: Flow, case: Case, event: Event) -> Case:
    """The case after `event`: the one rule by which both stepping and replay change state.

    Built in one go (one new Case per event): this is the engine's innermost loop."""
    changes: dict[str, Any] = {"seq": event.seq, "updated_at": event.at, "history": (*case.history, event)}
    if event.changes:
        data = dict(case.data)
        for name, (_old, new) in event.changes.items():
            if new is None:
                data.pop(name, None)
            else:
                data[name] = from_json(flow.fields.get(name), new)
        changes["data"] = MappingProxyType(data)
    if event.kind is EventKind.CHILD and event.child_id:
        changes["children"] = (*case.children, event.child_id)
    elif event.kind is EventKind.CHECK:
        changes["last_checks"] = MappingProxyType({**case.last_checks, event.name: event.at})
    if event.kind in MOVES and event.to_step:
        step = flow.steps[event.to_step]
        ended = step.kind is StepKind.END
        changes.update(
            step=step.id,
            entered_at=event.at,
            last_checks=_NO_CHECKS,
            status=CaseStatus.ENDED if ended else CaseStatus.ACTIVE,
            outcome=step.outcome if ended else None,
        )
    return _evolve(case, changes)


def _evolve(case: Case, changes: Mapping[str, Any]) -> Case:
    """dataclasses.replace without re-running __init__: a copy of the frozen case's fields with
    `changes` applied. Several times faster, and this runs once for every event."""
    new = object.__new__(Case)
    fields = new.__dict__
    fields.update(case.__dict__)
    fields.update(changes)
    return new


def replay(
    flow: Flow, case_id: str, events: tuple[Event, ...], parent_id: str | None, place: str | None
) -> Case:
    """The case its history describes (used by `verify` and property tests)."""
    if not events:
        raise ValueError(f"case {case_id} has no history")
    case = new_case(case_id, flow, parent_id, place, events[0].at)
    for event in events:
        case = apply_event(flow, case, event)
    return case
