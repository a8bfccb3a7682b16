"""The simulation's own book of its cases (bench/county.py): for every case it opened or saw a
flow open, the step it put it in and when, what it recorded, each check reading, and every step
it entered. From this book alone, never from the store, it counts what the daily report should
say: who stands where at the cut-off, what was entered in the day (or in 14 days), what is
overdue and for which role, and how many checks each case missed.

When a check falls due and when one is missed is worked out here from the rules that
docs/flow-format.md states ("When a check is owed", "How a check is counted"), on purpose
without the engine's code for it (sopflow/engine/slots.py, sopflow/cases/checklog.py): the point
is a second count to hold sopflow's against. What it reads from the flow is only what the flow
declares: each step's checks (`every`, `at` with `window`, `once` with `within`, `when`),
deadlines and timers. The columns it counts come from the daily report's own settings file
(sopflow/settings/daily_report.yaml), which says which flows and steps each column counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from sopflow.language.guardeval import GuardRuntimeError
from sopflow.language.model import Check, Flow, Guard, Step, StepKind

TZ = ZoneInfo("Asia/Shanghai")
KPC, SUPPLY, REQUEST, SWEEP = "key_person_control", "home_isolation_supply", "supply_request", "three_check"
OCCUPANT = "occupant_check"  # one case per person seen at a sweep's visit
SITE = "centralized_isolation"
SETTINGS = Path(__file__).parents[1] / "sopflow" / "settings" / "daily_report.yaml"
DAY = timedelta(days=1)


def local_time(text: str) -> time:
    hours, minutes = str(text).split(":")[:2]
    return time(int(hours), int(minutes))


def slots_from(check: Check, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
    """(window opens, window closes) of each slot of an `at:` check, in order, from the day
    before `moment`'s local day on: one slot a day per time, `window` either side of it."""
    day = moment.astimezone(TZ).date() - DAY
    while True:
        for text in check.at:
            at = datetime.combine(day, local_time(text), TZ)
            yield at - check.window, at + check.window
        day += DAY


@dataclass
class Shadow:
    """One case as the simulation knows it."""

    id: str
    flow: Flow
    town: str  # the report's row it falls in
    door: str
    started_at: datetime
    step: str
    entered_at: datetime
    last_at: datetime
    dates: dict[str, date] = field(default_factory=dict)  # date fields timers count from
    data: dict[str, Any] = field(default_factory=dict)  # what the simulation recorded on it
    data_log: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)  # (from when, data)
    last_checks: dict[str, datetime] = field(default_factory=dict)  # readings at this visit of the step
    readings: list[tuple[datetime, str]] = field(default_factory=list)  # (when, check), every one
    entries: list[tuple[datetime, str]] = field(default_factory=list)  # (when, step entered)
    extra: dict[str, object] = field(default_factory=dict)  # what the simulation keeps for itself

    @property
    def active(self) -> bool:
        return self.flow.steps[self.step].kind is not StepKind.END

    @property
    def params(self) -> Mapping[str, Any]:
        return {p.id: p.value for p in self.flow.params.values()}

    def move(self, step: str, at: datetime) -> None:
        self.last_at = at
        if step != self.step:
            self.step, self.entered_at, self.last_checks = step, at, {}
            self.entries.append((at, step))

    def record(self, data: Mapping[str, Any], at: datetime) -> None:
        self.data.update({k: v for k, v in data.items() if v is not None})
        if data:
            self.data_log.append((at, dict(self.data)))

    def data_at(self, moment: datetime) -> Mapping[str, Any]:
        found: Mapping[str, Any] = {}
        for at, data in self.data_log:
            if at > moment:
                break
            found = data
        return found

    def checked(self, check: str, at: datetime) -> None:
        self.last_checks[check] = at
        self.readings.append((at, check))
        self.last_at = max(self.last_at, at)

    def step_at(self, moment: datetime) -> str | None:
        """The step it stood at at `moment` (None: not opened yet)."""
        if self.started_at > moment:
            return None
        found = self.flow.start
        for at, step in self.entries:
            if at > moment:
                break
            found = step
        return found

    def visits(self, step: str) -> int:
        return sum(1 for _, entered in self.entries if entered == step)

    def timers_due(self) -> list[tuple[datetime, str]]:
        """(when, step) of each timer of the current step."""
        due = []
        for timer in self.flow.steps[self.step].timers:
            if timer.from_field is None:
                due.append((self.entered_at + timer.after, timer.to))
            elif timer.from_field in self.dates:
                start = datetime.combine(self.dates[timer.from_field] + DAY, time(0), TZ)  # day 0 is the date
                due.append((start.astimezone(UTC) + timer.after, timer.to))
        return due

    # -- when checks fall due ----------------------------------------------------------------------

    def owed(self, check: Check, moment: datetime | None = None) -> bool:
        """A check with `when:` is owed only while its guard holds on the case's data (now, or
        as it stood at `moment`); one that cannot be worked out counts as owed."""
        if check.when is None:
            return True
        return self._holds(check.when, self.data if moment is None else self.data_at(moment))

    def _holds(self, guard: Guard, data: Mapping[str, Any]) -> bool:
        try:
            return guard.holds(data, self.params, self.entered_at)
        except GuardRuntimeError:
            return True

    def owed_since(self, check: Check, step: Step) -> datetime:
        """From entering the step; a check owed only under `when:` from the last reading at this
        step of another check that records a field its guard reads, if later."""
        since = self.entered_at
        if check.when is None:
            return since
        for other in step.checks:
            recorded = self.last_checks.get(other.name)
            if other is not check and recorded and check.when.names & {*other.requires, *other.accepts}:
                since = max(since, recorded)
        return since

    def check_due(self, check: Check) -> datetime | None:
        """When the current step's `check` is next due; None when it is not owed now."""
        step = self.flow.steps[self.step]
        if not self.owed(check):
            return None
        last = self.last_checks.get(check.name)
        if check.once:  # done once the case holds what it records (or, recording nothing, once recorded)
            if all(self.data.get(f) is not None for f in check.requires) and (check.requires or last):
                return None
            return self.owed_since(check, step) + (check.within or timedelta(0))
        if check.at:  # the first slot whose window opens after the last reading, or at/after owed
            since = last or self.owed_since(check, step)
            for opens, closes in slots_from(check, since):
                if opens > since or (opens == since and last is None):
                    return closes
        if check.every is not None:
            return (last or self.entered_at) + check.every
        return None

    def checks_due(self) -> dict[str, datetime]:
        if not self.active:
            return {}
        found = {c.name: self.check_due(c) for c in self.flow.steps[self.step].checks}
        return {name: when for name, when in found.items() if when is not None}

    def first_due(self) -> datetime | None:
        """The earliest of the current step's deadline, its checks and its timers."""
        if not self.active:
            return None
        step = self.flow.steps[self.step]
        times = [when for when, _ in self.timers_due()]
        if step.deadline is not None:
            times.append(self.entered_at + step.deadline)
        times += self.checks_due().values()
        return min(times, default=None)

    # -- missed checks -----------------------------------------------------------------------------

    def stretches(self, now: datetime) -> Iterator[tuple[Step, datetime, datetime]]:
        """(step, entered, left) of each stay at a step, the last one up to `now`."""
        for index, (start, name) in enumerate(self.entries):
            end = self.entries[index + 1][0] if index + 1 < len(self.entries) else max(now, start)
            yield self.flow.steps[name], start, end

    def missed(self, name: str, now: datetime) -> int:
        """Times check `name` was owed up to `now` and not recorded, over every stay at a step
        with it: an `at:` slot is owed when the case was at the step as its window opened, and
        missed when the window closed with no reading in it; an `every:` check misses each
        interval that passed with no reading (a late reading settles the one owed then). A slot
        of a check with `when:` is owed only if the guard held on the data as its window opened."""
        times = sorted(at for at, check in self.readings if check == name)
        missed = 0
        for step, start, end in self.stretches(now):
            for check in step.checks:
                if check.name != name:
                    continue
                if check.at:
                    for opens, closes in slots_from(check, start):
                        if closes > end:
                            break
                        owed = opens >= start and self.owed(check, opens)
                        if owed and not any(opens <= t <= closes for t in times):
                            missed += 1
                elif check.every is not None:
                    previous = start
                    for moment in (t for t in times if start <= t <= end):
                        missed += max(0, (moment - previous) // check.every - 1)
                        previous = moment
                    missed += (end - previous) // check.every
        return missed


@dataclass(frozen=True)
class Column:
    """One column of the daily report, as its settings file states it."""

    id: str
    now: Mapping[str, Any]  # flow -> steps, or "*"
    entered: Mapping[str, list[str]]
    within: timedelta
    started: tuple[str, ...]
    overdue: tuple[str, ...] | None  # flows, ("*",) for all
    by_role: bool


def report_columns(path: Path = SETTINGS) -> list[Column]:
    """The daily report's columns from its settings file (durations as `14d`, `24h`)."""
    units = {"d": "days", "h": "hours", "m": "minutes"}
    columns = []
    for raw in yaml.safe_load(path.read_text(encoding="utf-8"))["columns"]:
        within = str(raw.get("within", "1d"))
        overdue = raw.get("overdue")
        columns.append(
            Column(
                raw["id"],
                raw.get("now") or {},
                raw.get("entered") or {},
                timedelta(**{units[within[-1]]: int(within[:-1])}),
                tuple(raw.get("started") or ()),
                None if overdue is None else ("*",) if overdue == "*" else tuple(overdue),
                bool(raw.get("by_role")),
            )
        )
    return columns


class Book:
    """Every case the simulation knows, and the report's counts made from them."""

    def __init__(self) -> None:
        self.cases: dict[str, Shadow] = {}
        self.columns = report_columns()

    def add(self, case: Shadow) -> Shadow:
        self.cases[case.id] = case
        case.entries.append((case.started_at, case.step))
        return case

    def at_step(self, flow: str, *steps: str) -> list[Shadow]:
        return [c for c in self.cases.values() if c.flow.id == flow and c.step in steps]

    def counts(self, cutoff: datetime, now: datetime | None) -> dict[str, Counter[str]]:
        """Town -> column -> number, as the daily report counts at `cutoff` (overdue work only
        when `now` is given: the report counts it for today's cut-off only)."""
        rows: dict[str, Counter[str]] = {}
        for case in self.cases.values():
            row = rows.setdefault(case.town, Counter())
            due = case.first_due() if now is not None else None
            late = due is not None and now is not None and due <= now
            standing = case.step_at(cutoff)
            for column in self.columns:
                row[column.id] += self._count(column, case, standing, cutoff)
                if late and column.overdue is not None and {"*", case.flow.id} & set(column.overdue):
                    row[column.id] += 1
                    if column.by_role:
                        row[f"{column.id}:{case.flow.steps[case.step].role}"] += 1
        return rows

    @staticmethod
    def _count(column: Column, case: Shadow, standing: str | None, cutoff: datetime) -> int:
        number = 0
        flow = case.flow.id
        steps = column.now.get(flow)
        if standing is not None and steps is not None:
            if steps == "*":
                number += case.flow.steps[standing].kind is not StepKind.END
            else:
                number += standing in steps
        if flow in column.started and cutoff - DAY <= case.started_at < cutoff:
            number += 1
        wanted = column.entered.get(flow, ())
        if wanted:
            number += sum(
                1 for at, step in case.entries[1:] if step in wanted and cutoff - column.within <= at < cutoff
            )
        return number
