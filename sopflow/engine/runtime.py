"""The Engine: cases stepped through their flows and saved, one transaction per change.

Library users start here:

    engine = Engine(open_store("sqlite:///county.db"))
    case = engine.start("key_person_control", "K-0001", {...}, actor="王芳", role="grid_worker")
    case = engine.fire("K-0001", "lead_recorded", actor="王芳", role="grid_worker")

Each change is computed from a snapshot (pure, in Stepper), then saved with a check that nobody
changed the cases involved in between; if someone did, nothing is saved and ConcurrentChange says
so, carrying the case as it now is.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import Connection

from sopflow.cases import arguments, inputs
from sopflow.cases.filter import CaseFilter
from sopflow.cases.records import Case, ConcurrentChange, with_history
from sopflow.engine import ledger
from sopflow.engine.alertwork import Alerts
from sopflow.engine.bulk import Bulk
from sopflow.engine.changes import CHILD_ID, Effect, LeaveShared, NotifyParent, Offer, Result, StartChild
from sopflow.engine.correcting import Corrections
from sopflow.engine.hooks import (
    Hook,
    HookErrorHandler,
    Registered,
    check_hook_target,
    log_hook_error,
)
from sopflow.engine.late import fire_late
from sopflow.engine.schedule import DueItem, basis_of
from sopflow.engine.sharing import Sharing
from sopflow.engine.stepper import Stepper
from sopflow.engine.verify import Discrepancy, verify_cases
from sopflow.engine.work import Work
from sopflow.errors import ArgumentError, CaseError, LookupFailed
from sopflow.i18n import Phrase
from sopflow.language.catalog import FlowCatalog, default_catalog
from sopflow.language.model import Flow
from sopflow.store.registry import place_ids
from sopflow.store.store import Store

Clock = Callable[[], datetime]
DEFAULT_TIMEZONE = "Asia/Shanghai"
RETRIES = 5  # times a change without expected_seq is recomputed when another one won the race


def wall_clock() -> datetime:
    return datetime.now(UTC)


class Engine(Corrections, Alerts, Bulk, Sharing):
    """Start, step, time and check cases of any flow, kept in a Store; correct them and hand
    them on (amend, move, assign, merge, cancel: see Corrections)."""

    def __init__(
        self,
        store: Store,
        *,
        flows: FlowCatalog | None = None,
        clock: Clock = wall_clock,
        timezone: str = DEFAULT_TIMEZONE,
        basis_is_day_zero: bool = True,
        on_hook_error: HookErrorHandler = log_hook_error,
    ) -> None:
        """`clock`: the time now, as an aware datetime (a naive one is read as `timezone`).
        `basis_is_day_zero`: a period counted from a date field (the 14 days from last
        exposure) starts the day after that date; False counts the date itself as day 1.
        `on_hook_error(case, event, error)`: what to do when an on_enter hook raises (by default
        it is logged to the "sopflow" logger); the change it followed stays saved."""
        ArgumentError.check("store", store, Store, "expected.store")
        ArgumentError.check_optional("flows", flows, FlowCatalog, "expected.catalog")
        for name, function in (("clock", clock), ("on_hook_error", on_hook_error)):
            if not callable(function):
                raise ArgumentError.wrong(name, function, "expected.function")
        self.store = store
        self.flows = flows or default_catalog(None)
        self.clock = arguments.checked_clock(clock)
        try:
            self.tz = ZoneInfo(arguments.text("timezone", timezone))
        except (ZoneInfoNotFoundError, ValueError):
            raise LookupFailed("engine.bad_timezone", timezone=timezone) from None
        self.basis_is_day_zero = basis_is_day_zero
        self.on_hook_error = on_hook_error
        self._hooks: list[Registered] = []
        self._steppers: dict[tuple[str, str], Stepper] = {}

    # -- hooks ------------------------------------------------------------------------------------

    def on_enter(self, step: str | None = None, *, flow: str | None = None) -> Callable[[Hook], Hook]:
        """Decorator: call `hook(case, event)` after a case enters `step` (any step if None) of
        `flow` (any flow if None) and the change is saved, e.g. to send an SMS. `case` is the case
        after the whole change (a decision step is entered and left in one change). A hook that
        raises does not undo the change nor stop the other hooks: see `on_hook_error`.

        The flow and step are checked now: a misspelt name would otherwise never fire."""
        flow, step = check_hook_target(
            self.flows, arguments.optional_text("step", step), arguments.optional_text("flow", flow)
        )

        def register(hook: Hook) -> Hook:
            self._hooks.append((flow, step, hook))
            return hook

        return register

    # -- reading ----------------------------------------------------------------------------------

    def case(self, case_id: str) -> Case:
        """The case with its whole history; LookupFailed if there is none."""
        with self.store.reading() as conn:
            return self._get(conn, inputs.lookup_id(arguments.text("case_id", case_id)))

    def stepper_for(self, case: Case) -> Stepper:
        """The rules of the flow version `case` started on (read from the store once)."""
        ArgumentError.check("case", case, Case, "expected.case")
        known = self._steppers.get((case.flow_id, case.flow_digest))
        if known is not None:
            return known
        with self.store.reading() as conn:
            return self._stepper(self.store.flow(conn, case.flow_id, case.flow_digest))

    def offers(self, case_id: str, at: datetime | None = None) -> list[Offer]:
        """What can be done at the case's step now, who may, and what is not available (why)."""
        at = arguments.moment("at", at)
        case = self.case(case_id)
        return self.stepper_for(case).offers(case, self._now(at))

    def cases(self, where: CaseFilter | None = None, /, **filters: Any) -> list[Case]:
        """Cases (without their history), by id, matching `where` and/or the same filters given
        by name: `engine.cases(place="前郭镇", status="active")` (see CaseFilter)."""
        wanted = CaseFilter.given_as(where, filters)
        tidied = replace(
            self._by_name(wanted),
            place=inputs.place(wanted.place),
            worker=inputs.worker(wanted.worker),
            due_before=None if wanted.due_before is None else self._now(wanted.due_before),
            timer_before=None if wanted.timer_before is None else self._now(wanted.timer_before),
        )
        with self.store.reading() as conn:
            return self.store.select(conn, tidied)

    def _by_name(self, wanted: CaseFilter) -> CaseFilter:
        """A filter with the flow, step and role given by id or by name (重点人员管控, 异常发现,
        网格员) as ids; a name that names nothing stays as it is (and matches no case)."""
        flow_id = None if wanted.flow_id is None else self.flows.flow_id(inputs.tidy(wanted.flow_id))
        step = None if wanted.step is None else self._id_of("step", inputs.tidy(wanted.step), flow_id)
        role = None if wanted.role is None else self._id_of("role", inputs.tidy(wanted.role), flow_id)
        return replace(wanted, flow_id=flow_id, step=step, role=role)

    def _id_of(self, kind: str, typed: str, flow_id: str | None) -> str:
        """A step or role of `flow_id` (or of any flow) by id or name."""
        if flow_id is not None and flow_id not in self.flows.ids():
            return typed  # a flow no longer in the catalog: its cases are found by ids only
        return self.flows.names(kind, flow_id).id_of(typed)

    def due(
        self,
        now: datetime | None = None,
        *,
        role: str | None = None,
        place: str | None = None,
        within: timedelta = timedelta(hours=2),
        worker: str | None = None,
    ) -> list[DueItem]:
        """What is overdue or due within `within`: open alerts first (engine/alertwork.py), then
        overdue, then soonest first. `now`: as at this moment (not ahead of the clock; `within`
        looks ahead); `worker`: only of the cases assigned to that worker."""
        now = self._not_ahead(arguments.moment("now", now))
        within = arguments.span("within", within)
        role = arguments.optional_text("role", role)
        role = None if role is None else self._id_of("role", inputs.tidy(role), None)
        place = inputs.place(arguments.optional_text("place", place))
        worker = inputs.worker(arguments.optional_text("worker", worker))
        with self.store.reading() as conn:

            def stepper_of(case: Case) -> Stepper:
                return self._stepper(self.store.flow(conn, case.flow_id, case.flow_digest))

            alerts = [] if worker is not None else self._alert_items(conn, now, role, place)
            wanted = ledger.DueWanted(
                now, within, basis_of(self.tz, self.basis_is_day_zero), role, place, worker
            )
            work = ledger.due(conn, self.store, stepper_of, wanted)
        return sorted(alerts, key=lambda i: (i.due_at, i.case_id)) + work  # open alerts first

    # -- changing ---------------------------------------------------------------------------------

    def start(
        self,
        flow_id: str,
        case_id: str | None = None,
        data: Mapping[str, Any] | None = None,
        *,
        actor: str,
        role: str | None = None,
        at: datetime | None = None,
        place: str | None = None,
        note: str | None = None,
        at_step: str | None = None,
    ) -> Case:
        """Open a case of the current version of `flow_id`; it keeps that version for life.
        `at_step`: an entry step of the flow to start at (by id or label), e.g. a checkpoint
        list starts at verify_register; CaseError case.not_entry names the entry steps.
        `case_id`: the registration number (tidied: full-width digits and spaces at the ends do
        not make another case), or None for a generated one. `at`: when it was done (default now;
        not in the future). CaseError if anything given is wrong; nothing is saved then."""
        flow = self.flows.load(arguments.text("flow_id", flow_id))
        data = arguments.data(data)
        if case_id is None:
            generated = _new_id(flow.id)
            again = partial(
                self.start, actor=actor, role=role, at=at, place=place, note=note, at_step=at_step
            )
            try:
                return again(flow.id, generated, data)
            except CaseError as refused:  # not the id of any case: say 'the new case'
                if refused.params.get("case") == generated:
                    refused.params["case"] = Phrase("case.reason.the_new_one")
                raise
        else:
            case_id = inputs.case_id(arguments.text("case_id", case_id))
            if CHILD_ID.search(case_id):
                raise CaseError("case.child_like_id", value=case_id)
        actor = inputs.actor(arguments.text("actor", actor), case=case_id)
        role = inputs.role(arguments.optional_text("role", role), case=case_id)
        place = inputs.place(arguments.optional_text("place", place), case=case_id)
        note = inputs.note(arguments.optional_text("note", note), case=case_id)
        at_step = None if at_step is None else inputs.tidy(arguments.text("at_step", at_step))
        self._stepper(flow).check_opener(case_id, role, at_step)
        given = self._when(arguments.moment("at", at), case_id)

        def change(work: Work) -> str:
            if self.store.get(work.conn, case_id, history=False) is not None:
                raise CaseError("case.exists", case=case_id)
            stepper = self._stepper(flow)
            at = self._at(given, None)
            result = stepper.start(
                case_id, data, actor=actor, role=role, at=at, place=place, note=note, at_step=at_step
            )
            work.read[case_id] = None
            work.record(result, stepper)
            self._effects(work, result)  # a flow may start a child case at once
            return case_id

        return self._change(change)

    def fire(
        self,
        case_id: str,
        action: str,
        *,
        actor: str,
        role: str | None,
        data: Mapping[str, Any] | None = None,
        note: str | None = None,
        at: datetime | None = None,
        expected_seq: int | None = None,
    ) -> Case:
        """Fire an action (or record a check) on a case; returns the case after it and all that
        followed by itself (decisions, child cases). `at`: when it was done (default now; not in
        the future; before the case's last entry only for a check, engine/late.py). Refusals
        raise CaseError and change nothing; hooks run after the change is saved.

        `expected_seq`: the seq the caller saw; if the case has moved on since, nothing is done and
        ConcurrentChange says so. Without it, a change that loses a race with another is worked
        out again on the case as it now is (and refused if no longer possible there)."""
        case_id = inputs.lookup_id(arguments.text("case_id", case_id))
        action = arguments.text("action", action)
        data = arguments.data(data)
        ArgumentError.check_optional("expected_seq", expected_seq, int, "expected.seq")
        actor = inputs.actor(arguments.text("actor", actor), case=case_id)
        role = inputs.role(arguments.optional_text("role", role), case=case_id)
        note = inputs.note(arguments.optional_text("note", note), case=case_id)
        given = self._when(arguments.moment("at", at), case_id)

        def change(work: Work) -> str:
            case = self._read(work, case_id)
            at = self._at(given, case)
            if expected_seq is not None and case.seq != expected_seq:
                current = self._get(work.conn, case_id)  # with its history, for the caller to see
                if expected_seq > case.seq:  # not a change by someone else: a seq it never had
                    raise CaseError("case.no_such_seq", case=case_id, seq=case.seq, expected=expected_seq)
                raise ConcurrentChange("case.changed", current=current, case=case_id, seq=case.seq)
            stepper = self._stepper(self.store.flow(work.conn, case.flow_id, case.flow_digest))
            if at < case.updated_at and case.active:  # a check entered late (engine/late.py)
                case = work.read[case_id] = work.current[case_id] = self.with_past(
                    work.conn, case, whole=True
                )
                now = inputs.change_time(self._now(None), case.updated_at)
                result = fire_late(
                    stepper, case, action, actor=actor, role=role, data=data, at=at, recorded=now, note=note
                )
            else:
                result = stepper.fire(case, action, actor=actor, role=role, data=data, at=at, note=note)
            work.record(result, stepper)
            self._effects(work, result)
            return case_id

        if expected_seq is not None:
            return self._change(change)
        for _ in range(RETRIES - 1):
            try:
                return self._change(change)
            except ConcurrentChange:
                continue  # someone else's change won; work this one out again on theirs
        return self._change(change)

    def verify(self) -> list[Discrepancy]:
        """Replay every case's history against its flow version; report what differs."""
        now = None if self.store.drill else self._now(None) + inputs.CLOCK_SKEW
        return verify_cases(self.store, self._stepper, now)

    def place_kinds(self, paths: Iterable[str | None]) -> dict[str, str]:
        """The registry's kind of each of `paths` it holds: lists mask a door (privacy.mask_place)."""
        wanted = [path for path in paths if path]
        if not wanted:
            return {}
        with self.store.reading() as conn:
            return {path: kind for path, (_id, kind) in place_ids(conn, wanted).items()}

    # -- the unit of work -------------------------------------------------------------------------

    def _read(self, work: Work, case_id: str) -> Case:
        """A case to change. Its past history is not loaded (stepping rarely needs it, and reading
        it made every change slower as a case grew), except where a rule on the way reads it
        (`missed_checks(…)`, see with_past): the result's history holds this change's events;
        Engine.case() gives all of them."""
        if case_id in work.current:  # changed already in this unit of work
            work.current[case_id] = self.with_past(work.conn, work.current[case_id])
            return work.current[case_id]
        found = work.take(case_id) or self.store.get(work.conn, case_id, history=False, to_change=work.lock)
        if found is None:
            raise LookupFailed("case.unknown", case=case_id)
        case = self.with_past(work.conn, found)
        work.read[case_id] = case
        work.current[case_id] = case
        return case

    def with_past(self, conn: Connection, case: Case, *, whole: bool = False) -> Case:
        """The case with its whole history when a change at its step can evaluate a rule that
        counts its checks (`missed_checks(…)`: the release review) or `whole` is asked (a check
        entered late), else as it is (a reading at home observation does not read a case's
        hundreds of past events)."""
        if case.history and case.history[0].seq == 1:
            return case
        stepper = self._stepper(self.store.flow(conn, case.flow_id, case.flow_digest))
        if not whole and case.step not in stepper.history_steps:
            return case
        stored = case.history[0].seq - 1 if case.history else case.seq  # the rest: this change's
        past = tuple(e for e in self.store.history(conn, case.id) if e.seq <= stored)  # not theirs
        done = past[-1].seq if past else 0
        return with_history(case, past + tuple(e for e in case.history if e.seq > done))

    def _get(self, conn: Connection, case_id: str) -> Case:
        case = self.store.get(conn, case_id)
        if case is None:
            raise LookupFailed("case.unknown", case=case_id)
        return case

    def _effects(self, work: Work, result: Result) -> None:
        """Carry out what a change does to other cases: children, parents, signals."""
        queue = list(result.effects)
        while queue:
            effect = queue.pop(0)
            follow = self._effect(work, effect)
            if follow is not None:
                queue.extend(follow.effects)

    def _effect(self, work: Work, effect: Effect) -> Result | None:
        if isinstance(effect, LeaveShared):
            return self._leave(work, effect)
        if isinstance(effect, StartChild):
            if effect.one_per is not None and (joined := self._start_shared(work, effect)) is not None:
                return joined
            stepper = self._stepper(self.flows.load(effect.flow_id))
            own = None if effect.place is None else inputs.place(effect.place, case=effect.child_id)
            result = stepper.start(
                effect.child_id,
                effect.data,
                actor="system",
                role=None,
                at=effect.at,
                parent_id=effect.parent_id,
                place=own or work.current[effect.parent_id].place,
                at_step=effect.at_step,
                own_place=own is not None,
            )
            work.read[effect.child_id] = None
            work.record(result, stepper)
            return result
        if isinstance(effect, NotifyParent):
            parent = self._read(work, effect.parent_id)
            stepper = self._stepper(self.store.flow(work.conn, parent.flow_id, parent.flow_digest))
            moved = stepper.child_ended(parent, effect.child_id, effect.outcome, effect.at)
            if moved is not None:
                work.record(moved, stepper)
            return moved
        return self._signal(work, effect)

    def _stepper(self, flow: Flow) -> Stepper:
        key = (flow.id, flow.digest)
        if key not in self._steppers:
            self._steppers[key] = Stepper(flow, self.tz, day_zero=self.basis_is_day_zero)
        return self._steppers[key]

    def _now(self, at: datetime | None) -> datetime:
        """A moment to look at (now by default), in UTC; a naive time is the engine's local time."""
        return inputs.as_utc(at or self.clock(), self.tz)

    def _not_ahead(self, at: datetime | None) -> datetime:
        """A moment to run timers or list work at (now by default), in UTC (inputs.not_ahead)."""
        now = self._now(None)
        return inputs.not_ahead(now if at is None else self._now(at), now, self.tz, drill=self.store.drill)

    def _when(self, at: datetime | None, case_id: str) -> datetime | None:
        """When something was done, in UTC, if the caller says (not in the future); None: now."""
        return None if at is None else inputs.moment(at, self.tz, self._now(None), case=case_id)

    def _at(self, given: datetime | None, case: Case | None) -> datetime:
        """The time of a change: as given, or now, read once the change holds the case (the write
        lock), so that a change that waited for another is not dated before it (inputs.change_time)."""
        last = case.updated_at if case is not None else None
        return given if given is not None else inputs.change_time(self._now(None), last)


def _new_id(flow_id: str) -> str:
    """A short id people can read out on the phone: the flow's initials and 8 random characters."""
    initials = "".join(part[0] for part in flow_id.split("_")).upper()
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
    return f"{initials}-{''.join(secrets.choice(alphabet) for _ in range(8))}"


__all__ = ["Clock", "Engine", "Hook", "HookErrorHandler", "log_hook_error", "wall_clock"]
