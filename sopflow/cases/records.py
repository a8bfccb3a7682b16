"""Cases and their history: the state of one person (household, visit) in one flow.

A case's history is the truth; its current state is what folding the history gives
(`Fold.apply`). The store keeps both, so a listing needs no replay, and `verify` can replay every
case and compare.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final, NamedTuple

from sopflow.cases.alerts import Alert, closed_seq, raised
from sopflow.cases.fielddata import from_json
from sopflow.errors import CaseError
from sopflow.language.model import Flow, StepKind


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
    CHILD_ENDED = "child_ended"  # a child case ended (name: its outcome), waited for or not (C11)
    CONDITION = "condition"  # a condition of a wait step held; the case went on (why: the values)
    SIGNAL = "signal"  # a descendant case fired an action here when it ended
    # Corrections and changes of hand (see docs/corrections.md): the history keeps the original
    # entry and says who put it right, when and why.
    AMEND = "amend"  # a value entered earlier corrected (why: the entry and the values)
    REPLAY = "replay"  # the later steps re-played with a correction: the case goes where they lead
    TRANSFER = "transfer"  # the case (a referral) now belongs to another place
    ASSIGN = "assign"  # a named worker now looks after the case (or nobody)
    MERGE = "merge"  # a duplicate case was merged into this one (its open children come along)
    MERGED = "merged"  # this case was a duplicate: ended, pointing to the case it was merged into
    ADOPTED = "adopted"  # this case's parent was merged: it now belongs to the case kept
    CANCEL = "cancel"  # the case was opened by mistake: ended as cancelled
    # Alerts (cases/alerts.py): a signal the case could not take, kept for a person to look at.
    # Neither moves the case; both may come to an ended case.
    ALERT = "alert"  # an alert raised (why: its kind, roles, from_case, expects)
    ALERT_CLOSED = "alert_closed"  # an alert answered or closed by a person (why: {alert: seq})
    SENT = "sent"  # this case sent a signal (why: the flow, the action, taken by, kept as alerts)
    # Shared cases (C4): neither moves the case. On a shared case: why.member joined or left; on a
    # member: child_id is the shared case it joined instead of starting one of its own.
    JOIN = "join"
    LEAVE = "leave"


MOVES = frozenset(
    {
        EventKind.START,
        EventKind.ACTION,
        EventKind.BRANCH,
        EventKind.TIMER,
        EventKind.ESCALATE,
        EventKind.NEXT,
        EventKind.OUTCOME,
        EventKind.CONDITION,
        EventKind.SIGNAL,
        EventKind.REPLAY,
    }
)
# Events that change what a case is about rather than where it stands (handled apart in the fold,
# off the path every check and action takes).
CORRECTIONS = frozenset(
    {
        EventKind.REPLAY,
        EventKind.TRANSFER,
        EventKind.ASSIGN,
        EventKind.MERGE,
        EventKind.MERGED,
        EventKind.ADOPTED,
        EventKind.CANCEL,
    }
)
CANCELLED, MERGED = "cancelled", "merged"  # the outcomes of a case cancelled or merged away


NO_CHANGES: Mapping[str, list[Any]] = MappingProxyType({})  # an event that changes no data


class Event(NamedTuple):
    """One line of a case's history. `changes` maps field -> [old, new] as JSON data.

    A named tuple: immutable, equal by value, and cheap to make (every step makes one)."""

    seq: int
    at: datetime
    kind: EventKind
    name: str
    actor: str
    role: str | None = None
    from_step: str | None = None
    to_step: str | None = None
    changes: Mapping[str, list[Any]] = NO_CHANGES
    note: str | None = None
    why: Mapping[str, Any] | None = None
    child_id: str | None = None
    # A check entered late (issue 11, C12): `at` is when it happened, `recorded_at` when it was
    # typed in, after later entries. Other events: None and False (saved in time order).
    recorded_at: datetime | None = None
    late: bool = False

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (for a process pool, say) with its read-only mappings as plain dicts."""
        return (_event, (*self[:8], dict(self.changes), *self[9:]))


def _event(*fields: Any) -> Event:
    """An Event from its pickled fields: its changes made read-only again."""
    event = Event._make(fields)
    return event._replace(changes=MappingProxyType(event.changes) if event.changes else NO_CHANGES)


class Case:
    """A case as it stands. `seq` is the number of its last event, the token for optimistic
    concurrency: a change is saved only if nobody saved another since this case was read.
    `history` holds the events loaded with it: all of them from Engine.case(); only those of
    the change itself on a case returned by Engine.start/fire/tick.

    Immutable by contract: its attributes are Final (mypy refuses assignments) and its mappings
    read-only views. A plain class, not a frozen dataclass or a named tuple, because one is made
    for every step and those cost two to five times as much to build."""

    def __init__(  # noqa: PLR0917 - a record, built positionally in the engine's inner loop
        self,
        id: str,
        flow_id: str,
        flow_version: str,
        flow_digest: str,
        step: str,
        status: CaseStatus,
        outcome: str | None,
        data: Mapping[str, Any],
        parent_id: str | None,
        place: str | None,
        created_at: datetime,
        updated_at: datetime,
        entered_at: datetime,
        last_checks: Mapping[str, datetime],
        children: tuple[str, ...],
        seq: int,
        history: tuple[Event, ...] = (),
        assigned_to: str | None = None,
        alerts: tuple[Alert, ...] = (),
    ) -> None:
        self.id: Final = id
        self.flow_id: Final = flow_id
        self.flow_version: Final = flow_version
        self.flow_digest: Final = flow_digest
        self.step: Final = step
        self.status: Final = status
        self.outcome: Final = outcome
        self.data: Final = data
        self.parent_id: Final = parent_id
        self.place: Final = place
        self.created_at: Final = created_at
        self.updated_at: Final = updated_at
        self.entered_at: Final = entered_at
        self.last_checks: Final = last_checks
        self.children: Final = children
        self.seq: Final = seq
        self.history: Final = history
        self.assigned_to: Final = assigned_to  # the named worker looking after it, if any
        self.alerts: Final = alerts  # open alerts, oldest first (cases/alerts.py)

    @property
    def active(self) -> bool:
        return self.status is CaseStatus.ACTIVE

    def _fields(self) -> tuple[Any, ...]:
        return (
            self.id,
            self.flow_id,
            self.flow_version,
            self.flow_digest,
            self.step,
            self.status,
            self.outcome,
            self.data,
            self.parent_id,
            self.place,
            self.created_at,
            self.updated_at,
            self.entered_at,
            self.last_checks,
            self.children,
            self.seq,
            self.history,
            self.assigned_to,
            self.alerts,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Case) and _plain(self._fields()) == _plain(other._fields())

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Case(id={self.id!r}, flow={self.flow_id!r}, step={self.step!r}, seq={self.seq})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (for a process pool, say) and deep-copied with its mappings as plain dicts."""
        fields = tuple(dict(v) if isinstance(v, Mapping) else v for v in self._fields())
        return (_case, fields)


def _case(*fields: Any) -> Case:
    """A Case from its pickled fields: the mappings made read-only again."""
    values = [MappingProxyType(v) if isinstance(v, dict) else v for v in fields]
    return Case(*values)  # type: ignore[arg-type] # the fields of _fields(), in order


def _plain(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """Mappings as dicts, so that a MappingProxyType equals the dict it wraps."""
    return tuple(dict(v) if isinstance(v, Mapping) else v for v in values)


def copied(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """A dict with what `mapping` holds. For the read-only views a case keeps, `.copy()` is ten
    times faster than `dict(view)` or `{**view}`, which go key by key."""
    if type(mapping) is MappingProxyType or type(mapping) is dict:
        return mapping.copy()
    return dict(mapping)


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


class Fold:
    """The one rule by which both stepping and replay change a case: `apply(case, event)`.

    Built once per flow version, so that the innermost loop of the engine looks up what it needs
    about the flow (which steps end it, which fields hold dates) in one dictionary each."""

    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        # step -> the status and outcome of a case that enters it (KeyError: no such step)
        self._entering: dict[str, tuple[CaseStatus, str | None]] = {
            s.id: (CaseStatus.ENDED, s.outcome) if s.kind is StepKind.END else (CaseStatus.ACTIVE, None)
            for s in flow.steps.values()
        }
        self._dates = flow.date_fields  # the fields whose JSON is text to turn back into dates

    def apply(self, case: Case, event: Event) -> Case:
        """The case after `event`."""
        if event.late:
            return self._late(case, event)
        kind = event.kind
        data = self._changed_data(case.data, event.changes) if event.changes else case.data
        last_checks = case.last_checks
        children = case.children
        if kind is EventKind.CHECK:
            checks = copied(last_checks)
            checks[event.name] = event.at
            last_checks = MappingProxyType(checks)
        elif kind is EventKind.CHILD and event.child_id:
            children = (*children, event.child_id)
        alerts = case.alerts
        if kind is EventKind.ALERT:
            alerts = (*alerts, raised(case.id, event.seq, event.at, event.name, event.why or {}))
        elif kind is EventKind.ALERT_CLOSED:
            answered = closed_seq(event.why)
            alerts = tuple(a for a in alerts if a.seq != answered)
        step, status, outcome, entered_at = case.step, case.status, case.outcome, case.entered_at
        to_step = event.to_step
        if to_step and kind in MOVES:
            status, outcome = self._entering[to_step]
            step, entered_at, last_checks = to_step, event.at, _NO_CHECKS
        folded = Case(
            case.id,
            case.flow_id,
            case.flow_version,
            case.flow_digest,
            step,
            status,
            outcome,
            data,
            case.parent_id,
            case.place,
            case.created_at,
            event.at,
            entered_at,
            last_checks,
            children,
            event.seq,
            case.history + (event,),  # noqa: RUF005 - one copy; (*h, e) builds a list first
            case.assigned_to,
            alerts,
        )
        return _corrected(folded, event) if kind in CORRECTIONS else folded

    def _late(self, case: Case, event: Event) -> Case:
        """A check entered late (issue 11, C12) takes its place in time order: it does not date
        the case back (`updated_at` stays), it is the last reading only if none came after it at
        the current step, and it leaves the fields a later entry changed (`why.kept`) as they are:
        a 09:00 reading does not replace a 10:00 one as the current value."""
        kept = frozenset((event.why or {}).get("kept", ()))
        changes = {k: v for k, v in event.changes.items() if k not in kept}
        data = self._changed_data(case.data, changes) if changes else case.data
        last_checks = case.last_checks
        known = last_checks.get(event.name)
        if event.at >= case.entered_at and (known is None or known < event.at):
            checks = copied(last_checks)
            checks[event.name] = event.at
            last_checks = MappingProxyType(checks)
        fields = dict(zip(_FIELD_NAMES, case._fields(), strict=True))
        fields.update(data=data, last_checks=last_checks, seq=event.seq, history=(*case.history, event))
        return Case(**fields)

    def _changed_data(self, data: Mapping[str, Any], changes: Mapping[str, list[Any]]) -> Mapping[str, Any]:
        new = copied(data)
        for name, (_old, value) in changes.items():
            if value is None:
                new.pop(name, None)
            else:
                new[name] = from_json(self.flow.fields[name], value) if name in self._dates else value
        return MappingProxyType(new)

    def replay(
        self, case_id: str, events: tuple[Event, ...], parent_id: str | None, place: str | None
    ) -> Case:
        """The case its history describes (used by `verify` and property tests)."""
        if not events:
            raise ValueError(f"case {case_id} has no history")
        case = new_case(case_id, self.flow, parent_id, place, events[0].at)
        for event in events:
            case = self.apply(case, event)
        return case


def _corrected(case: Case, event: Event) -> Case:
    """What a correction or change of hand does besides the data: see EventKind. Its `why` holds
    the values (a place, a worker, adopted children), so that replaying the history gives them."""
    why = event.why or {}
    kind = event.kind
    fields = dict(zip(_FIELD_NAMES, case._fields(), strict=True))
    if kind is EventKind.REPLAY:  # where the re-played steps left the case, since when
        fields["entered_at"] = datetime.fromisoformat(why["entered_at"])
        checks = {name: datetime.fromisoformat(at) for name, at in why.get("last_checks", {}).items()}
        fields["last_checks"] = MappingProxyType(checks) if checks else _NO_CHECKS
        fields["children"] = (*case.children, *why.get("children", ()))
    elif kind is EventKind.TRANSFER:
        fields["place"] = why["to"]
    elif kind is EventKind.ASSIGN:
        fields["assigned_to"] = why["to"]
    elif kind is EventKind.MERGE:  # adopted children go first: the newest child stays the newest
        fields["children"] = (*why.get("children", ()), *case.children)
    elif kind is EventKind.ADOPTED:
        fields["parent_id"], fields["place"] = why["to"], why.get("place")
    elif kind in (EventKind.CANCEL, EventKind.MERGED):
        fields["status"] = CaseStatus.ENDED
        fields["outcome"] = CANCELLED if kind is EventKind.CANCEL else MERGED
    return Case(**fields)


_FIELD_NAMES = (
    *("id", "flow_id", "flow_version", "flow_digest", "step", "status", "outcome", "data"),
    *("parent_id", "place", "created_at", "updated_at", "entered_at", "last_checks", "children"),
    *("seq", "history", "assigned_to", "alerts"),
)


def with_history(case: Case, history: tuple[Event, ...]) -> Case:
    """The same case holding `history` (all its events, or only a change's)."""
    fields = dict(zip(_FIELD_NAMES, case._fields(), strict=True))
    fields["history"] = history
    return Case(**fields)


def replay(
    flow: Flow, case_id: str, events: tuple[Event, ...], parent_id: str | None, place: str | None
) -> Case:
    """The case its history describes (used by `verify` and property tests)."""
    return Fold(flow).replay(case_id, events, parent_id, place)


class ConcurrentChange(CaseError):
    """Someone else changed the case first; `current` is the case as it is now."""

    def __init__(self, code: str, current: Case | None = None, **params: Any) -> None:
        self.current = current
        super().__init__(code, **params)
