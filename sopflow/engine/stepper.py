"""Stepping one case through its flow: what may be done now, and what doing it changes.

Pure: takes a case and returns the new case, the events that got it there, and the effects on
other cases (a child to start, a parent to tell, a signal to send). The Engine carries the effects
out and saves everything in one transaction. Every refusal is a CaseError raised before anything
is produced, so a refused action leaves the case exactly as it was.

This is the engine's innermost loop, so a Stepper works out once, per step, what each action or
check name means there (`_Move`): who may fire it, which fields it takes and how each is parsed,
which guards choose between its variants. Firing is then a few dictionary lookups.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from types import MappingProxyType
from typing import Any, Final, NamedTuple, NoReturn

from sopflow.cases.fielddata import FieldValueError, Parser, field_parser, to_json
from sopflow.cases.inputs import local_text
from sopflow.cases.records import NO_CHANGES, Case, CaseStatus, Event, EventKind, Fold, copied, new_case
from sopflow.errors import CaseError
from sopflow.i18n import InLanguages, Phrase, ui_languages
from sopflow.language.guards import GuardRuntimeError
from sopflow.language.model import Action, Check, Escalation, Flow, Guard, Step, StepKind, Timer
from sopflow.language.names import suggest

CHILD_ID = re.compile(r"\.\d+$")  # QG-0001.1: the ids a case's child cases get (_start_child)
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


class Result(NamedTuple):
    """What a change did: the case after it, its new events, and what it does to other cases."""

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
    reason: str | None = None  # why not available: the guard that does not hold
    problem: Phrase | None = None  # and, if it cannot be worked out now, why (in words)


class _Draft:
    """A transition being built: the case so far, its new events and effects."""

    def __init__(self, fold: Fold, case: Case, events: list[Event] | None = None) -> None:
        self.fold = fold
        self.case = case
        self.events: list[Event] = events or []
        self.effects: list[Effect] = []

    def add(self, event: Event) -> None:
        self.case = self.fold.apply(self.case, event)
        self.events.append(event)

    def seq(self) -> int:
        return self.case.seq + 1

    def add_system(
        self,
        at: datetime,
        kind: EventKind,
        name: str,
        from_step: str,
        to_step: str | None,
        *,
        why: Mapping[str, Any] | None = None,
        child_id: str | None = None,
    ) -> None:
        """Add an event the engine itself makes (a decision, a timer, a child, an outcome)."""
        event = Event(
            seq=self.seq(),
            at=at,
            kind=kind,
            name=name,
            actor="system",
            from_step=from_step,
            to_step=to_step,
            why=why,
            child_id=child_id,
        )
        self.add(event)

    def result(self) -> Result:
        return Result(self.case, tuple(self.events), tuple(self.effects))


class _Move:
    """What firing one name means at one step, worked out once.

    `actions` are the step's actions of that name (several only when guards choose between them;
    the flow checks make sure at most one holds), `check` the check of that name. The fields it
    takes and requires are those of its first variant, as the flow format says. `choose`: there
    are several variants or a guard, so the data merged with the new values is needed to pick."""

    def __init__(
        self,
        name: str,
        actions: tuple[Action, ...],
        check: Check | None,
        first: Action | Check,
        parsers: Mapping[str, Parser],
    ) -> None:
        roles = [r for a in actions for r in a.roles] + list(check.roles if check else ())
        self.name: Final = name
        self.actions: Final = actions
        self.check: Final = check
        self.first: Final = first  # the action (or check) fired unless guards pick another
        self.everyone: Final = tuple(dict.fromkeys(roles))  # every role that may fire a variant
        self.anyone: Final = frozenset(roles)
        self.takes: Final = {f: parsers[f] for f in (*first.requires, *first.accepts) if f in parsers}
        self.requires: Final = first.requires
        self.choose: Final = len(actions) > 1 or any(a.guard is not None for a in actions)


def _moves_of(step: Step, parsers: Mapping[str, Parser]) -> dict[str, _Move]:
    names = dict.fromkeys([a.name for a in step.actions] + [c.name for c in step.checks])
    moves = {}
    for name in names:
        actions = tuple(a for a in step.actions if a.name == name)
        checks = [c for c in step.checks if c.name == name]
        first = actions[0] if actions else checks[0]
        moves[name] = _Move(name, actions, checks[0] if checks else None, first, parsers)
    return moves


class Stepper:
    """The rules of one flow (version) applied to its cases."""

    def __init__(self, flow: Flow, tz: tzinfo, *, day_zero: bool = True) -> None:
        self.flow = flow
        self.tz = tz
        self.day_zero = day_zero
        self.params: Mapping[str, Any] = MappingProxyType({p.id: p.value for p in flow.params.values()})
        self.fold = Fold(flow)
        self._parsers = {name: field_parser(spec, tz) for name, spec in flow.fields.items()}
        self._moves = {step.id: _moves_of(step, self._parsers) for step in flow.steps.values()}
        # steps that move on by themselves (or end the case) once entered
        self._automatic = frozenset(
            s.id for s in flow.steps.values() if s.kind in (StepKind.DECISION, StepKind.SUBFLOW, StepKind.END)
        )
        self._shown = {  # the names each guard reads, in the order a history lists their values
            guard.source: tuple(sorted(guard.names)) for guard in _guards(flow)
        }

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
        values = self.parse_data(case_id, data, allowed=None, at=at)
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
        draft = _Draft(self.fold, new_case(case_id, self.flow, parent_id, place, at))
        changes = self._changes({}, values)
        draft.add(Event(1, at, EventKind.START, "start", actor, role, None, self.flow.start, changes, note))
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
            holds, reason, problem = self._guard_state(action.guard, case.data, at)
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
                    problem,
                )
            )
        for check in step.checks:
            offers.append(
                Offer(check.name, "check", check.label, None, check.roles, check.requires, check.accepts)
            )
        return offers

    def _guard_state(
        self, guard: Guard | None, data: Mapping[str, Any], at: datetime
    ) -> tuple[bool, str | None, Phrase | None]:
        """Whether an action's guard holds; if not, the guard, and why it could not be decided."""
        if guard is None:
            return True, None, None
        try:
            return (True, None, None) if guard.holds(data, self.params, at) else (False, guard.source, None)
        except GuardRuntimeError as exc:
            return False, guard.source, exc.detail

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
        self._check_open(case, at)
        move = self._moves[case.step].get(name)
        if move is None:
            raise CaseError(
                "case.no_such_action",
                case=case.id,
                action=name,
                step=case.step,
                available=self._names(case, at),
                suggestion=suggest(name, list(self._moves[case.step])),
            )
        if not signal and role not in move.anyone:
            self._refuse_role(case, name, move.everyone, role)
        values = self._parse_taken(case.id, data, move, at) if data else {}
        # Required fields come with the action: a re-check needs a new reading, not the old one.
        for required in move.requires:
            if required not in values:
                missing = [f for f in move.requires if f not in values]
                raise CaseError(
                    "case.missing_data",
                    case=case.id,
                    action=name,
                    fields=", ".join(missing),
                    example=missing[0],
                )
        target = move.first
        if move.choose:
            merged = copied(case.data)
            merged.update(values)
            target = self._choose(case, move.actions, merged, at)
        if not signal and role not in target.roles:
            self._refuse_role(case, name, target.roles, role)
        # A check records every reading given, even one equal to the last: it is the log.
        changes = self._changes(case.data, values, every=isinstance(target, Check))
        if isinstance(target, Check):
            event = Event(
                case.seq + 1, at, EventKind.CHECK, name, actor, role, case.step, None, changes, note
            )
        else:
            kind = EventKind.SIGNAL if signal else EventKind.ACTION
            event = Event(case.seq + 1, at, kind, name, actor, role, case.step, target.to, changes, note)
        moved = self.fold.apply(case, event)
        events: tuple[Event, ...] = (event,)
        if isinstance(target, Check) and target.escalate is not None:
            escalation = self._escalation(moved, target.name, target.escalate, at, actor)
            if escalation is not None:
                moved = self.fold.apply(moved, escalation)
                events = (event, escalation)
        if moved.step in self._automatic:
            return self._settled(moved, events, at)
        return Result(moved, events)

    def _check_open(self, case: Case, at: datetime) -> None:
        """A case takes an entry if it has not ended, at a time not before its last entry: a
        history in time order is what deadlines and replay rely on."""
        if case.status is not CaseStatus.ACTIVE:
            raise CaseError("case.ended", case=case.id, outcome=case.outcome or "-")
        if at < case.updated_at:
            last = local_text(case.updated_at, self.tz)
            raise CaseError("case.before_last", case=case.id, at=local_text(at, self.tz), last=last)

    def _settled(self, case: Case, events: tuple[Event, ...], at: datetime) -> Result:
        """The result of `events` (already applied to `case`) and of the automatic moves after."""
        draft = _Draft(self.fold, case, list(events))
        self._settle(draft, at)
        return draft.result()

    def _choose(
        self, case: Case, actions: tuple[Action, ...], data: Mapping[str, Any], at: datetime
    ) -> Action:
        """The one action of this name whose guard holds (the checks made sure of 'one')."""
        reasons = []
        for action in actions:
            holds, reason, _problem = self._guard_state(action.guard, data, at)
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

    def _refuse_role(self, case: Case, name: str, roles: tuple[str, ...], role: str | None) -> NoReturn:
        flow = self.flow
        labels = InLanguages(
            {
                lang: ", ".join(f"{r} ({flow.text(flow.roles[r], lang)})" for r in roles)
                for lang in ui_languages()
            }
        )
        if role is None:
            raise CaseError("case.no_role", case=case.id, action=name, roles=labels)
        suggestion = suggest(role, roles) if role not in self.flow.roles else ""
        raise CaseError(
            "case.role_not_allowed", case=case.id, action=name, role=role, roles=labels, suggestion=suggestion
        )

    def _escalation(
        self, case: Case, check: str, escalation: Escalation, at: datetime, actor: str
    ) -> Event | None:
        """The ESCALATE event if the check just recorded meets its escalation guard."""
        if not self._holds(escalation.guard, case.data, at, case_id=case.id):
            return None
        why = self._why(escalation.guard, case.data)
        return Event(
            case.seq + 1, at, EventKind.ESCALATE, check, actor, None, case.step, escalation.to, why=why
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
        # The timer ran out when it was due, not when a tick noticed: what follows (the review's
        # deadline) counts from then. Never before the case's last entry, to keep time order.
        at = max(when, case.updated_at)
        draft = _Draft(self.fold, case)
        why = {"due": when.isoformat(), "after": str(timer.after), "from": timer.from_field or "entered"}
        draft.add_system(at, EventKind.TIMER, timer.name, case.step, timer.to, why=why)
        self._settle(draft, at)
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
        draft = _Draft(self.fold, case)
        draft.add_system(at, EventKind.OUTCOME, outcome, step.id, target, child_id=child_id)
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
                    draft.add_system(at, EventKind.NEXT, "next", step.id, step.next)
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
        data = draft.case.data
        tried: list[dict[str, Any]] = []
        for branch in step.branches:
            if branch.default or branch.guard is None:  # the loader makes sure guards are there
                continue
            values = self._why(branch.guard, data)
            if self._holds(branch.guard, data, at, case_id=draft.case.id, step=step.id):
                why = {"guard": branch.guard.source, "values": values}
                draft.add_system(at, EventKind.BRANCH, branch.name, step.id, branch.to, why=why)
                return
            tried.append({"branch": branch.name, "guard": branch.guard.source, "values": values})
        default = next(b for b in step.branches if b.default)
        chosen = {"default": True, "tried": tried}
        draft.add_system(at, EventKind.BRANCH, default.name, step.id, default.to, why=chosen)

    def _start_child(self, draft: _Draft, step: Step, at: datetime) -> None:
        flow_id = step.subflow or ""
        child_id = f"{draft.case.id}.{len(draft.case.children) + 1}"  # see CHILD_ID
        data = {name: draft.case.data[name] for name in step.copy if name in draft.case.data}
        draft.add_system(at, EventKind.CHILD, flow_id, step.id, None, child_id=child_id)
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
            return guard.holds(data, self.params, at)
        except GuardRuntimeError as exc:
            if not case_id:
                raise
            raise CaseError(
                "case.guard_error", case=case_id, step=step or "-", guard=guard.source, detail=str(exc)
            ) from None

    def _why(self, guard: Guard, data: Mapping[str, Any]) -> dict[str, Any]:
        """The values a guard saw: the 'why' of an automatic decision in the history."""
        params = self.params
        return {name: _json_value(data.get(name, params.get(name))) for name in self._shown[guard.source]}

    def _changes(
        self, before: Mapping[str, Any], values: Mapping[str, Any], *, every: bool = False
    ) -> Mapping[str, list[Any]]:
        """Field -> [old, new] as JSON data, for the values that differ from what the case has
        (`every`: for all values given)."""
        changes = {}
        dates = self.flow.date_fields
        for name, value in values.items():
            old = before.get(name)
            if every or old != value:
                changes[name] = [to_json(old), to_json(value)] if name in dates else [old, value]
        return MappingProxyType(changes) if changes else NO_CHANGES

    def _parse_taken(
        self, case_id: str, data: Mapping[str, Any], move: _Move, at: datetime
    ) -> dict[str, Any]:
        """The values an action or check was given, parsed; the fields must be ones it takes."""
        takes = move.takes
        values = {}
        for name, raw in data.items():
            parse = takes.get(name)
            if parse is None:
                self._refuse_field(case_id, name, set(takes), move.name)
            try:
                values[name] = parse(raw, at)
            except FieldValueError as exc:
                raise CaseError(exc.code, case=case_id, **exc.params) from None
        return values

    def parse_data(
        self,
        case_id: str,
        data: Mapping[str, Any],
        *,
        allowed: set[str] | None,
        at: datetime,
        action: str = "",
    ) -> dict[str, Any]:
        """`data` parsed by the flow's fields; with `allowed`, only those fields may be given."""
        values: dict[str, Any] = {}
        for name, raw in data.items():
            parse = self._parsers.get(name)
            if parse is None or (allowed is not None and name not in allowed):
                self._refuse_field(case_id, name, allowed, action)
            try:
                values[name] = parse(raw, at)
            except FieldValueError as exc:
                raise CaseError(exc.code, case=case_id, **exc.params) from None
        return values

    def _refuse_field(self, case_id: str, name: str, allowed: set[str] | None, action: str) -> NoReturn:
        if name not in self.flow.fields:
            raise CaseError(
                "case.unknown_field",
                case=case_id,
                field=name,
                flow=self.flow.id,
                suggestion=suggest(name, self.flow.fields),
            )
        raise CaseError(
            "case.field_not_taken",
            case=case_id,
            field=name,
            action=action,
            fields=", ".join(sorted(allowed or ())) or "-",
        )

    def _names(self, case: Case, at: datetime) -> str:
        names = [o.name for o in self.offers(case, at) if o.available]
        return ", ".join(dict.fromkeys(names)) or "-"


def _guards(flow: Flow) -> list[Guard]:
    """Every guard of the flow: of actions, branches and escalations."""
    found: list[Guard | None] = []
    for step in flow.steps.values():
        found += [a.guard for a in step.actions] + [b.guard for b in step.branches]
        found += [c.escalate.guard for c in step.checks if c.escalate is not None]
    return [g for g in found if g is not None]


def _json_value(value: Any) -> Any:
    if isinstance(value, timedelta):
        return str(value)
    return to_json(value)
