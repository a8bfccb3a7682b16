"""The one query layer behind `due`, worklists, the daily report and charts with counts: what is
due (read by the indexed next due time), and counts the store makes by place, flow, step and
role (store/tallies.py), rolled up to the report's places and columns. Nothing here loads all
cases to count them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Literal, NamedTuple

from sqlalchemy.engine import Connection

from sopflow.cases.filter import CaseFilter
from sopflow.cases.records import Case
from sopflow.engine.schedule import DueItem, due_items, kept_due
from sopflow.engine.settings import Column
from sopflow.engine.stepper import Stepper
from sopflow.language.model import Flow, StepKind
from sopflow.store.queries import due_rows
from sopflow.store.store import Store
from sopflow.store.tallies import StepCount, active_steps, entries_between, open_alerts, steps_at

OTHER = ""  # the row of cases whose place is none of the report's places
DAY = timedelta(days=1)
Rows = dict[str, Counter[str]]  # place -> column id -> number
FlowOf = Callable[[str], Flow | None]  # a flow by id (None: not in the catalog)


class DueWanted(NamedTuple):
    """What `due` lists: what is owed by `now + within` (of a `role`, at a `place` and below,
    of a `worker`'s cases), as kept on `basis` (schedule.basis_of)."""

    now: datetime
    within: timedelta
    basis: str
    role: str | None = None
    place: str | None = None
    worker: str | None = None


def due(
    conn: Connection, store: Store, stepper_of: Callable[[Case], Stepper], wanted: DueWanted
) -> list[DueItem]:
    """What is overdue or due by `now + within`, overdue first, then soonest first: the cases are
    read by the indexed next due time, a few columns each, with the due list each row keeps; a
    row without one on this basis is read whole and worked out by its flow's rules."""
    now, within, basis, role, place, worker = wanted
    until = now + within
    items: list[DueItem] = []
    for row in due_rows(
        conn, CaseFilter(due_before=until, place=place, worker=worker), sqlite=store.is_sqlite
    ):
        listed = kept_due(row, basis, now)
        if listed is None:
            case = store.get(conn, row[0], history=False)
            listed = [] if case is None else due_items(stepper_of(case), case, now)
        items += [i for i in listed if i.due_at <= until and (role is None or role in i.roles)]
    # overdue is due by now: in time order, the overdue come first
    return sorted(items, key=attrgetter("due_at", "case_id"))


def active_counts(
    conn: Connection, store: Store, now: datetime, *, place: str | None = None, worker: str | None = None
) -> list[StepCount]:
    """Active cases by place, flow, step and role, with how many are overdue at `now`."""
    return active_steps(conn, now, place=place, below=store.below, worker=worker)


def step_totals(counts: Iterable[StepCount]) -> dict[tuple[str, str], tuple[int, int]]:
    """(flow, step) -> (active, overdue), over all places: what `render --counts` draws."""
    totals: dict[tuple[str, str], tuple[int, int]] = {}
    for count in counts:
        active, overdue = totals.get((count.flow_id, count.step), (0, 0))
        totals[count.flow_id, count.step] = (active + count.number, overdue + count.overdue)
    return totals


class Places:
    """The report's places (paths), and which of them a case's place falls in: the deepest one
    it is or lies below. A case given a place without the county's name (前郭镇/东风社区) is
    found in 前郭县/前郭镇/东风社区 too."""

    def __init__(self, paths: Sequence[str]) -> None:
        self.paths = list(paths)
        short = {path.split("/", 1)[1]: path for path in paths if "/" in path}
        self._rows = {**{path: path for path in paths}, **short}  # a path or short form -> its row
        self._known: dict[str | None, str] = {}

    def of(self, place: str | None) -> str:
        """The row of `place`: its longest beginning (whole parts) that is a row's path or short
        form; found by cutting its parts off one by one, not by trying every row."""
        if place in self._known:
            return self._known[place]
        found = OTHER
        if place is not None:
            parts = place.split("/")
            for end in range(len(parts), 0, -1):
                row = self._rows.get("/".join(parts[:end]))
                if row is not None:
                    found = row
                    break
        self._known[place] = found
        return found


@dataclass(frozen=True)
class DayCounts:
    """The report's numbers at one cut-off: per place (OTHER for none of them), per column id
    (and "overdue:<role>" for a column counted by role)."""

    at: datetime
    values: Mapping[str, Counter[str]]
    roles: tuple[str, ...]  # the roles with overdue work, for the by-role columns


@dataclass(frozen=True)
class DayQuery:
    """What a report counts (its columns, by place) and how to read a flow's steps."""

    columns: Sequence[Column]
    places: Places
    flows: FlowOf
    under: str | None = None  # only cases at this place or below it

    def counts(self, conn: Connection, store: Store, at: datetime, *, now: datetime | None) -> DayCounts:
        """The counts at the cut-off `at` (the day is the 24 hours before it). With `now` (the
        cut-off is today's), overdue work and open alerts are counted too: due times are kept
        only as they stand now, so a past day has none of those."""
        values: dict[str, Counter[str]] = {path: Counter() for path in [*self.places.paths, OTHER]}
        self._standing(conn, store, at, values)
        roles: set[str] = set()
        if now is not None:
            roles = self._overdue(conn, store, min(now, at), values)
            alerts = [column.id for column in self.columns if column.alerts]
            for place, number in open_alerts(conn, place=self.under):
                for column_id in alerts:
                    values[self.places.of(place)][column_id] += number
        if not values[OTHER]:
            del values[OTHER]
        return DayCounts(at, values, tuple(sorted(roles)))

    def _standing(
        self, conn: Connection, store: Store, at: datetime, values: dict[str, Counter[str]]
    ) -> None:
        """Cases standing at steps at `at`, and entries (and starts) in each column's window."""
        below, of = store.below, self.places.of
        standing = steps_at(conn, at, place=self.under, below=below, wanted=self._wanted("now"))
        spans = {column.within or DAY for column in self.columns}
        started = {flow_id for column in self.columns for flow_id in column.started}
        wanted = (self._wanted("entered"), started)
        entered = {
            span: entries_between(conn, at - span, at, place=self.under, below=below, wanted=wanted)
            for span in spans
        }
        # Rolled up to the report's rows first: the store counts by each case's own place (a
        # door), thousands of rows for a county, and each column would look at every one
        stood: Counter[tuple[str, str, str]] = Counter()
        for count in standing:
            stood[of(count.place), count.flow_id, count.step] += count.number
        came: dict[timedelta, Counter[tuple[str, str, str, str | None]]] = {}
        for span, entries in entered.items():
            came[span] = Counter()
            for entry in entries:
                came[span][of(entry.place), entry.flow_id, entry.kind, entry.step] += entry.number
        for column in self.columns:
            for (row, flow_id, step), number in stood.items():
                if _takes(column.now, flow_id, step, self.flows):
                    values[row][column.id] += number
            for (row, flow_id, kind, into), number in came[column.within or DAY].items():
                if kind == "start":
                    taken = flow_id in column.started
                else:
                    taken = _takes(column.entered, flow_id, into, self.flows)
                if taken:
                    values[row][column.id] += number

    def _wanted(self, counted: Literal["now", "entered"]) -> dict[str, set[str]]:
        """The steps some column counts the cases standing at (`now`) or entering (`entered`),
        by flow: what `_takes` would take."""
        wanted: dict[str, set[str]] = {}
        for column in self.columns:
            steps_of = getattr(column, counted)
            for flow_id, listed in steps_of.items():
                flow = self.flows(flow_id)
                every = () if flow is None else flow.steps
                steps = every if listed is None else listed
                taken = {step for step in steps if _takes(steps_of, flow_id, step, self.flows)}
                wanted.setdefault(flow_id, set()).update(taken)
        return wanted

    def _overdue(
        self, conn: Connection, store: Store, moment: datetime, values: dict[str, Counter[str]]
    ) -> set[str]:
        """Overdue work at `moment` into the overdue columns (and by role); the roles found."""
        roles: set[str] = set()
        late: Counter[tuple[str, str, str]] = Counter()  # (row, flow, role) -> overdue, as above
        for count in active_steps(conn, moment, place=self.under, below=store.below, overdue_only=True):
            late[self.places.of(count.place), count.flow_id, count.role or "-"] += count.overdue
        for (row_path, flow_id, role), overdue in late.items():
            row = values[row_path]
            for column in self.columns:
                if column.overdue is None or not ("*" in column.overdue or flow_id in column.overdue):
                    continue
                row[column.id] += overdue
                if column.by_role and overdue:
                    row[f"{column.id}:{role}"] += overdue
                    roles.add(role)
        return roles


def _takes(
    wanted: Mapping[str, tuple[str, ...] | None],
    flow_id: str,
    step: str | None,
    flows: FlowOf,
) -> bool:
    """Whether a count of `flow_id` at `step` belongs to a column's steps ("*": any but an end)."""
    if flow_id not in wanted or step is None:
        return False
    steps = wanted[flow_id]
    if steps is not None:
        return step in steps
    flow = flows(flow_id)
    return flow is not None and step in flow.steps and flow.steps[step].kind is not StepKind.END


def under_checks(
    conn: Connection,
    store: Store,
    steps: Sequence[tuple[str, str]],
    *,
    place: str | None = None,
    worker: str | None = None,
) -> list[Case]:
    """Active cases at any of `steps` ((flow, step) pairs: the steps with twice-daily checks), at
    `place` or below it and/or a named worker's, by id: one indexed read per step."""
    found: dict[str, Case] = {}
    for flow_id, step in steps:
        wanted = CaseFilter(flow_id=flow_id, step=step, status="active", place=place, worker=worker)
        found.update({case.id: case for case in store.select(conn, wanted)})
    return [found[key] for key in sorted(found)]
