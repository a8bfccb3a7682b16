"""Stepping one case through its flow: what may be done now, and what doing it changes.

Pure: takes a case and returns the new case, the events that got it there, and the effects on
other cases (a child to start, a parent to tell, a signal to send). The Engine carries the effects
out and saves everything in one transaction. Every refusal is a CaseError raised before anything
is produced, so a refused action leaves the case exactly as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from types import MappingProxyType
from typing import Any

from sopflow.engine.cases import Case, Event, EventKind, apply_event, new_case
from sopflow.engine.fielddata import FieldValueError, parse_value, to_json
from sopflow.engine.guards import Guard, GuardRuntimeError
from sopflow.engine.model import Action, Check, Flow, Step, StepKind, Timer
from sopflow.engine.names import suggest
from sopflow.errors import CaseError

MAX_AUTOMATIC_MOVES = 100  # decisions that loop back into decisions would never stop


@dataclass(frozen=True)
class StartChild:
    parent_id: str
    child_id: str
    flow_id: str
    data: Mapping[str, Any]
    at: datetime


@dataclass(frozen=True)
class NotifyParent:
    parent_id: str
    child_id: str
    outcome: str
    at: datetime


@dataclass(frozen=True)
class SendSignal:
    from_case: str
    flow_id: str
    action: str
    at: datetime


Effect = StartChild | NotifyParent | SendSignal


@dataclass(frozen=True)
class Result:
    case: Case
    events: tuple[Event, ...]
    effects: tuple[Effect, ...] = ()


@dataclass(frozen=True)
class Offer:
    """Something that can be done at the case's current step, by whom, with which data."""

    name: str
    kind: str  # "action" or "check"
    label: Mapping[str, str]
    to: str | None
    roles: tuple[str, ...]
    requires: tuple[str, ...]
    accepts: tuple[str, ...]
    available: bool = True
    reason: str | None = None  # why not available (the guard that does not hold)


@dataclass
class _Draft:
    """A transition being built: the case so far, its new events and effects."""

    flow: Flow
    case: Case
    events: list[Event] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)

    def add(self, at: datetime, kind: EventKind, name: str, actor: str, **details: Any) -> None:
        event = Event(seq=self.case.seq + 1, at=at, kind=kind, name=name, actor=actor, **details)
        self.case = apply_event(self.flow, self.case, event)
        self.events.append(event)

    def result(self) -> Result:
        return Result(self.case, tuple(self.events), tuple(self.effects))


class Stepper:
    """The rules of one flow (version) applied to its cases."""

    def __init__(self, flow: Flow, tz: tzinfo, *, day_zero: bool = True) -> None:
        self.flow = flow
        self.tz = tz
        self.day_zero = day_zero
        self.params = {p.id: p.value for p in flow.params.values()}

    # -- starting ---------------------------------------------------------------------------------

    def start(
        self,
        case_id: str,
        data: Mapping[str, Any],
        *,
        actor: str,
        role: str | None,
        at: datetime,
        parent_id: str | None = None,
        place: str | None = None,
        note: str | None = None,
    ) -> Result:
        values = self.parse_data(case_id, data, allowed=None)
        missing = [f.id for f in self.flow.fields.values() if f.required and f.id not in values]
        if missing:
            raise CaseError(
                "case.missing_required", case=case_id, fields=", ".join(missing), flow=self.flow.id
            )
        if role is not None and role not in self.flow.roles:
            raise CaseError(
                "case.unknown_role",
                case=case_id,
                role=role,
                roles=", ".join(self.flow.roles),
                suggestion=suggest(role, self.flow.roles),
            )
        draft = _Draft(self.flow, new_case(case_id, self.flow, parent_id, place, at))
        draft.add(
            at,
            EventKind.START,
            "start",
            actor,
            role=role,
            to_step=self.flow.start,
            changes=_changes({}, values),
            note=note,
        )
        self._settle(draft, at)
        return draft.result()

    # -- what can be done -------------------------------------------------------------------------

    def offers(self, case: Case, at: datetime) -> list[Offer]:
        """Every action and check of the current step, marked available or not (and why)."""
        if not case.active:
            return []
        step = self.flow.steps[case.step]
        offers = []
        for action in step.actions:
            holds, reason = self._guard_state(action.guard, case.data, at)
            offers.append(
                Offer(
                    action.name,
                    "action",
                    action.label,
                    action.to,
                    action.roles,
                    action.requires,
                    action.accepts,
                    holds,
                    reason,
                )
            )
        for check in step.checks:
            offers.append(
                Offer(check.name, "check", check.label, None, check.roles, check.requires, check.accepts)
            )
        return offers

    def _guard_state(
        self, guard: Guard | None, data: Mapping[str, Any], at: datetime
    ) -> tuple[bool, str | None]:
        if guard is None:
            return True, None
        try:
            return (True, None) if self._holds(guard, data, at) else (False, guard.source)
        except GuardRuntimeError as exc:
            return False, f"{guard.source} ({exc})"

    # -- firing -----------------------------------------------------------------------------------

    def fire(
        self,
        case: Case,
        name: str,
        *,
        actor: str,
        role: str | None,
        data: Mapping[str, Any],
        at: datetime,
        note: str | None = None,
        signal: bool = False,
    ) -> Result:
        """Fire action or check `name`. A `signal` (from a descendant case) skips the role check."""
        self._require_active(case)
        step = self.flow.steps[case.step]
        actions = [a for a in step.actions if a.name == name]
        checks = [c for c in step.checks if c.name == name]
        if not actions and not checks:
            raise CaseError(
                "case.no_such_action",
                case=case.id,
                action=name,
                step=case.step,
                available=self._names(case, at),
                suggestion=suggest(name, self._all_names(step)),
            )
        target: Action | Check = actions[0] if actions else checks[0]
        if not signal:
            everyone = [r for a in actions for r in a.roles] + [r for c in checks for r in c.roles]
            self._check_role(case, name, tuple(dict.fromkeys(everyone)), role)
        allowed = set(target.requires) | set(target.accepts)
        values = self.parse_data(case.id, data, allowed=allowed, action=name)
        # Required fields come with the action: a re-check needs a new reading, not the old one.
        missing = [f for f in target.requires if f not in values]
        if missing:
            raise CaseError(
                "case.missing_data", case=case.id, action=name, fields=", ".join(missing), example=missing[0]
            )
        merged = {**case.data, **values}
        if actions:
            target = self._choose(case, actions, merged, at)
        if not signal:
            self._check_role(case, name, target.roles, role)
        draft = _Draft(self.flow, case)
        changes = _changes(case.data, values)
        if isinstance(target, Check):
            draft.add(
                at, EventKind.CHECK, name, actor, role=role, from_step=case.step, changes=changes, note=note
            )
            self._escalate(draft, target, at, actor)
        else:
            kind = EventKind.SIGNAL if signal else EventKind.ACTION
            draft.add(
                at,
                kind,
                name,
                actor,
                role=role,
                from_step=case.step,
                to_step=target.to,
                changes=changes,
                note=note,
            )
        self._settle(draft, at)
        return draft.result()

    def _choose(self, case: Case, actions: list[Action], data: Mapping[str, Any], at: datetime) -> Action:
        """The one action of this name whose guard holds (the checks made sure of 'one')."""
        reasons = []
        for action in actions:
            holds, reason = self._guard_state(action.guard, data, at)
            if holds:
                return action
            reasons.append(reason or "")
        raise CaseError(
            "case.guard_false",
            case=case.id,
            action=actions[0].name,
            guard="; ".join(reasons),
            available=self._names(case, at),
        )

    def _check_role(self, case: Case, name: str, roles: tuple[str, ...], role: str | None) -> None:
        if role is None or role not in roles:
            labels = ", ".join(f"{r} ({self.flow.text(self.flow.roles[r])})" for r in roles)
            raise CaseError(
                "case.role_not_allowed", case=case.id, action=name, role=role or "-", roles=labels
            )

    def _escalate(self, draft: _Draft, check: Check, at: datetime, actor: str) -> None:
        if check.escalate is None:
            return
        why = self._why(check.escalate.guard, draft.case.data)
        if self._holds(check.escalate.guard, draft.case.data, at, case_id=draft.case.id):
            draft.add(
                at,
                EventKind.ESCALATE,
                check.name,
                actor,
                from_step=draft.case.step,
                to_step=check.escalate.to,
                why=why,
            )

    # -- timers -----------------------------------------------------------------------------------

    def timer_due(self, case: Case, timer: Timer) -> datetime | None:
        """When `timer` runs out for this case (None if its date field is not filled in yet)."""
        if timer.from_field is None:
            return case.entered_at + timer.after
        value = case.data.get(timer.from_field)
        if value is None:
            return None
        return self.moment(value) + timer.after

    def moment(self, value: date | datetime) -> datetime:
        """Where a period counted from a date starts. By default the date is day 0 and day 1 starts
        at the next local midnight, so 14d from 2020-01-31 runs out at 2020-02-15 00:00: the end
        of day 14. With `day_zero=False` the date itself is day 1 (one day earlier)."""
        if isinstance(value, datetime):
            return value.astimezone(UTC)
        start = datetime.combine(value, time(0), tzinfo=self.tz)
        return (start + timedelta(days=1) if self.day_zero else start).astimezone(UTC)

    def run_timers(self, case: Case, now: datetime) -> Result | None:
        """Fire the first timer of the current step that has run out by `now`, if any."""
        if not case.active:
            return None
        step = self.flow.steps[case.step]
        due = [
            (when, t) for t in step.timers if (when := self.timer_due(case, t)) is not None and when <= now
        ]
        if not due:
            return None
        when, timer = min(due, key=lambda pair: pair[0])
        draft = _Draft(self.flow, case)
        draft.add(
            now,
            EventKind.TIMER,
            timer.name,
            "system",
            from_step=case.step,
            to_step=timer.to,
            why={"due": when.isoformat(), "after": str(timer.after), "from": timer.from_field or "entered"},
        )
        self._settle(draft, now)
        return draft.result()

    # -- children ---------------------------------------------------------------------------------

    def child_ended(self, case: Case, child_id: str, outcome: str, at: datetime) -> Result | None:
        """Move on by the child's outcome if this case waits for that child at a subflow step."""
        if not case.active:
            return None
        step = self.flow.steps[case.step]
        # Waiting at a subflow step, the case's newest child is the one started on entering it.
        if step.kind is not StepKind.SUBFLOW or not step.wait or case.children[-1:] != (child_id,):
            return None
        target = step.outcomes.get(outcome)
        if target is None:
            return None
        draft = _Draft(self.flow, case)
        draft.add(
            at, EventKind.OUTCOME, outcome, "system", from_step=step.id, to_step=target, child_id=child_id
        )
        self._settle(draft, at)
        return draft.result()

    # -- automatic moves --------------------------------------------------------------------------

    def _settle(self, draft: _Draft, at: datetime) -> None:
        """Take decisions, start children and note ends until a person (or time) is needed."""
        for _ in range(MAX_AUTOMATIC_MOVES):
            step = self.flow.steps[draft.case.step]
            if step.kind is StepKind.DECISION:
                self._decide(draft, step, at)
            elif step.kind is StepKind.SUBFLOW and not self._child_started_here(draft):
                self._start_child(draft, step, at)
                if not step.wait and step.next:
                    draft.add(at, EventKind.NEXT, "next", "system", from_step=step.id, to_step=step.next)
                else:
                    return
            else:
                if step.kind is StepKind.END:
                    self._ended(draft, step, at)
                return
        raise CaseError(
            "case.automatic_loop", case=draft.case.id, step=draft.case.step, limit=MAX_AUTOMATIC_MOVES
        )

    def _child_started_here(self, draft: _Draft) -> bool:
        last = draft.case.history[-1] if draft.case.history else None
        return last is not None and last.kind is EventKind.CHILD and last.from_step == draft.case.step

    def _decide(self, draft: _Draft, step: Step, at: datetime) -> None:
        tried = []
        for branch in step.branches:
            if branch.default:
                continue
            if branch.guard is None:  # the loader makes sure this does not happen
                continue
            why = self._why(branch.guard, draft.case.data)
            if self._holds(branch.guard, draft.case.data, at, case_id=draft.case.id, step=step.id):
                draft.add(
                    at,
                    EventKind.BRANCH,
                    branch.name,
                    "system",
                    from_step=step.id,
                    to_step=branch.to,
                    why={"guard": branch.guard.source, "values": why},
                )
                return
            tried.append({"branch": branch.name, "guard": branch.guard.source, "values": why})
        default = next(b for b in step.branches if b.default)
        draft.add(
            at,
            EventKind.BRANCH,
            default.name,
            "system",
            from_step=step.id,
            to_step=default.to,
            why={"default": True, "tried": tried},
        )

    def _start_child(self, draft: _Draft, step: Step, at: datetime) -> None:
        flow_id = step.subflow or ""
        child_id = f"{draft.case.id}.{len(draft.case.children) + 1}"
        data = {name: draft.case.data[name] for name in step.copy if name in draft.case.data}
        draft.add(at, EventKind.CHILD, flow_id, "system", from_step=step.id, child_id=child_id)
        draft.effects.append(StartChild(draft.case.id, child_id, flow_id, MappingProxyType(data), at))

    def _ended(self, draft: _Draft, step: Step, at: datetime) -> None:
        case = draft.case
        if case.parent_id is not None and step.outcome is not None:
            draft.effects.append(NotifyParent(case.parent_id, case.id, step.outcome, at))
        if step.signal is not None:
            draft.effects.append(SendSignal(case.id, step.signal.flow, step.signal.action, at))

    # -- helpers ----------------------------------------------------------------------------------

    def _holds(
        self, guard: Guard, data: Mapping[str, Any], at: datetime, *, case_id: str = "", step: str = ""
    ) -> bool:
        try:
            return guard.evaluate({**self.params, **data}, at)
        except GuardRuntimeError as exc:
            if not case_id:
                raise
            raise CaseError(
                "case.guard_error", case=case_id, step=step or "-", guard=guard.source, detail=str(exc)
            ) from None

    def _why(self, guard: Guard, data: Mapping[str, Any]) -> dict[str, Any]:
        """The values a guard saw: the 'why' of an automatic decision in the history."""
        values = {**self.params, **data}
        return {name: _json_value(values.get(name)) for name in sorted(guard.names)}

    def parse_data(
        self, case_id: str, data: Mapping[str, Any], *, allowed: set[str] | None, action: str = ""
    ) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, raw in data.items():
            spec = self.flow.fields.get(name)
            if spec is None:
                raise CaseError(
                    "case.unknown_field",
                    case=case_id,
                    field=name,
                    flow=self.flow.id,
                    suggestion=suggest(name, self.flow.fields),
                )
            if allowed is not None and name not in allowed:
                raise CaseError(
                    "case.field_not_taken",
                    case=case_id,
                    field=name,
                    action=action,
                    fields=", ".join(sorted(allowed)) or "-",
                )
            try:
                values[name] = parse_value(spec, raw, self.tz)
            except FieldValueError as exc:
                raise CaseError(exc.code, case=case_id, **exc.params) from None
        return values

    def _require_active(self, case: Case) -> None:
        if not case.active:
            raise CaseError("case.ended", case=case.id, outcome=case.outcome or "-")

    def _names(self, case: Case, at: datetime) -> str:
        names = [o.name for o in self.offers(case, at) if o.available]
        return ", ".join(dict.fromkeys(names)) or "-"

    @staticmethod
    def _all_names(step: Step) -> list[str]:
        return [a.name for a in step.actions] + [c.name for c in step.checks]


def _changes(before: Mapping[str, Any], values: Mapping[str, Any]) -> Mapping[str, list[Any]]:
    return MappingProxyType(
        {
            name: [_json_value(before.get(name)), _json_value(value)]
            for name, value in values.items()
            if before.get(name) != value
        }
    )


def _json_value(value: Any) -> Any:
    if isinstance(value, timedelta):
        return str(value)
    return to_json(value)
