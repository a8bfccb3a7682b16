"""The simulation's own book of its cases (bench/county.py): for every case it opened or saw a
flow open, the step it put it in and when, each check it recorded, and every step it entered.
From this book alone, never from the store, it counts what the daily report should say: who
stands where at the cut-off, what was entered in the day (or in 14 days), what is overdue (from
the flow's stated deadlines, check intervals and timers) and for which role."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sopflow.language.model import Flow, StepKind

TZ = ZoneInfo("Asia/Shanghai")
KPC, SUPPLY, REQUEST, SWEEP = "key_person_control", "home_isolation_supply", "supply_request", "three_check"
HOME = (
    "notice_pledge",
    "care_team",
    "open_supply",
    "install_camera",
    "home_observation",
    "missed_reading",
    "reading_check",
    "observation_extended",
)
SITE_NOW = ("centralized_transfer", "violation_centralize")
DISCREPANCIES = (
    "notify_home_community",
    "residence_registration",
    "locate_registered",
    "roster_correction",
    "identity_verify",
    "landlord_registration",
    "police_escalation",
)
ENTERED = {  # column -> (flow, step entered), counted in the day before the cut-off
    "released": (KPC, "released"),
    "fever": (KPC, "fever_found"),
    "violations": (KPC, "violation_verify"),
    "missed": (KPC, "missed_reading"),
}
SITE_WINDOW = timedelta(days=14)
DAY = timedelta(days=1)


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
    last_checks: dict[str, datetime] = field(default_factory=dict)
    entries: list[tuple[datetime, str]] = field(default_factory=list)  # (when, step entered)
    extra: dict[str, object] = field(default_factory=dict)  # what the simulation keeps for itself

    @property
    def active(self) -> bool:
        return self.flow.steps[self.step].kind is not StepKind.END

    def move(self, step: str, at: datetime) -> None:
        self.last_at = at
        if step != self.step:
            self.step, self.entered_at, self.last_checks = step, at, {}
            self.entries.append((at, step))

    def checked(self, check: str, at: datetime) -> None:
        self.last_checks[check] = at
        self.last_at = at

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

    def first_due(self) -> datetime | None:
        """The earliest of the current step's deadline, its checks and its timers."""
        if not self.active:
            return None
        step = self.flow.steps[self.step]
        times = [when for when, _ in self.timers_due()]
        if step.deadline is not None:
            times.append(self.entered_at + step.deadline)
        times += [self.last_checks.get(c.name, self.entered_at) + c.every for c in step.checks]
        return min(times, default=None)


class Book:
    """Every case the simulation knows, and the report's counts made from them."""

    def __init__(self) -> None:
        self.cases: dict[str, Shadow] = {}

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
            self._standing(case, cutoff, row)
            self._entered(case, cutoff, row)
            if now is not None:
                due = case.first_due()
                if due is not None and due <= now:
                    row["overdue"] += 1
                    row[f"overdue:{case.flow.steps[case.step].role}"] += 1
                    if case.flow.id == REQUEST:
                        row["supply_late"] += 1
        return rows

    @staticmethod
    def _standing(case: Shadow, cutoff: datetime, row: Counter[str]) -> None:
        step = case.step_at(cutoff)
        if step is None:
            return
        flow = case.flow.id
        if flow == KPC and step in HOME:
            row["home"] += 1
        if flow == KPC and step in SITE_NOW:
            row["site"] += 1
        if flow == SWEEP and step in DISCREPANCIES:
            row["discrepancies"] += 1
        if flow == REQUEST and case.flow.steps[step].kind is not StepKind.END:
            row["supply_open"] += 1

    @staticmethod
    def _entered(case: Shadow, cutoff: datetime, row: Counter[str]) -> None:
        if case.flow.id != KPC:
            return
        if cutoff - DAY <= case.started_at < cutoff:
            row["new"] += 1
        for at, step in case.entries[1:]:
            if cutoff - SITE_WINDOW <= at < cutoff and step == "transferred_centralized":
                row["site"] += 1
            if not cutoff - DAY <= at < cutoff:
                continue
            for column, (_, wanted) in ENTERED.items():
                if step == wanted:
                    row[column] += 1
