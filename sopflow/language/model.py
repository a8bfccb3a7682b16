"""The flow model: passive, typed, immutable data. No I/O here; the loader fills it in."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

from sopflow.i18n import pick

if TYPE_CHECKING:
    import networkx as nx

    from sopflow.errors import Problem

Text = Mapping[str, str]
"""A text in several languages: language code -> text. The flow's primary language is always there."""

EMPTY_TEXT: Text = MappingProxyType({})


class StepKind(StrEnum):
    TASK = "task"
    DECISION = "decision"
    WAIT = "wait"
    SUBFLOW = "subflow"
    END = "end"


class FieldType(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    CHOICE = "choice"
    ID_NUMBER = "id_number"


class EdgeKind(StrEnum):
    """How a way out of a step is taken: by staff, by a decision, by time, or by a child case."""

    ACTION = "action"
    BRANCH = "branch"
    TIMER = "timer"
    ESCALATE = "escalate"
    NEXT = "next"
    OUTCOME = "outcome"
    CONDITION = "condition"


class Guard(Protocol):
    """A checked guard condition, as the model holds it. The model stays passive data: how a
    guard is parsed and evaluated (Jinja's syntax, closures) is the guards module's business."""

    @property
    def source(self) -> str: ...

    @property
    def names(self) -> frozenset[str]: ...

    @property
    def uses_time(self) -> bool: ...

    @property
    def needed(self) -> frozenset[str]:
        """The names it reads as values (not those only asked `is defined`)."""
        ...

    @property
    def reads_history(self) -> tuple[tuple[str, str], ...]:
        """(function, check) of each history function the guard calls (missed_checks, …)."""
        ...

    def holds(self, data: Mapping[str, Any], params: Mapping[str, Any], now: datetime) -> bool:
        """True if the guard holds for a case's data and the flow's params at time `now`."""
        ...

    def evaluate(self, values: Mapping[str, Any], now: datetime) -> bool:
        """`holds` on values already merged."""
        ...

    def value(self, data: Mapping[str, Any], params: Mapping[str, Any], now: datetime) -> Any:
        """The expression's value itself (a computed field's rule), not whether it holds."""
        ...


@dataclass(frozen=True)
class Param:
    id: str
    value: Any  # int, float, bool, str, timedelta, or a tuple of texts (times of day)
    label: Text
    source: str | None = None


@dataclass(frozen=True)
class FieldSpec:
    id: str
    type: FieldType
    label: Text
    required: bool = False
    personal: bool = False
    fresh: bool = False  # a reading or a note: true when given, so asked anew every time it is needed
    choices: Mapping[str, Text] = field(default_factory=lambda: MappingProxyType({}))
    minimum: float | None = None
    maximum: float | None = None
    unit: str | None = None
    source: str | None = None
    identifies: str | None = None  # "person", "household" or "dwelling": whom the case is about
    compute: tuple[ComputeRule, ...] = ()  # worked out by the flow's rule, never typed (C9)
    accept_invalid: bool = False  # an id_number kept even if it fails GB 11643 (C14; valid_id())


IDENTITY_KINDS = ("person", "household", "dwelling")
# A flow that declares no `identifies:` (format 1, and flows written before it) is about whoever
# these fields name, so that its running cases can still be found by an addressed signal.
IDENTITY_BY_NAME: Mapping[str, str] = MappingProxyType(
    {"person": "id_number", "household": "household_id", "dwelling": "dwelling_code"}
)


@dataclass(frozen=True)
class ComputeRule:
    """One rule of a computed field: where `when` holds (None: the default), the field is the
    value of the expression `value` (a field, or a literal)."""

    when: Guard | None
    value: Guard
    source: str | None = None


@dataclass(frozen=True)
class Action:
    """Something staff fire to move a case on."""

    name: str
    label: Text
    to: str
    roles: tuple[str, ...]
    requires: tuple[str, ...] = ()
    accepts: tuple[str, ...] = ()
    guard: Guard | None = None
    source: str | None = None
    interrupt: bool = False  # given to the step by a flow-level interrupt (language/interrupts.py)
    leave: tuple[str, ...] = ()  # the shared cases (by flow) this case leaves when it fires this (C4)
    stays: bool = False  # the case stays at its step (`to` is the step itself), C11
    start: Referral | None = None  # a child case started each time it is fired, given its values (C11)
    keep: tuple[str, ...] = ()  # of the values given to the child, those this case keeps too


@dataclass(frozen=True)
class Condition:
    """A way out of a wait step taken by itself as soon as its guard holds (C11), tried after
    every event at the step, entering it included."""

    name: str
    label: Text
    guard: Guard
    to: str
    source: str | None = None


@dataclass(frozen=True)
class Branch:
    """One way out of a decision; the default is taken when no guard holds."""

    name: str
    label: Text
    to: str
    guard: Guard | None = None
    default: bool = False
    source: str | None = None


@dataclass(frozen=True)
class Timer:
    """Moves the case after a duration, counted from entering the step or from a date field."""

    name: str
    label: Text
    after: timedelta
    to: str
    from_field: str | None = None  # None: from entering the step
    source: str | None = None


@dataclass(frozen=True)
class Escalation:
    guard: Guard
    to: str
    # told by an alert when a reading entered late would have escalated but the case has moved on
    # since (issue 11, C12); none given: the role of the step `to`
    alert_roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Check:
    """A recurring task that does not move the case, unless its escalation guard holds.

    It falls due `every` so long after the last reading, or at fixed local times of day (`at`,
    each with `window` either side: a morning and an evening reading, not one 12 h after whenever
    the case came in), or once (`once`, `within` so long of becoming owed: a set-up to do). With
    `when`, it is owed only while that guard holds on the case's data (engine/slots.py)."""

    name: str
    label: Text
    every: timedelta | None
    roles: tuple[str, ...]
    requires: tuple[str, ...] = ()
    accepts: tuple[str, ...] = ()
    escalate: Escalation | None = None
    source: str | None = None
    at: tuple[str, ...] = ()  # local times of day, "HH:MM", in order
    window: timedelta = timedelta(0)  # either side of each time in `at`
    once: bool = False
    within: timedelta | None = None  # a once-check: due this long after it became owed
    when: Guard | None = None


@dataclass(frozen=True)
class Address:
    """One way a signal finds its cases: the cases of the target flow about the person,
    household or dwelling (`kind`) that this case's field `field` names. With `if_several`,
    an address that finds several cases moves none of them (who is meant is not known): each
    gets an open alert for these roles, and a person decides."""

    kind: str
    field: str
    if_several: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entry:
    """A step a case may start at (`entry:`), and the fields it must be given to start there."""

    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class Referral:
    """How a case starts another (a subflow step, or a signal's `if_none: start`): a case of
    `flow` at step `at` (None: its start step), its fields `copy` (child field -> this case's
    field) and `set` (literal values), at the place this case's field `place` holds (None: this
    case's own place)."""

    flow: str
    at: str | None = None
    copy: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    set: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    place: str | None = None


@dataclass(frozen=True)
class Signal:
    """On ending here, fire `action` in the cases of flow `flow` that `to` finds (the first
    address whose field has a value decides); without `to`, in the nearest ancestor running
    `flow`. Nobody found: an `undelivered` alert on this case for `if_none` (or its end's role)."""

    flow: str
    action: str
    to: tuple[Address, ...] = ()
    alert_roles: tuple[str, ...] = ()  # also told when a case found cannot take it at its step
    if_none: tuple[str, ...] = ()
    start: Referral | None = None  # `if_none: start:` a new case of that flow, this case its parent


@dataclass(frozen=True)
class Interrupt:
    """An action taken from every step of a scope (`interrupts:`); the builder has made it an
    action of each of `steps` (language/interrupts.py)."""

    name: str
    to: str
    steps: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    id: str
    kind: StepKind
    label: Text
    role: str
    instructions: Text = field(default_factory=lambda: EMPTY_TEXT)
    deadline: timedelta | None = None
    deadline_reason: Text = field(default_factory=lambda: EMPTY_TEXT)  # why `deadline: none`
    documents: tuple[Text, ...] = ()
    group: str | None = None
    source: str | None = None
    actions: tuple[Action, ...] = ()
    branches: tuple[Branch, ...] = ()
    timers: tuple[Timer, ...] = ()
    checks: tuple[Check, ...] = ()
    subflow: str | None = None
    copy: tuple[str, ...] = ()  # this case's fields a child is given (by `copy_as`)
    wait: bool = True
    next: str | None = None
    one_per: str | None = None  # a subflow step: join the open case of the child flow about this household
    outcomes: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    outcome: str | None = None
    signal: Signal | None = None
    entry: Entry | None = None  # a case may start here (C6)
    start_at: str | None = None  # a subflow's child starts at this step of its flow
    copy_as: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # child <- this
    set_values: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    place_from: str | None = None  # the child's place: this field's value (None: this case's place)
    conditions: tuple[Condition, ...] = ()  # a wait step: ways out taken when their guard holds

    @property
    def referral(self) -> Referral:
        """How this subflow step starts its child."""
        return Referral(self.subflow or "", self.start_at, self.copy_as, self.set_values, self.place_from)

    def exits(self) -> tuple[tuple[str, EdgeKind, str], ...]:
        """Every way out as (key, kind, target step), in file order."""
        out: list[tuple[str, EdgeKind, str]] = []
        out += [(a.name, EdgeKind.ACTION, a.to) for a in self.actions]
        out += [(c.name, EdgeKind.CONDITION, c.to) for c in self.conditions]
        out += [(b.name, EdgeKind.BRANCH, b.to) for b in self.branches]
        out += [(t.name, EdgeKind.TIMER, t.to) for t in self.timers]
        out += [(c.name, EdgeKind.ESCALATE, c.escalate.to) for c in self.checks if c.escalate]
        if self.next:
            out.append(("next", EdgeKind.NEXT, self.next))
        out += [(o, EdgeKind.OUTCOME, target) for o, target in self.outcomes.items()]
        return tuple(out)


@dataclass(frozen=True)
class Flow:
    """A loaded, checked flow definition. `graph` is a frozen networkx MultiDiGraph of it, made
    when first asked for: stepping a case never needs it, so networkx stays unloaded then."""

    id: str
    version: str
    title: Text
    description: Text
    unit: str
    start: str
    languages: tuple[str, ...]
    params: Mapping[str, Param]
    roles: Mapping[str, Text]
    fields: Mapping[str, FieldSpec]
    groups: Mapping[str, Text]
    steps: Mapping[str, Step]
    source_text: str = field(repr=False, compare=False)
    source_path: str = ""
    digest: str = ""
    warnings: tuple[Problem, ...] = field(repr=False, compare=False, default=())
    opened_by: tuple[str, ...] = ()  # the roles that may open a case (`opened_by:`, see builder)
    corrected_by: tuple[str, ...] = ()  # roles that may correct any case, besides the step's
    format: int = 1  # 2: the load-time rules of issue 11 (deadlines, urgent words) are errors
    interrupts: tuple[Interrupt, ...] = ()
    # graph.frozen_graph: the model itself never imports networkx, and a flow read from the
    # checked-flow cache never loads it unless something asks for the graph
    make_graph: Callable[[Flow], nx.MultiDiGraph[str]] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def graph(self) -> nx.MultiDiGraph[str]:
        """The steps and ways between them as a frozen networkx graph, made by `make_graph`
        (language/graph.py) the first time it is asked for."""
        if self.make_graph is None:
            raise ValueError(f"flow {self.id!r} was made without a way to make its graph")
        return self.make_graph(self)

    @cached_property
    def guard_trees(self) -> Mapping[str, Any]:
        """Each guard's vetted syntax tree (a guardtree.GNode) by its source, for the wording."""
        guards = [a.guard for s in self.steps.values() for a in s.actions]
        guards += [b.guard for s in self.steps.values() for b in s.branches]
        guards += [c.escalate.guard for s in self.steps.values() for c in s.checks if c.escalate]
        guards += [c.when for s in self.steps.values() for c in s.checks]
        guards += [c.guard for s in self.steps.values() for c in s.conditions]
        trees = {g.source: getattr(g, "tree", None) for g in guards if g is not None}
        return MappingProxyType({source: tree for source, tree in trees.items() if tree is not None})

    @cached_property
    def date_fields(self) -> frozenset[str]:
        """The fields holding dates or times (stored as ISO text, read back as dates)."""
        return frozenset(f.id for f in self.fields.values() if f.type in (FieldType.DATE, FieldType.DATETIME))

    @property
    def primary_language(self) -> str:
        return self.languages[0]

    def text(self, value: Text, lang: str | None = None) -> str:
        """`value` in `lang` (default: the primary language), falling back to the primary one."""
        return pick(value, lang or self.primary_language, self.primary_language)

    @property
    def outcomes(self) -> tuple[str, ...]:
        """The named outcomes of the end steps, in file order, without repeats."""
        seen = dict.fromkeys(s.outcome for s in self.steps.values() if s.outcome)
        return tuple(o for o in seen if o)

    @cached_property
    def fresh_fields(self) -> frozenset[str]:
        """The fields an action that requires them asks for again even when the case holds a
        value: those marked `fresh`, and those a recurring check records (a reading is true
        for when it was taken; this holds for flow versions saved before `fresh` existed too)."""
        recorded = {f for s in self.steps.values() for c in s.checks for f in (*c.requires, *c.accepts)}
        return frozenset(f.id for f in self.fields.values() if f.fresh) | frozenset(recorded)

    @cached_property
    def identities(self) -> Mapping[str, str]:
        """The field that says whom a case is about, by kind (person, household, dwelling): those
        declared with `identifies:`, or, when the flow declares none, the fields named as in
        IDENTITY_BY_NAME that it has."""
        declared = {f.identifies: f.id for f in self.fields.values() if f.identifies}
        if not declared:
            declared = {k: name for k, name in IDENTITY_BY_NAME.items() if name in self.fields}
        return MappingProxyType(declared)

    def about(self, data: Mapping[str, Any]) -> dict[str, str]:
        """Whom a case with `data` is about: kind → value of its identity fields that are set."""
        found = {kind: data.get(name) for kind, name in self.identities.items()}
        return {kind: str(value) for kind, value in found.items() if value not in (None, "")}

    @cached_property
    def entry_steps(self) -> tuple[str, ...]:
        """The steps a case may start at: the start step, then those marked `entry:`."""
        marked = [s.id for s in self.steps.values() if s.entry is not None and s.id != self.start]
        return (self.start, *marked)

    def entry_requires(self, step_id: str) -> tuple[str, ...]:
        """What a case starting at `step_id` must be given (besides the required fields)."""
        entry = self.steps[step_id].entry
        return () if entry is None else entry.requires

    @cached_property
    def shared(self) -> Mapping[str, str]:
        """The flows whose cases this flow's cases share (`one_per:`), and by what kind of identity."""
        found = {s.subflow: s.one_per for s in self.steps.values() if s.subflow and s.one_per}
        return MappingProxyType(found)

    def action_names(self) -> frozenset[str]:
        return frozenset(a.name for s in self.steps.values() for a in s.actions) | frozenset(
            c.name for s in self.steps.values() for c in s.checks
        )
