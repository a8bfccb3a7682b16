"""What stepping a case produces: the result (new case, events, effects on other cases), the
offers a step makes, and the per-step table of what each action name means there."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final, NamedTuple

from sopflow.cases.fielddata import Parser
from sopflow.cases.records import Case, Event, EventKind, Fold
from sopflow.i18n import Phrase
from sopflow.language.model import Action, Check, Flow, Referral, Signal, Step

CHILD_ID = re.compile(r"\.\d+$")  # QG-0001.1: the ids a case's child cases get (_start_child)


@dataclass(frozen=True)
class StartChild:
    parent_id: str
    child_id: str
    flow_id: str
    data: Mapping[str, Any]
    at: datetime
    at_step: str | None = None  # an entry step of the child flow (C6); None: its start step
    place: str | None = None  # None: the parent's place
    step: str = ""  # the subflow step that starts it
    one_per: tuple[str, str] | None = None  # kind, value: join the open case about it if there is one


@dataclass(frozen=True)
class LeaveShared:
    """Case `member_id` leaves the shared cases of `flow_id` about (kind, value) it is a member of."""

    member_id: str
    flow_id: str
    about: tuple[str, str]
    at: datetime


def child_start(
    referral: Referral,
    parent: Case,
    child_id: str,
    at: datetime,
    *,
    step: str = "",
    one_per: tuple[str, str] | None = None,
) -> StartChild:
    """The child `referral` starts from `parent`: its fields copied (child field <- the parent's)
    and set, at the referral's entry step and place."""
    data = {child: parent.data[mine] for child, mine in referral.copy.items() if mine in parent.data}
    data.update(referral.set)
    place = None if referral.place is None else parent.data.get(referral.place)
    place = str(place) if place not in (None, "") else None
    return StartChild(
        parent.id,
        child_id,
        referral.flow,
        MappingProxyType(data),
        at,
        at_step=referral.at,
        place=place,
        step=step,
        one_per=one_per,
    )


def start_subflow(draft: Draft, step: Step, flow: Flow, at: datetime) -> None:
    """Start the child flow of subflow `step`: a CHILD event and the child to start; for a shared
    child (`one_per:`) only the effect: the runtime joins the household's open case if there is
    one, else starts it and records the CHILD event then (engine/sharing.py)."""
    child_id = f"{draft.case.id}.{len(draft.case.children) + 1}"  # see CHILD_ID
    about = flow.about(draft.case.data).get(step.one_per or "")
    one_per = (step.one_per, about) if step.one_per is not None and about is not None else None
    if one_per is None:
        draft.add_system(at, EventKind.CHILD, step.subflow or "", step.id, None, child_id=child_id)
    draft.effects.append(child_start(step.referral, draft.case, child_id, at, step=step.id, one_per=one_per))


def starting_why(entry: str | None, parent_id: str | None, place: str | None) -> dict[str, Any] | None:
    """The `why` of a START event: the entry step it started at and the case that started it, and
    the place a parent's field named (verify then expects that place, not the parent's)."""
    why: dict[str, Any] = {} if entry is None else {"entry": entry}
    if entry is not None and parent_id is not None:
        why["from_case"] = parent_id
    if place is not None:
        why["place"] = place
    return why or None


@dataclass(frozen=True)
class NotifyParent:
    parent_id: str
    child_id: str
    outcome: str
    at: datetime


@dataclass(frozen=True)
class SendSignal:
    """Fire `action` in cases of `flow_id`: those about `address` (kind, field, value: the first address
    of the signal whose field the sender holds) when the signal has addresses, else the nearest
    ancestor. `if_several`: when the address finds several cases, none is moved; each gets an
    alert for these roles."""

    from_case: str
    flow_id: str
    action: str
    at: datetime
    addressed: bool = False  # the signal names whom it is for (`to:`)
    address: tuple[str, str, str] | None = None  # kind, the sender's field, its value
    if_several: tuple[str, ...] = ()
    alert_roles: tuple[str, ...] = ()
    if_none: tuple[str, ...] = ()
    start: Referral | None = None  # nobody found: start a case of that flow (its id given then)


def signal_sent(signal: Signal, data: Mapping[str, Any], case_id: str, at: datetime) -> SendSignal:
    """The signal as sent: to the first of its addresses whose field this case holds."""
    for address in signal.to:
        value = data.get(address.field)
        if value not in (None, ""):
            chosen = (address.kind, address.field, str(value))
            return SendSignal(
                case_id,
                signal.flow,
                signal.action,
                at,
                addressed=True,
                address=chosen,
                if_several=address.if_several,
                alert_roles=signal.alert_roles,
                if_none=signal.if_none,
                start=signal.start,
            )
    return SendSignal(
        case_id,
        signal.flow,
        signal.action,
        at,
        addressed=bool(signal.to),
        alert_roles=signal.alert_roles,
        if_none=signal.if_none,
        start=signal.start,
    )


def leaving(flow: Flow, case: Case, shared: tuple[str, ...], at: datetime) -> tuple[LeaveShared, ...]:
    """The shared cases `case` leaves (by flow): those of `shared` that its flow joins (`one_per`)."""
    about = flow.about(case.data)
    kinds = ((f, flow.shared[f]) for f in shared if f in flow.shared)
    return tuple(LeaveShared(case.id, f, (kind, about[kind]), at) for f, kind in kinds if kind in about)


Effect = StartChild | NotifyParent | SendSignal | LeaveShared


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
    held: tuple[str, ...] = ()  # required fields the case holds: taken from it unless given anew


class Draft:
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


class Move:
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
        *,
        parsers: Mapping[str, Parser],
        fresh: frozenset[str],
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
        # what must be given anew even when the case holds it: a check's readings, fresh fields
        self.fresh: Final = frozenset(first.requires) if check is first else fresh & set(first.requires)
        self.choose: Final = len(actions) > 1 or any(a.guard is not None for a in actions)


def moves_of(step: Step, parsers: Mapping[str, Parser], fresh: frozenset[str]) -> dict[str, Move]:
    names = dict.fromkeys([a.name for a in step.actions] + [c.name for c in step.checks])
    moves = {}
    for name in names:
        actions = tuple(a for a in step.actions if a.name == name)
        checks = [c for c in step.checks if c.name == name]
        first = actions[0] if actions else checks[0]
        moves[name] = Move(name, actions, checks[0] if checks else None, first, parsers=parsers, fresh=fresh)
    return moves
