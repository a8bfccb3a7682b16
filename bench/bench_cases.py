"""Benchmark: stepping key-person cases with sopflow, next to pytransitions, python-statemachine,
a plain dict, and raw SQLite inserts. Run with `make bench` (or `.venv/bin/python bench/bench_cases.py`).

Every contender walks the same scripted path through `key_person_control` (a KP7 medium-risk
arrival placed at home, 28 twice-daily temperature checks, released after the 14-day period and
the post-release follow-up) and does the same number of transitions per case. See bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import shutil
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import metadata
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from sopflow.cases.fielddata import data_to_json, to_json
from sopflow.cases.records import Case, Event, EventKind
from sopflow.engine.changes import StartChild
from sopflow.engine.runtime import Engine
from sopflow.engine.schedule import kept_times
from sopflow.engine.stepper import Stepper
from sopflow.errors import SopflowError
from sopflow.language.catalog import default_catalog
from sopflow.language.guardhistory import HISTORY_KEY
from sopflow.language.model import FieldSpec, FieldType, Flow, Guard, StepKind
from sopflow.store.store import open_store

TZ = ZoneInfo("Asia/Shanghai")
FLOW_ID = "key_person_control"
ARRIVAL = date(2020, 2, 1)
RAW_EVENT = "raw sqlite3 inserts"
RAW_CALL = "raw sqlite3, txn per call"
MEMORY_TARGET = 10.0  # sopflow in memory: at least 10x pytransitions
SQLITE_TARGET = 0.5  # sopflow on SQLite: at least half the raw-insert rate


# -- the scripted path -----------------------------------------------------------------------------


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """Day `day` after arrival (day 0), local time."""
    return datetime(ARRIVAL.year, ARRIVAL.month, ARRIVAL.day, hour, minute, tzinfo=TZ) + timedelta(days=day)


@dataclass
class Call:
    """One thing staff (or the clock) do to a case: start it, fire an action or check, run a timer."""

    kind: str  # "start", "fire" or "timer"
    name: str
    role: str | None = None
    actor: str = "system"
    data: Mapping[str, Any] = field(default_factory=dict)
    at: datetime | None = None  # for timers: filled in from the reference run (when the timer is due)


PERSON = {"full_name": "张三", "address": "前郭县平凤乡 3 组 12 号", "household_id": "H-0001"}
PHONE = "13800000000"


def scripted_path() -> list[Call]:
    """A KP7 arrival from a medium-risk area: registered, placed at home, observed 14 days, released."""
    calls = [
        Call("start", "start", "grid_worker", "王芳", {}, local(0, 9)),
        Call(
            "fire",
            "lead_logged",
            "grid_worker",
            "王芳",
            {
                "lead_source": "checkpoint",
                "lead_note": "arrived by train G1234 from a medium-risk city",
                **PERSON,
                "phone": PHONE,
                "origin": "Harbin",
                "arrival_date": ARRIVAL.isoformat(),
            },
            local(0, 9, 10),
        ),
        Call(
            "fire",
            "registered",
            "grid_worker",
            "王芳",
            {
                **PERSON,
                "temperature": 36.5,
                "symptoms": False,
                "origin_risk": "medium",
                "household_members": 2,
            },
            local(0, 10),
        ),
        Call(
            "fire",
            "categorized",
            "community_doctor",
            "赵医生",
            {"category": "KP7"},  # the basis date is worked out from the arrival date
            local(0, 11),
        ),
        Call("fire", "assessed", "community_doctor", "赵医生", {"home_suitable": True}, local(0, 12)),
        Call("fire", "placement_decided", "township_hq", "乡指挥部", {"placement": "home"}, local(0, 13)),
        Call(
            "fire",
            "pledge_signed",
            "liaison_cadre",
            "刘干部",
            {"door_sign": "yellow", "phone": PHONE},
            local(0, 14),
        ),
        Call(
            "fire",
            "team_assigned",
            "township_hq",
            "乡指挥部",
            {"care_team": "刘干部 13900000000"},
            local(0, 15),
        ),
        Call(
            "fire",
            "monitoring_setup",
            "community_police",
            "孙警官",
            {"monitoring_mode": "camera", "camera_id": "CAM-0001"},
            local(0, 17),
        ),
    ]
    for day in range(1, 15):  # days 1..14 of the period, at the flow's reading times (08:00, 16:00)
        for hour in (8, 16):
            calls.append(
                Call(
                    "fire",
                    "temperature_check",
                    "subject",
                    "张三",
                    {"temperature": 36.5, "symptoms": False},
                    local(day, hour),
                )
            )
    calls += [
        Call("timer", "period_over"),
        Call(
            "fire",
            "reviewed",
            "community_doctor",
            "赵医生",
            {"temperature": 36.4, "symptoms": False},
            local(15, 9),
        ),
        Call(
            "fire", "test_done", "community_doctor", "赵医生", {"release_test_negative": True}, local(15, 16)
        ),
        Call("fire", "release_approved", "county_cdc", "县疾控", {}, local(16, 10)),
        Call("fire", "release_done", "liaison_cadre", "刘干部", {}, local(16, 14)),
        Call("timer", "followup_over"),
    ]
    return calls


@dataclass
class Reference:
    """The path as sopflow walks it once: resolved timer times, events per call, the child case."""

    flow: Flow
    stepper: Stepper
    calls: list[Call]
    events_per_call: list[tuple[Event, ...]]
    cases_per_call: list[list[Case]]  # the case after each event of each call (for raw rows)
    child: StartChild
    child_flow: Flow
    child_events: tuple[Event, ...]
    child_case: Case
    final: Case

    @property
    def events_per_case(self) -> int:
        return sum(len(e) for e in self.events_per_call)

    def triggers(self) -> list[tuple[str, Mapping[str, Any] | None]]:
        """The same path as triggers of a plain state machine: one trigger per sopflow event
        after START (decisions are one trigger 'decide' whose conditions pick the branch)."""
        out: list[tuple[str, Mapping[str, Any] | None]] = []
        for call, events in zip(self.calls[1:], self.events_per_call[1:], strict=True):
            out += self.triggers_of(events, call.data or None)
        return out

    @staticmethod
    def triggers_of(
        events: tuple[Event, ...], data: Mapping[str, Any] | None
    ) -> list[tuple[str, Mapping[str, Any] | None]]:
        """The triggers of one call's events; the call's data goes with the first."""
        out: list[tuple[str, Mapping[str, Any] | None]] = []
        for event in events:
            if event.kind in (EventKind.ACTION, EventKind.CHECK, EventKind.TIMER):
                out.append((event.name, data))
                data = None
            elif event.kind is EventKind.BRANCH:
                out.append(("decide", None))
            elif event.kind is EventKind.CHILD:
                out.append(("start_child", None))
            elif event.kind is EventKind.NEXT:
                out.append(("next", None))
            else:
                raise SystemExit(
                    f"the scripted path produced a {event.kind} event; the baselines do not model it"
                )
        return out


def reference_run(flow: Flow, child_flow: Flow) -> Reference:
    stepper = Stepper(flow, TZ)
    fold = stepper.fold
    calls = scripted_path()
    events_per_call: list[tuple[Event, ...]] = []
    cases_per_call: list[list[Case]] = []
    child: StartChild | None = None
    case: Case | None = None
    for number, call in enumerate(calls):
        before = case
        try:
            if call.kind == "start":
                result = stepper.start("K-REF", call.data, actor=call.actor, role=call.role, at=call.at)  # type: ignore[arg-type]
            elif case is None:
                raise SystemExit("the scripted path must begin with its start call")
            elif call.kind == "fire":
                result = stepper.fire(
                    case, call.name, actor=call.actor, role=call.role, data=call.data, at=call.at
                )  # type: ignore[arg-type]
            else:
                timer = next(t for t in flow.steps[case.step].timers if t.name == call.name)
                call.at = stepper.timer_due(case, timer)
                timed = stepper.run_timers(case, call.at)  # type: ignore[arg-type]
                if timed is None:
                    raise SystemExit(f"call {number}: timer {call.name} did not run out at {call.at}")
                result = timed
        except SopflowError as exc:
            raise SystemExit(
                f"engine API problem: the scripted path is refused at call {number} "
                f"({call.kind} {call.name}): {exc}"
            ) from None
        case = result.case
        events_per_call.append(result.events)
        states, state = [], before
        for event in result.events:
            state = fold.apply(state, event) if state is not None else result.case
            states.append(state)
        cases_per_call.append(states)
        for effect in result.effects:
            if isinstance(effect, StartChild):
                child = effect
    if case is None or case.outcome != "released":
        where = f"{case.step} ({case.outcome})" if case else "nowhere"
        raise SystemExit(f"the scripted path ended at {where}, not 'released'")
    if child is None:
        raise SystemExit("the scripted path started no child case; expected the daily-needs supply")
    child_stepper = Stepper(child_flow, TZ)
    child_result = child_stepper.start(
        child.child_id, child.data, actor="system", role=None, at=child.at, parent_id=child.parent_id
    )
    return Reference(
        flow,
        stepper,
        calls,
        events_per_call,
        cases_per_call,
        child,
        child_flow,
        child_result.events,
        child_result.case,
        case,
    )


# -- the flow graph for the other libraries --------------------------------------------------------


class _PathHistory:
    """What the path's history guards read (the release review: readings missed, visits to the
    extended observation), as the path has it: every reading made, no extension. The plain
    machines are handed it; sopflow works it out from the case's events (so this favours them)."""

    def missed(self, check: str, now: datetime) -> int:
        return 0

    def done(self, check: str) -> int:
        return 28

    def hours_since(self, check: str, now: datetime) -> float:
        return 12.0

    def visits(self, step: str) -> int:
        return 0

    def children(self, flow: str, state: str, outcome: str | None = None) -> int:
        return 0


_NO_PARAMS: Mapping[str, Any] = {HISTORY_KEY: _PathHistory()}
_GUARD_TIME = datetime(2020, 2, 1, tzinfo=UTC)  # the path's guards do not read the time


def python_guard(guard: Guard | None) -> Callable[[Mapping[str, Any]], bool] | None:
    """A sopflow guard as a plain function of the data dict (the model holds the params too).
    It runs sopflow's compiled closures: no eval, and at a fraction of a microsecond it is noise
    next to what the state-machine libraries spend per transition."""
    if guard is None:
        return None
    return lambda d: guard.holds(d, _NO_PARAMS, _GUARD_TIME)


@dataclass(frozen=True)
class Edge:
    trigger: str
    source: str
    dest: str | None  # None: internal (the state stays)
    cond: Callable[[Mapping[str, Any]], bool] | None


def flow_edges(flow: Flow) -> list[Edge]:
    """Every transition of the flow, in the order sopflow tries them."""
    edges: list[Edge] = []
    for step in flow.steps.values():
        for action in step.actions:
            edges.append(Edge(action.name, step.id, action.to, python_guard(action.guard)))
        for check in step.checks:
            if check.escalate is not None:
                edges.append(Edge(check.name, step.id, check.escalate.to, python_guard(check.escalate.guard)))
            edges.append(Edge(check.name, step.id, None, None))
        if step.kind is StepKind.DECISION:
            branches = [b for b in step.branches if not b.default] + [b for b in step.branches if b.default]
            for branch in branches:
                edges.append(Edge("decide", step.id, branch.to, python_guard(branch.guard)))
        for timer in step.timers:
            edges.append(Edge(timer.name, step.id, timer.to, None))
        if step.kind is StepKind.SUBFLOW:
            edges.append(Edge("start_child", step.id, None, None))
            if step.next:
                edges.append(Edge("next", step.id, step.next, None))
            for outcome, target in step.outcomes.items():
                edges.append(Edge(f"child_{outcome}", step.id, target, None))
    return edges


def start_data(ref: Reference) -> dict[str, Any]:
    """What a baseline model holds at the start: the flow's params (guards read them) and the
    start call's data."""
    return {**ref.stepper.params, **ref.calls[0].data}


# -- in-memory contenders ----------------------------------------------------------------------------


class Contender:
    name = ""
    what = ""
    sqlite = False

    def __init__(self, ref: Reference) -> None:
        self.ref = ref

    def prepare(self, n: int) -> None:
        """Set up what a run of `n` cases needs, before the clock starts."""

    def run(self, n: int, keep: list[Any] | None = None) -> int:
        """Step `n` cases along the path; return the number of events. `keep` collects the
        finished cases (for the memory measurement)."""
        raise NotImplementedError


class SopflowMemory(Contender):
    name = "sopflow Stepper (memory)"
    what = (
        "Stepper.start/fire/run_timers per call: role checks, field parsing and validation, "
        "guards, immutable Case + full event history; effects (child start) ignored"
    )

    def run(self, n: int, keep: list[Any] | None = None) -> int:
        stepper = self.ref.stepper
        first, rest = self.ref.calls[0], self.ref.calls[1:]
        plan = [(c.kind == "fire", c.name, c.actor, c.role, c.data, c.at) for c in rest]
        start, fire, run_timers = stepper.start, stepper.fire, stepper.run_timers
        events = 0
        for i in range(n):
            result = start(f"K-{i:06d}", first.data, actor=first.actor, role=first.role, at=first.at)  # type: ignore[arg-type]
            case = result.case
            events += len(result.events)
            for is_fire, name, actor, role, data, at in plan:
                if is_fire:
                    result = fire(case, name, actor=actor, role=role, data=data, at=at)  # type: ignore[arg-type]
                else:
                    result = run_timers(case, at)  # type: ignore[arg-type,assignment]
                case = result.case
                events += len(result.events)
            if case.outcome != "released":
                raise AssertionError(f"sopflow case ended at {case.step}")
            if keep is not None:
                keep.append(case)
        return events


class _Model:
    """A per-case model object for the state-machine libraries."""

    def __init__(self, case_id: str, data: dict[str, Any]) -> None:
        self.id = case_id
        self.data = data


class PyTransitions(Contender):
    name = "pytransitions"
    what = (
        "one shared Machine(model=None, auto_transitions=False, send_event=True); per case "
        "add_model(obj) ... remove_model(obj); trigger methods on the model; decisions as one "
        "'decide' trigger with Python conditions in branch order; checks as internal transitions"
    )

    def __init__(self, ref: Reference) -> None:
        super().__init__(ref)
        self.start_data = start_data(ref)
        edges = flow_edges(ref.flow)
        transitions = []
        for e in edges:
            spec: dict[str, Any] = {"trigger": e.trigger, "source": e.source, "dest": e.dest}
            if e.cond is not None:
                spec["conditions"] = [lambda event, cond=e.cond: cond(event.model.data)]
            transitions.append(spec)
        from transitions import Machine  # noqa: PLC0415 - bench extra: only where it is run

        self.machine = Machine(
            model=None,
            states=list(ref.flow.steps),
            transitions=transitions,
            initial=ref.flow.start,
            auto_transitions=False,
            send_event=True,
            ignore_invalid_triggers=False,
        )
        self.triggers = ref.triggers()

    def run(self, n: int, keep: list[Any] | None = None) -> int:
        machine, triggers, base = self.machine, self.triggers, self.start_data
        for i in range(n):
            model = _Model(f"K-{i:06d}", dict(base))
            machine.add_model(model)
            for trigger, data in triggers:
                if data:
                    model.data.update(data)
                if not getattr(model, trigger)():
                    raise AssertionError(f"pytransitions: {trigger} did not fire in {model.state}")
            if model.state != "released":  # type: ignore[attr-defined]
                raise AssertionError(f"pytransitions case ended at {model.state}")  # type: ignore[attr-defined]
            machine.remove_model(model)
            if keep is not None:
                keep.append(model)
        return n * (1 + len(triggers))


class PythonStatemachine(Contender):
    name = "python-statemachine"
    what = (
        "a StateMachine subclass generated from the flow graph (states from steps, events from "
        "action/check/timer names, cond= callables); one instance per case over a model object"
    )

    def __init__(self, ref: Reference) -> None:
        super().__init__(ref)
        self.start_data = start_data(ref)
        from statemachine import State, StateMachine  # noqa: PLC0415 - bench extra: only where it is run

        flow = ref.flow
        states = {
            sid: State(sid, value=sid, initial=sid == flow.start, final=step.kind is StepKind.END)
            for sid, step in flow.steps.items()
        }
        by_event: dict[str, Any] = {}
        for e in flow_edges(flow):
            kwargs: dict[str, Any] = {}
            if e.cond is not None:
                kwargs["cond"] = lambda model, cond=e.cond: cond(model.data)
            source = states[e.source]
            if e.dest is None:
                transition = source.to.itself(internal=True, **kwargs)
            else:
                transition = source.to(states[e.dest], **kwargs)
            by_event[e.trigger] = by_event[e.trigger] | transition if e.trigger in by_event else transition
        clash = set(by_event) & set(states)
        if clash:
            raise SystemExit(f"python-statemachine: event and state names clash: {sorted(clash)}")
        self.machine_class = type("KeyPersonControl", (StateMachine,), {**states, **by_event})
        self.triggers = ref.triggers()

    def run(self, n: int, keep: list[Any] | None = None) -> int:
        cls, triggers, base = self.machine_class, self.triggers, self.start_data
        for i in range(n):
            model = _Model(f"K-{i:06d}", dict(base))
            machine = cls(model=model)
            send = machine.send
            for trigger, data in triggers:
                if data:
                    model.data.update(data)
                send(trigger)
            if model.state != "released":  # type: ignore[attr-defined]
                raise AssertionError(f"python-statemachine case ended at {model.state}")  # type: ignore[attr-defined]
            if keep is not None:
                keep.append(machine)
        return n * (1 + len(triggers))


class PlainDict(Contender):
    name = "plain dict (lower bound)"
    what = (
        "state = table[(state, trigger)] -> [(condition, next)], first condition that holds wins; "
        "data merged into a dict; no validation, no history"
    )

    def __init__(self, ref: Reference) -> None:
        super().__init__(ref)
        self.start_data = start_data(ref)
        table: dict[tuple[str, str], list[tuple[Any, str | None]]] = {}
        for e in flow_edges(ref.flow):
            table.setdefault((e.source, e.trigger), []).append((e.cond, e.dest))
        self.table = {key: tuple(value) for key, value in table.items()}
        self.triggers = ref.triggers()
        self.start = ref.flow.start

    def run(self, n: int, keep: list[Any] | None = None) -> int:
        table, triggers, base, first = self.table, self.triggers, self.start_data, self.start
        for i in range(n):
            case_id, state, data = f"K-{i:06d}", first, dict(base)
            for trigger, values in triggers:
                if values:
                    data.update(values)
                for cond, dest in table[state, trigger]:
                    if cond is None or cond(data):
                        if dest is not None:
                            state = dest
                        break
                else:
                    raise AssertionError(f"dict: {trigger} did not fire in {state}")
            if state != "released":
                raise AssertionError(f"dict case ended at {state}")
            if keep is not None:
                keep.append((case_id, state, data))
        return n * (1 + len(triggers))


def _validator(spec: FieldSpec) -> Callable[[Any], Any]:
    """The least check of a value for its field, written out by hand for the floor contender."""
    low = -float("inf") if spec.minimum is None else spec.minimum
    high = float("inf") if spec.maximum is None else spec.maximum
    if spec.type is FieldType.NUMBER:
        return lambda v: v if type(v) is float and low <= v <= high else _refuse(spec, v)
    if spec.type is FieldType.INTEGER:
        return lambda v: v if type(v) is int and low <= v <= high else _refuse(spec, v)
    if spec.type is FieldType.BOOLEAN:
        return lambda v: v if v is True or v is False else _refuse(spec, v)
    if spec.type is FieldType.CHOICE:
        return lambda v: v if v in spec.choices else _refuse(spec, v)
    if spec.type is FieldType.DATE:
        return date.fromisoformat
    return lambda v: v if type(v) is str and v else _refuse(spec, v)


def _refuse(spec: FieldSpec, value: Any) -> Any:
    raise ValueError(f"{spec.id}: {value!r}")


class ValidatedFloor(Contender):
    name = "validated dict (floor)"
    what = (
        "the plain dict plus, written out by hand, what sopflow guarantees: the role checked, each "
        "value checked for its field, an event tuple per transition, a new read-only state per "
        "event; the least any engine with those guarantees does in Python"
    )

    def __init__(self, ref: Reference) -> None:
        super().__init__(ref)
        self.start_data = start_data(ref)
        flow = ref.flow
        roles: dict[tuple[str, str], frozenset[str]] = {}
        for step in flow.steps.values():
            for move in (*step.actions, *step.checks):
                roles[step.id, move.name] = roles.get((step.id, move.name), frozenset()) | set(move.roles)
        table: dict[tuple[str, str], list[tuple[Any, str | None]]] = {}
        for e in flow_edges(flow):
            table.setdefault((e.source, e.trigger), []).append((e.cond, e.dest))
        self.table = {key: (roles.get(key), tuple(value)) for key, value in table.items()}
        self.validators = {name: _validator(spec) for name, spec in flow.fields.items()}
        self.plan: list[tuple[str, Mapping[str, Any] | None, str | None, str, datetime]] = []
        for call, events in zip(ref.calls[1:], ref.events_per_call[1:], strict=True):
            data: Mapping[str, Any] | None = call.data or None
            for trigger, _values in ref.triggers_of(events, data):
                self.plan.append((trigger, data, call.role, call.actor, events[0].at))
                data = None
        self.start = flow.start

    def run(self, n: int, keep: list[Any] | None = None) -> int:
        table, plan, base, validators = self.table, self.plan, self.start_data, self.validators
        proxy = MappingProxyType
        for i in range(n):
            case_id = f"K-{i:06d}"
            start = (1, None, "start", "system", None, None, self.start, None)
            # a case: (id, step, data, seq, history as a linked list of event tuples)
            case: tuple[Any, ...] = (case_id, self.start, proxy(dict(base)), 1, (start, None))
            for trigger, values, role, actor, at in plan:
                _id, step, data, seq, history = case
                allowed, ways = table[step, trigger]
                if allowed is not None and role not in allowed:
                    raise AssertionError(f"floor: role {role} may not {trigger}")
                changes = None
                if values:
                    checked = {name: validators[name](raw) for name, raw in values.items()}
                    changes = {k: v for k, v in checked.items() if data.get(k) != v}
                    if changes:
                        merged = dict(data)
                        merged.update(changes)
                        data = proxy(merged)
                for cond, to in ways:
                    if cond is None or cond(data):
                        event = (seq + 1, at, trigger, actor, role, step, to, changes)
                        case = (case_id, to or step, data, seq + 1, (event, history))
                        break
                else:
                    raise AssertionError(f"floor: {trigger} did not fire in {step}")
            if case[1] != "released":
                raise AssertionError(f"floor case ended at {case[1]}")
            if keep is not None:
                keep.append(case)
        return n * (1 + len(plan))


# -- SQLite contenders ---------------------------------------------------------------------------------


def sqlite_pragmas(conn: sqlite3.Connection) -> None:
    """The same settings as sopflow's store (store._sqlite_pragmas): WAL, foreign keys, busy
    timeout, autocommit off so that BEGIN IMMEDIATE is ours. synchronous is left at its default."""
    conn.isolation_level = None
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=60000")


def db_size(path: str) -> int:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))


class SopflowSqlite(Contender):
    name = "sopflow Engine (SQLite)"
    what = (
        "Engine(open_store('sqlite:///…')).start/fire per call, one write transaction each "
        "(in which the case row is read, not its past history); the supply child case "
        "is started and saved; timers by Engine.tick(now) as a cron would, once per timer for all cases"
    )
    sqlite = True

    def __init__(self, ref: Reference, folder: str) -> None:
        super().__init__(ref)
        self.folder = folder
        self.runs = 0
        self.path = ""
        self.store: Any = None
        # One long-lived catalog, as an application has: the flows are parsed once, not per run.
        self.catalog = default_catalog(None)
        self.catalog.load(FLOW_ID)
        self.catalog.load(ref.child_flow.id)

    def prepare(self, n: int) -> None:
        """A fresh database file with sopflow's tables (created by open_store)."""
        self.runs += 1
        self.path = os.path.join(self.folder, f"sopflow-{self.runs}.db")
        self.store = open_store(f"sqlite:///{self.path}")

    def run(self, n: int, keep: list[Any] | None = None) -> int:
        if self.store is None:
            self.prepare(n)
        store, self.store = self.store, None
        clock_now = [self.ref.calls[0].at]
        engine = Engine(store, flows=self.catalog, clock=lambda: clock_now[0])  # type: ignore[arg-type,return-value]
        ids = [f"K-{i:06d}" for i in range(n)]
        first, rest = self.ref.calls[0], self.ref.calls[1:]
        for case_id in ids:  # lock-step: the county works through all its cases call by call
            engine.start(FLOW_ID, case_id, first.data, actor=first.actor, role=first.role, at=first.at)
        for call in rest:
            clock_now[0] = call.at  # the county's clock: an entry is never in its future
            if call.kind == "fire":
                for case_id in ids:
                    engine.fire(
                        case_id, call.name, actor=call.actor, role=call.role, data=call.data, at=call.at
                    )
            else:
                moved = engine.tick(call.at)
                if len(moved) != n:
                    raise AssertionError(f"tick at {call.at} moved {len(moved)} cases, expected {n}")
        with store.engine.connect() as conn:
            self.synchronous = conn.exec_driver_sql("PRAGMA synchronous").scalar()
            self.journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            events = conn.exec_driver_sql("SELECT count(*) FROM events").scalar()
            released = conn.exec_driver_sql("SELECT count(*) FROM cases WHERE outcome = 'released'").scalar()
        store.close()
        if released != n:
            raise AssertionError(f"sopflow SQLite: {released} of {n} cases released")
        return int(events)


def _ts(value: datetime | None) -> str | None:
    """A datetime as SQLAlchemy stores it in SQLite (naive UTC text)."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


EVENT_INSERT = (
    "INSERT INTO events (case_id, seq, at, kind, name, actor, role, from_step, to_step, changes, note, why, "
    "child_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
CASE_INSERT = (
    "INSERT INTO cases (id, flow_id, flow_digest, flow_version, step, role, status, outcome, data, "
    "parent_id, place, created_at, updated_at, entered_at, last_checks, children, next_due_at, "
    "next_timer_at, due_list, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
CASE_UPDATE = (
    "UPDATE cases SET step = ?, role = ?, status = ?, outcome = ?, data = ?, updated_at = ?, entered_at = ?, "
    "last_checks = ?, children = ?, next_due_at = ?, next_timer_at = ?, due_list = ?, "
    "seq = ? WHERE id = ? AND seq = ?"
)


class RawSqlite(Contender):
    """Pre-serialised rows, written with the sqlite3 module: per event one INSERT into events and
    one UPDATE (or INSERT) of the case row, in the same schema (indexes, foreign keys) as sopflow's
    store, with the same pragmas."""

    sqlite = True

    def __init__(self, ref: Reference, folder: str, *, grouped: bool) -> None:
        super().__init__(ref)
        self.folder = folder
        self.grouped = grouped
        if grouped:
            self.name = RAW_CALL
            self.what = (
                "the same rows, one transaction per call as the Engine groups them "
                "(an action and the decisions it triggers; the child start with team_assigned)"
            )
        else:
            self.name = RAW_EVENT
            self.what = (
                "per event: BEGIN IMMEDIATE; UPDATE case row WHERE id AND seq (INSERT for a start); "
                "INSERT event row; COMMIT — rows serialised before the clock starts"
            )
        self.runs = 0
        self.path = ""
        self.template = self._template()
        self.plan: list[list[list[tuple[str, tuple[Any, ...], tuple[Any, ...]]]]] = []

    def _template(self) -> list[list[tuple[bool, str, tuple[Any, ...], tuple[Any, ...]]]]:
        """Per call, its operations as (is_insert, case id suffix, case row params, event params);
        the case id is filled in per case."""
        ref = self.ref
        groups = []
        for events, states in zip(ref.events_per_call, ref.cases_per_call, strict=True):
            ops = [self._op("", ref.stepper, e, s) for e, s in zip(events, states, strict=True)]
            if any(e.kind is EventKind.CHILD for e in events):
                child_stepper = Stepper(ref.child_flow, TZ)
                ops += [self._op(".1", child_stepper, e, ref.child_case) for e in ref.child_events]
            groups.append(ops)
        return groups

    @staticmethod
    def _op(
        suffix: str, stepper: Stepper, event: Event, case: Case
    ) -> tuple[bool, str, tuple[Any, ...], tuple[Any, ...]]:
        role = stepper.flow.steps[case.step].role if case.active else None
        event_params = (
            event.seq,
            _ts(event.at),
            str(event.kind),
            event.name,
            event.actor,
            event.role,
            event.from_step,
            event.to_step,
            _dumps(dict(event.changes)),
            event.note,
            _dumps(dict(event.why)) if event.why is not None else None,
            event.child_id,
        )
        data = _dumps(data_to_json(case.data))
        last_checks = _dumps({k: to_json(v) for k, v in case.last_checks.items()})
        children = _dumps(list(case.children))
        kept = kept_times(stepper, case)
        due, timer, due_list = _ts(kept.next_due_at), _ts(kept.next_timer_at), kept.due_list
        if event.kind is EventKind.START:
            row = (
                case.flow_id,
                case.flow_digest,
                case.flow_version,
                case.step,
                role,
                str(case.status),
                case.outcome,
                data,
                case.parent_id,
                case.place,
                _ts(case.created_at),
                _ts(case.updated_at),
                _ts(case.entered_at),
                last_checks,
                children,
                due,
                timer,
                due_list,
                case.seq,
            )
            return True, suffix, row, event_params
        row = (
            case.step,
            role,
            str(case.status),
            case.outcome,
            data,
            _ts(case.updated_at),
            _ts(case.entered_at),
            last_checks,
            children,
            due,
            timer,
            due_list,
            case.seq,
        )
        return False, suffix, row, event_params

    def prepare(self, n: int) -> None:
        """A fresh database with sopflow's schema, and every statement's parameters ready."""
        self.runs += 1
        self.path = os.path.join(self.folder, f"raw-{'call' if self.grouped else 'event'}-{self.runs}.db")
        store = open_store(f"sqlite:///{self.path}")
        with store.writing() as conn:
            store.save_flow(conn, self.ref.flow)
            store.save_flow(conn, self.ref.child_flow)
        store.close()
        ids = [f"K-{i:06d}" for i in range(n)]
        self.plan = []
        for ops in self.template:
            for case_id in ids:
                group = []
                for is_insert, suffix, row, event_params in ops:
                    cid = case_id + suffix
                    if is_insert:
                        values = list(row)
                        if suffix:
                            values[8] = case_id  # the child's parent_id
                        group.append((CASE_INSERT, (cid, *values), (cid, *event_params)))
                    else:
                        group.append((CASE_UPDATE, (*row, cid, event_params[0] - 1), (cid, *event_params)))
                self.plan.append(group)

    def run(self, n: int, keep: list[Any] | None = None) -> int:
        if not self.plan:
            self.prepare(n)
        conn = sqlite3.connect(self.path)
        sqlite_pragmas(conn)
        self.synchronous = conn.execute("PRAGMA synchronous").fetchone()[0]
        execute, grouped, events = conn.execute, self.grouped, 0
        for group in self.plan:
            if grouped:
                execute("BEGIN IMMEDIATE")
            for case_sql, case_params, event_params in group:
                if not grouped:
                    execute("BEGIN IMMEDIATE")
                if execute(case_sql, case_params).rowcount != 1:
                    raise AssertionError(f"raw: case {case_params[-2]} changed under us")
                execute(EVENT_INSERT, event_params)
                if not grouped:
                    execute("COMMIT")
            if grouped:
                execute("COMMIT")
            events += len(group)
        conn.close()
        self.plan = []
        return events


# -- measuring -------------------------------------------------------------------------------------------


@dataclass
class Measurement:
    contender: Contender
    cases: int
    events: int = 0
    seconds: float = 0.0
    runs: int = 0
    kib_per_case: float | None = None
    note: str = ""

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def measure(contender: Contender, cases: int, repeat: int, budget: float, warmup: int) -> Measurement:
    """One warm-up run, then up to `repeat` timed runs (fewer if they take longer than `budget`
    seconds in all); the best run counts."""
    m = Measurement(contender, cases)
    contender.prepare(min(warmup, cases))
    contender.run(min(warmup, cases))
    spent = 0.0
    for _ in range(repeat):
        contender.prepare(cases)
        gc.collect()
        t0 = time.perf_counter()
        events = contender.run(cases)
        elapsed = time.perf_counter() - t0
        spent += elapsed
        m.runs += 1
        if m.runs == 1 or elapsed < m.seconds:
            m.seconds, m.events = elapsed, events
        if spent > budget:
            break
    return m


def memory_per_case(contender: Contender, cases: int) -> float:
    """KiB of Python objects left per finished case (tracemalloc), stepping `cases` and keeping them."""
    gc.collect()
    keep: list[Any] = []
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    contender.run(cases, keep)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (after - before) / cases / 1024


def profile_stepper(ref: Reference, cases: int, top: int) -> str:
    contender = SopflowMemory(ref)
    profiler = cProfile.Profile()
    profiler.enable()
    contender.run(cases)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    total = max(ct for _cc, _nc, _tt, ct, _callers in stats.stats.values())  # type: ignore[attr-defined]
    labels = {
        "Guard.holds (guards)": ("guards.py", "holds"),
        "Fold.apply (new Case per event)": ("records.py", "apply"),
        "parse_taken (field validation)": ("entries.py", "parse_taken"),
        "changes (what an event changes)": ("entries.py", "changes"),
    }
    shares = dict.fromkeys(labels, 0.0)
    for (path, _line, function), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        for label, (module, name) in labels.items():
            if path.endswith(module) and function == name:
                shares[label] += ct
    out.write("share of the Stepper's time (cumulative, under cProfile):\n")
    for label, seconds in shares.items():
        out.write(f"  {label}: {seconds / total:.0%}\n")
    out.write("\n")
    stats.strip_dirs().sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


# -- output -------------------------------------------------------------------------------------------------


def fmt_int(value: int) -> str:
    return f"{value:,}"


def table(rows: Sequence[Sequence[str]], right: set[int]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for number, row in enumerate(rows):
        cells = [
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


KNOWN = ("sopflow", "transitions", "statemachine", "dict", "floor", "sqlite", "raw")


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    add("--cases", type=int, default=100_000, help="cases per in-memory contender (default 100,000)")
    add("--sopflow-cases", type=int, help="cases for sopflow in memory (default: --cases)")
    add("--transitions-cases", type=int, help="cases for pytransitions (default: --cases)")
    add("--statemachine-cases", type=int, help="cases for python-statemachine (default: --cases)")
    add("--dict-cases", type=int, help="cases for the plain dict and the validated floor (default: --cases)")
    add("--sqlite-cases", type=int, default=2_000, help="cases for the SQLite contenders (default 2,000)")
    add(
        "--repeat",
        type=int,
        default=3,
        help="timed runs per in-memory contender; the best counts (default 3)",
    )
    add(
        "--budget",
        type=float,
        default=300.0,
        help="no further repeats once a contender's timed runs took this many seconds (default 300)",
    )
    add(
        "--memory-cases",
        type=int,
        default=1_000,
        help="cases kept alive for KiB/case (0: skip; default 1,000)",
    )
    add(
        "--profile-cases",
        type=int,
        default=2_000,
        help="cases for the cProfile of the Stepper, printed when "
        "the in-memory target is missed (0: never; default 2,000)",
    )
    add("--only", help=f"comma-separated contenders out of {','.join(KNOWN)} (default: all)")
    add("--db-dir", help="folder for the SQLite files (default: a temporary folder, removed afterwards)")
    add("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    args.only = set(args.only.split(",")) if args.only else set(KNOWN)
    if args.only - set(KNOWN):
        parser.error(f"unknown contender(s) {', '.join(sorted(args.only - set(KNOWN)))}")
    return args


def print_header(ref: Reference) -> None:
    print(f"sopflow case-engine benchmark — {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(
        f"machine: {platform.machine()}, nproc {os.cpu_count()}, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}"
    )
    print(
        f"versions: sopflow {version('sopflow')}, transitions {version('transitions')}, "
        f"python-statemachine {version('python-statemachine')}, SQLAlchemy {version('SQLAlchemy')}"
    )
    print()
    calls, flow = ref.calls, ref.flow
    checks = sum(c.name == "temperature_check" for c in calls)
    timers = sum(c.kind == "timer" for c in calls)
    print(f"path: {FLOW_ID} {flow.version}, a KP7 medium-risk arrival placed at home, released")
    print(
        f"  {len(calls)} calls per case (1 start, {len(calls) - 1 - checks - timers} actions, {checks} "
        f"temperature checks, {timers} timers) -> {ref.events_per_case} events per case"
    )
    shown: list[str] = []
    for c in calls:
        if shown and shown[-1].endswith(c.name):
            count = int(shown[-1].split(" x ")[0]) + 1 if " x " in shown[-1] else 2
            shown[-1] = f"{count} x {c.name}"
        else:
            shown.append(c.name + (" (timer)" if c.kind == "timer" else ""))
    print(f"  calls: {' > '.join(shown)}")
    kinds: dict[str, int] = {}
    for events in ref.events_per_call:
        for e in events:
            kinds[str(e.kind)] = kinds.get(str(e.kind), 0) + 1
    print(
        "  events: "
        + ", ".join(f"{k} {v}" for k, v in kinds.items())
        + f"; on SQLite also the supply child case's {len(ref.child_events)} start event"
    )
    print(
        f"  baselines: the same path as 1 model creation + {len(ref.triggers())} triggers "
        f"({ref.events_per_case} transitions per case); flow graph {len(flow.steps)} states, "
        f"{len(flow_edges(flow))} transitions"
    )
    print()


def report(m: Measurement) -> None:
    print(
        f"  {fmt_int(m.events)} events in {m.seconds:.2f} s = {m.rate:,.0f} events/s ({m.note})", flush=True
    )


def run_memory(ref: Reference, args: argparse.Namespace) -> list[Measurement]:
    contenders: list[tuple[Contender, int | None]] = []
    if "sopflow" in args.only:
        contenders.append((SopflowMemory(ref), args.sopflow_cases))
    if "transitions" in args.only:
        contenders.append((PyTransitions(ref), args.transitions_cases))
    if "statemachine" in args.only:
        contenders.append((PythonStatemachine(ref), args.statemachine_cases))
    if "dict" in args.only:
        contenders.append((PlainDict(ref), args.dict_cases))
    if "floor" in args.only:
        contenders.append((ValidatedFloor(ref), args.dict_cases))
    results = []
    for contender, cases in contenders:
        n = cases or args.cases
        print(f"running {contender.name}: {fmt_int(n)} cases ...", flush=True)
        m = measure(contender, n, args.repeat, args.budget, warmup=min(n, 1_000))
        m.note = f"best of {m.runs}"
        if args.memory_cases:
            m.kib_per_case = memory_per_case(contender, min(args.memory_cases, n))
        results.append(m)
        report(m)
    return results


def run_sqlite(ref: Reference, args: argparse.Namespace, folder: str) -> list[Measurement]:
    contenders: list[Contender] = []
    if "sqlite" in args.only:
        contenders.append(SopflowSqlite(ref, folder))
    if "raw" in args.only:
        contenders += [RawSqlite(ref, folder, grouped=False), RawSqlite(ref, folder, grouped=True)]
    results = []
    for contender in contenders:
        n = args.sqlite_cases
        print(f"running {contender.name}: {fmt_int(n)} cases ...", flush=True)
        m = measure(contender, n, 1, args.budget, warmup=min(n, 20))
        size = db_size(contender.path)  # type: ignore[attr-defined]
        m.kib_per_case = size / n / 1024
        m.note = f"1 run; synchronous={getattr(contender, 'synchronous', '?')}, db {size / 2**20:.1f} MiB"
        results.append(m)
        report(m)
    return results


def print_table(memory: list[Measurement], disk: list[Measurement], args: argparse.Namespace) -> None:
    by_name = {m.contender.name: m for m in memory + disk}
    rows = [
        ["contender", "cases", "events", "seconds", "events/s", "µs/event", "ratio", "vs", "KiB/case", "runs"]
    ]
    for group, base_name, label, unit in (
        (memory, PyTransitions.name, "pytransitions", ""),
        (disk, RAW_EVENT, "raw inserts", " disk"),
    ):
        base = by_name.get(base_name)
        for m in group:
            rows.append(
                [
                    m.contender.name,
                    fmt_int(m.cases),
                    fmt_int(m.events),
                    f"{m.seconds:.2f}",
                    f"{m.rate:,.0f}",
                    f"{1e6 / m.rate:.2f}",
                    f"{m.rate / base.rate:.2f}x" if base else "-",
                    label,
                    f"{m.kib_per_case:.1f}{unit}" if m.kib_per_case is not None else "-",
                    m.note,
                ]
            )
    print()
    print(table(rows, right={1, 2, 3, 4, 5, 6, 8}))
    print()
    kept = f"tracemalloc, {fmt_int(args.memory_cases)} cases kept" if args.memory_cases else "skipped"
    print(
        f"KiB/case: in memory, Python objects still held per finished case ({kept}); "
        "SQLite, database size per case after a checkpoint."
    )
    print("Ratios compare per-event rates, so contenders run with different case counts stay comparable.")
    print()
    print("what each contender does:")
    for m in memory + disk:
        print(f"  {m.contender.name}: {m.contender.what}")
    print()


def verdicts(memory: list[Measurement], disk: list[Measurement]) -> dict[str, bool]:
    by_name = {m.contender.name: m for m in memory + disk}
    found = {}
    sop_mem, base_mem = by_name.get(SopflowMemory.name), by_name.get(PyTransitions.name)
    if sop_mem and base_mem:
        ratio = sop_mem.rate / base_mem.rate
        found["memory"] = ratio >= MEMORY_TARGET
        print(
            f"target, in memory: sopflow >= {MEMORY_TARGET:.0f}x pytransitions per event: {ratio:.2f}x -> "
            f"{'MET' if found['memory'] else 'NOT MET'}"
        )
    floor = by_name.get(ValidatedFloor.name)
    if sop_mem and base_mem and floor:
        print(
            f"  (the hand-written validated floor is {floor.rate / base_mem.rate:.2f}x pytransitions; "
            f"sopflow takes {floor.rate / sop_mem.rate:.2f}x the floor's time per event)"
        )
    sop_sql, base_sql = by_name.get(SopflowSqlite.name), by_name.get(RAW_EVENT)
    if sop_sql and base_sql:
        ratio = sop_sql.rate / base_sql.rate
        found["sqlite"] = ratio >= SQLITE_TARGET
        print(
            f"target, on SQLite: sopflow >= {SQLITE_TARGET:.1f}x raw inserts per event: {ratio:.2f}x -> "
            f"{'MET' if found['sqlite'] else 'NOT MET'}"
        )
        grouped = by_name.get(RAW_CALL)
        if grouped:
            print(
                f"  (against the raw rows grouped one transaction per call, as the Engine groups them: "
                f"{sop_sql.rate / grouped.rate:.2f}x)"
            )
    return found


def write_json(path: str, ref: Reference, results: list[Measurement], targets: dict[str, bool]) -> None:
    figures = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "events_per_case": ref.events_per_case,
        "results": [
            {
                "contender": m.contender.name,
                "cases": m.cases,
                "events": m.events,
                "seconds": m.seconds,
                "events_per_s": m.rate,
                "kib_per_case": m.kib_per_case,
                "runs": m.runs,
                "note": m.note,
            }
            for m in results
        ],
        "targets": targets,
    }
    with open(path, "w", encoding="utf-8") as out:
        json.dump(figures, out, indent=2, ensure_ascii=False)


def main(argv: Sequence[str] | None = None) -> int:
    args = arguments(argv)
    catalog = default_catalog(None)
    ref = reference_run(catalog.load(FLOW_ID), catalog.load("home_isolation_supply"))
    folder = args.db_dir or tempfile.mkdtemp(prefix="sopflow-bench-")
    os.makedirs(folder, exist_ok=True)
    try:
        print_header(ref)
        memory = run_memory(ref, args)
        disk = run_sqlite(ref, args, folder)
        print_table(memory, disk, args)
        targets = verdicts(memory, disk)
        if targets.get("memory") is False and args.profile_cases:
            print()
            print(f"where the Stepper's time goes (cProfile, {fmt_int(args.profile_cases)} cases):")
            print(profile_stepper(ref, args.profile_cases, 15))
        if args.json:
            write_json(args.json, ref, memory + disk, targets)
    finally:
        if not args.db_dir:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
