"""Stepping one case through its flow: what may be done now, and what doing it changes.

Pure: takes a case and returns the new case, the events that got it there, and the effects on
other cases (a child to start, a parent to tell, a signal to send). The Engine carries the effects
out and saves everything in one transaction. Every refusal is a CaseError raised before anything
is produced, so a refused action leaves the case exactly as it was.

This is the engine's innermost loop, so a Stepper works out once, per step, what each action or
check name means there (`Move`): who may fire it, which fields it takes and how each is parsed,
which guards choose between its variants. Firing is then a few dictionary lookups.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, tzinfo
from types import MappingProxyType
from typing import Any, NoReturn

from sopflow.cases.checklog import CaseHistory
from sopflow.cases.fielddata import field_parser, to_json
from sopflow.cases.inputs import local_text
from sopflow.cases.records import Case, CaseStatus, Event, EventKind, Fold, copied, new_case
from sopflow.engine import refusals
from sopflow.engine.changes import (
    Draft,
    Effect,
    Move,
    NotifyParent,
    Offer,
    Result,
    leaving,
    moves_of,
    signal_sent,
    start_subflow,
    starting_why,
)
from sopflow.engine.childwork import child_end_event, condition_met, split_given, start_per_action
from sopflow.engine.computing import Computer
from sopflow.engine.entries import Entries
from sopflow.engine.timing import StepTimers
from sopflow.errors import CaseError
from sopflow.i18n import Phrase
from sopflow.language.guardhistory import HISTORY_KEY, call_text, history_value
from sopflow.language.guardops import GuardRuntimeError
from sopflow.language.historycheck import step_guards, steps_reading_history
from sopflow.language.model import Action, Check, Escalation, Flow, Guard, Step, StepKind
from sopflow.language.naming import FlowNames

MAX_AUTOMATIC_MOVES = 100  # decisions that loop back into decisions would never stop


class Stepper(StepTimers):
    """The rules of one flow (version) applied to its cases (its timers: engine/timing.py)."""

    def __init__(self, flow: Flow, tz: tzinfo, *, day_zero: bool = True) -> None:
        self.flow = flow
        self.tz = tz
        self.day_zero = day_zero
        self.params: Mapping[str, Any] = MappingProxyType({p.id: p.value for p in flow.params.values()})
        self.fold = Fold(flow)
        self.names = FlowNames(flow)  # what people type for ids: labels, in any of its languages
        self._parsers = {name: field_parser(spec, tz) for name, spec in flow.fields.items()}
        self._moves = {
            step.id: moves_of(step, self._parsers, flow.fresh_fields) for step in flow.steps.values()
        }
        self.entries = Entries(flow, self._parsers, self.names)
        self.computer = Computer(flow, self.params, self.names)  # fields worked out by rule
        # steps that move on by themselves (or end the case) once entered
        self._automatic = frozenset(
            s.id for s in flow.steps.values() if s.kind in (StepKind.DECISION, StepKind.SUBFLOW, StepKind.END)
        )
        self._shown = {  # the names each guard reads, in the order a history lists their values
            guard.source: tuple(sorted(guard.names)) for guard in _guards(flow)
        }
        self._history_guards = frozenset(g.source for g in _guards(flow) if g.reads_history)
        self.reads_history = bool(self._history_guards)
        self._last_history: tuple[Case, Mapping[str, Any]] | None = None
        self._conditioned = frozenset(s.id for s in flow.steps.values() if s.conditions)  # C11
        computed = any(g.reads_history for g in self.computer.guards)  # worked out at every entry
        self.history_steps = steps_reading_history(flow.steps, self._automatic, everywhere=computed)

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
        at_step: str | None = None,
        own_place: bool = False,
    ) -> Result:
        """A new case at the flow's start step, or at entry step `at_step` (C6); `own_place`: a
        child at the place a field of its parent named, not at its parent's (kept in `why`)."""
        values = self.entries.parse(case_id, data, allowed=None, at=at)
        step = refusals.start_step(self.names, case_id, values, at_step)
        why = starting_why(step if at_step is not None else None, parent_id, place if own_place else None)
        role = self.role_id(case_id, role)
        self.computer.refuse_given(case_id, values)
        values = self.computer.with_computed({}, dict(values), at)
        draft = Draft(self.fold, new_case(case_id, self.flow, parent_id, place, at))
        changes = self.entries.changes({}, values)
        draft.add(Event(1, at, EventKind.START, "start", actor, role, None, step, changes, note, why))
        self._settle(draft, at)
        return draft.result()

    def check_opener(self, case_id: str, role: str | None, at_step: str | None = None) -> None:
        """CaseError unless `role` may open this flow's cases (`opened_by`) and, at an entry step
        other than the first, works that step. (Child cases, opened by the engine, are not asked.)"""
        role = self.role_id(case_id, role)  # by id or name; an unknown one is refused here
        if role not in self.flow.opened_by:
            refusals.may_not_open(self.names, case_id, role)
        if at_step is not None and role is not None:
            refusals.check_entry_worker(self.names, case_id, role, at_step)

    # -- what can be done -------------------------------------------------------------------------

    def offers(self, case: Case, at: datetime) -> list[Offer]:
        """Every action and check of the current step, marked available or not (and why)."""
        if not case.active:
            return []
        step = self.flow.steps[case.step]
        moves = self._moves[case.step]
        offers = []
        for action in step.actions:
            state = self._guard_state(action.guard, case, case.data, at)
            held = tuple(self.held(case, action.requires, moves[action.name].fresh))
            what = (action.name, "action", action.label, action.to, action.roles, action.requires)
            offers.append(Offer(*what, action.accepts, *state, held))
        for check in step.checks:
            state = self._guard_state(check.when, case, case.data, at)  # a `when:` check: while it holds
            checked = (check.name, "check", check.label, None, check.roles, check.requires)
            offers.append(Offer(*checked, check.accepts, *state))
        return offers

    def _guard_state(
        self, guard: Guard | None, case: Case, data: Mapping[str, Any], at: datetime
    ) -> tuple[bool, str | None, Phrase | None]:
        """Whether an action's guard holds; if not, the guard, and why it could not be decided."""
        if guard is None:
            return True, None, None
        try:
            held = guard.holds(data, self._params(guard, case), at)
            return (True, None, None) if held else (False, guard.source, None)
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
        """Fire action or check `name` (its id, or its label in any language of the flow). A
        `signal` (from a descendant case) skips the role check."""
        self._check_open(case, at)
        move = self._move(case, name, at)
        name = move.name
        if role is not None and role not in self.flow.roles:
            role = self.names.roles.id_of(role, refuse=CaseError)
        if not signal and role not in move.anyone:
            refusals.wrong_role(self.names, case, name, move.everyone, role)
        values = self.entries.parse_taken(case.id, data, move, at) if data else {}
        # A required field the case holds is taken from it (a name given at the start), except a
        # reading or a note (`fresh`, and whatever a check records): a re-check needs a new one.
        for required in move.requires:
            if required not in values and (required in move.fresh or case.data.get(required) is None):
                self._refuse_missing(case, move, values)
        target = move.first
        if move.choose:
            merged = copied(case.data)
            merged.update(values)
            target = self._choose(case, move.actions, merged, at)
        elif isinstance(target, Check) and target.when is not None:
            self._check_owed(case, target, values, at)
        if not signal and role not in target.roles:
            refusals.wrong_role(self.names, case, name, target.roles, role)
        given, values = split_given(target, values) if isinstance(target, Action) else ({}, values)
        values = self.computer.with_computed(case.data, dict(values), at, self.params_for(case))
        # A check records every reading given, even one equal to the last: it is the log.
        changes = self.entries.changes(case.data, values, every=isinstance(target, Check))
        event = _entry_event(
            case, target, signal=signal, at=at, who=(actor, role), changes=changes, note=note
        )
        moved = self.fold.apply(case, event)
        events: tuple[Event, ...] = (event,)
        left: tuple[Effect, ...] = ()
        if isinstance(target, Action) and target.start is not None:  # a child per firing (C11)
            moved, child, started = start_per_action(self.fold, moved, target, given, at)
            events, left = (event, child), (started,)
        if isinstance(target, Check) and target.escalate is not None:
            escalation = self._escalation(moved, target.name, target.escalate, at, actor)
            if escalation is not None:
                moved = self.fold.apply(moved, escalation)
                events = (event, escalation)
        left += leaving(self.flow, moved, target.leave, at) if isinstance(target, Action) else ()
        if moved.step in self._automatic or moved.step in self._conditioned:
            settled = self._settled(moved, events, at)
            return settled._replace(effects=(*left, *settled.effects)) if left else settled
        return Result(moved, events, left)

    def _move(self, case: Case, name: str, at: datetime) -> Move:
        """What firing `name` (an id or a label) means at the case's step; refused if nothing."""
        moves = self._moves[case.step]
        move = moves.get(name)
        if move is None:
            name = self.names.action_id(case.step, name, refuse=CaseError)
            move = moves.get(name)
        if move is None:
            refusals.no_such_action(self.names, case, name, self._available(case, at), list(moves))
        return move

    def _check_open(self, case: Case, at: datetime) -> None:
        """A case takes an entry if it has not ended, at a time not before its last entry: a
        history in time order is what deadlines and replay rely on."""
        if case.status is not CaseStatus.ACTIVE:
            refusals.ended(self.names, case)
        if at < case.updated_at:
            last = local_text(case.updated_at, self.tz)
            raise CaseError("case.before_last", case=case.id, at=local_text(at, self.tz), last=last)

    def _settled(self, case: Case, events: tuple[Event, ...], at: datetime) -> Result:
        """The result of `events` (already applied to `case`) and of the automatic moves after."""
        draft = Draft(self.fold, case, list(events))
        self._settle(draft, at)
        return draft.result()

    def _choose(
        self, case: Case, actions: tuple[Action, ...], data: Mapping[str, Any], at: datetime
    ) -> Action:
        """The one action of this name whose guard holds (the checks made sure of 'one')."""
        reasons = []
        for action in actions:
            holds, reason, _problem = self._guard_state(action.guard, case, data, at)
            if holds:
                return action
            reasons.append(reason or "")
        available = self.names.actions_at(case.step).listing(self._available(case, at))
        refusals.guard_false(self.names, case, actions[0].name, reasons, available)

    def _check_owed(self, case: Case, check: Check, values: Mapping[str, Any], at: datetime) -> None:
        """Refused unless the check's `when:` holds (an in-person check while a camera watches)."""
        merged = copied(case.data)
        merged.update(values)
        holds, reason, _problem = self._guard_state(check.when, case, merged, at)
        if not holds:
            available = self.names.actions_at(case.step).listing(self._available(case, at))
            refusals.guard_false(self.names, case, check.name, [reason or ""], available)

    def role_id(self, case_id: str, role: str | None) -> str | None:
        """The role id `role` names (its id or label), or a refusal naming the flow's roles."""
        if role is None or role in self.flow.roles:
            return role
        found = self.names.roles.find(role, refuse=CaseError)
        if found is None:
            refusals.unknown_role(self.names, case_id, role)
        return found

    def held(self, case: Case, requires: tuple[str, ...], fresh: frozenset[str]) -> dict[str, Any]:
        """The required fields the case holds and need not be given again, with their values."""
        return {f: case.data[f] for f in requires if f not in fresh and case.data.get(f) is not None}

    def _refuse_missing(self, case: Case, move: Move, values: Mapping[str, Any]) -> NoReturn:
        held = self.held(case, move.requires, move.fresh)
        missing = [f for f in move.requires if f not in values and f not in held]
        refusals.missing_data(self.names, case, move.name, missing, held)

    def _escalation(
        self, case: Case, check: str, escalation: Escalation, at: datetime, actor: str
    ) -> Event | None:
        """The ESCALATE event if the check just recorded meets its escalation guard."""
        if not self._holds(escalation.guard, case, at, case_id=case.id):
            return None
        why = self._why(escalation.guard, case, at)
        return Event(
            case.seq + 1, at, EventKind.ESCALATE, check, actor, None, case.step, escalation.to, why=why
        )

    # -- children ---------------------------------------------------------------------------------

    def child_ended(self, case: Case, child_id: str, outcome: str, at: datetime) -> Result:
        """A child's end in this case's history (C11), and the move it makes: by the child's outcome
        if this case waits for that child at a subflow step, or by a condition of its step."""

        def computed(counted: Case) -> Mapping[str, list[Any]]:
            values = self.computer.with_computed(counted.data, {}, at, self.params_for(counted))
            return self.entries.changes(counted.data, values)

        draft = Draft(self.fold, case)
        draft.add(child_end_event(case, child_id, outcome, at, computed))
        if not case.active:
            return draft.result()
        step, at = self.flow.steps[case.step], draft.case.updated_at
        # Waiting at a subflow step, the case's newest child is the one started on entering it.
        waits = step.kind is StepKind.SUBFLOW and step.wait and case.children[-1:] == (child_id,)
        target = step.outcomes.get(outcome) if waits else None
        if target is not None:
            draft.add_system(at, EventKind.OUTCOME, outcome, step.id, target, child_id=child_id)
        if target is not None or step.id in self._conditioned:
            self._settle(draft, at)
        return draft.result()

    # -- automatic moves --------------------------------------------------------------------------

    def _settle(self, draft: Draft, at: datetime) -> None:
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
            elif step.id in self._conditioned:
                if not condition_met(draft, step, at, self._holds_here, self._why):
                    return
            else:
                if step.kind is StepKind.END:
                    self._ended(draft, step, at)
                return
        raise CaseError(
            "case.automatic_loop", case=draft.case.id, step=draft.case.step, limit=MAX_AUTOMATIC_MOVES
        )

    def _child_started_here(self, draft: Draft) -> bool:
        last = draft.case.history[-1] if draft.case.history else None
        return last is not None and last.kind is EventKind.CHILD and last.from_step == draft.case.step

    def _decide(self, draft: Draft, step: Step, at: datetime) -> None:
        tried: list[dict[str, Any]] = []
        for branch in step.branches:
            if branch.default or branch.guard is None:  # the loader makes sure guards are there
                continue
            values = self._why(branch.guard, draft.case, at)
            if self._holds(branch.guard, draft.case, at, case_id=draft.case.id, step=step.id):
                why = {"guard": branch.guard.source, "values": values}
                draft.add_system(at, EventKind.BRANCH, branch.name, step.id, branch.to, why=why)
                return
            tried.append({"branch": branch.name, "guard": branch.guard.source, "values": values})
        default = next(b for b in step.branches if b.default)
        chosen = {"default": True, "tried": tried}
        draft.add_system(at, EventKind.BRANCH, default.name, step.id, default.to, why=chosen)

    def _start_child(self, draft: Draft, step: Step, at: datetime) -> None:
        start_subflow(draft, step, self.flow, at)

    def _ended(self, draft: Draft, step: Step, at: datetime) -> None:
        case = draft.case
        draft.effects.extend(leaving(self.flow, case, tuple(self.flow.shared), at))  # ending leaves them all
        if case.parent_id is not None and step.outcome is not None:
            draft.effects.append(NotifyParent(case.parent_id, case.id, step.outcome, at))
        if step.signal is not None:
            draft.effects.append(signal_sent(step.signal, case.data, case.id, at))

    # -- helpers ----------------------------------------------------------------------------------

    def params_for(self, case: Case) -> Mapping[str, Any]:
        """The flow's params; where guards read the history, the case's (all events loaded)."""
        if not self.reads_history:
            return self.params
        last = self._last_history  # a decision's guards read the same case's history in turn
        if last is None or last[0] is not case:
            history = CaseHistory(self.flow, case.history, self.tz)
            last = self._last_history = (case, {**self.params, HISTORY_KEY: history})
        return last[1]

    def _params(self, guard: Guard, case: Case) -> Mapping[str, Any]:
        return self.params_for(case) if guard.source in self._history_guards else self.params

    def _holds(self, guard: Guard, case: Case, at: datetime, *, case_id: str = "", step: str = "") -> bool:
        try:
            return guard.holds(case.data, self._params(guard, case), at)
        except GuardRuntimeError as exc:
            if not case_id:
                raise
            raise CaseError(
                "case.guard_error",
                case=case_id,
                step=self.names.steps.named(step) if step else "-",
                guard=refusals.rules_in_words(self.flow, [guard.source]),
                detail=str(exc),
            ) from None

    def _holds_here(self, guard: Guard, case: Case) -> bool:
        return self._holds(guard, case, case.updated_at, case_id=case.id, step=case.step)

    def _why(self, guard: Guard, case: Case, at: datetime) -> dict[str, Any]:
        """The values a guard saw: the 'why' of an automatic decision in the history (with the
        counts it read from the history, such as `missed_checks("temperature_check")`)."""
        data, params = case.data, self.params
        seen = {name: _json_value(data.get(name, params.get(name))) for name in self._shown[guard.source]}
        if guard.reads_history:
            history = self.params_for(case)[HISTORY_KEY]
            for function, check in guard.reads_history:
                seen[call_text(function, check)] = history_value(history, function, check, at)
        return seen

    def _available(self, case: Case, at: datetime) -> list[str]:
        """The actions and checks that can be done now, by name."""
        return list(dict.fromkeys(o.name for o in self.offers(case, at) if o.available))


def _guards(flow: Flow) -> list[Guard]:
    """Every guard of the flow: of actions, branches, escalations, conditional checks, conditions
    and computed fields' rules."""
    found = [guard for step in flow.steps.values() for guard in step_guards(step)]
    rules = [rule for spec in flow.fields.values() for rule in spec.compute]
    return found + [g for rule in rules for g in (rule.when, rule.value) if g is not None]


def _entry_event(
    case: Case,
    target: Action | Check,
    *,
    signal: bool,
    at: datetime,
    who: tuple[str, str | None],
    changes: Mapping[str, list[Any]],
    note: str | None,
) -> Event:
    """The event of an action, signal or check fired at the case's step. A check, and an action
    that `stays` (C11), leave the case where it is: its step's clock does not start again."""
    if isinstance(target, Check):
        return Event(case.seq + 1, at, EventKind.CHECK, target.name, *who, case.step, None, changes, note)
    kind = EventKind.SIGNAL if signal else EventKind.ACTION
    to = None if target.stays else target.to
    return Event(case.seq + 1, at, kind, target.name, *who, case.step, to, changes, note)


def _json_value(value: Any) -> Any:
    if isinstance(value, timedelta):
        return str(value)
    return to_json(value)
