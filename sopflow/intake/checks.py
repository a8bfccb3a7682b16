"""`sopflow checks import FILE`: a building's or village's twice-daily readings typed into the
checks sheet (docs/registry.md; `worklist -o` writes it), one row per person and time. Each row
is the reading check of the case's step (the check that records 体温), fired at that local time
with the row's values, checked by the flow as `case advance` checks them. A row with a blank 体温
was not filled in: skipped and counted. The same reading imported again is not recorded twice."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.engine import Connection

from sopflow.cases import inputs
from sopflow.cases.records import Case, EventKind
from sopflow.engine.changes import Result
from sopflow.engine.runtime import Engine
from sopflow.engine.work import Work
from sopflow.errors import CaseError, CodedError
from sopflow.intake.columns import Column, column
from sopflow.intake.problems import RowProblem
from sopflow.intake.run import Counts, Line, unreadable

READING = "temperature"  # the field the reading check records; its row is skipped when blank
SYMPTOMS = "symptoms"
SLOTS = {"上午": time(8), "早": time(8), "morning": time(8), "am": time(8)} | {
    "下午": time(16),
    "晚": time(16),
    "evening": time(16),
    "afternoon": time(16),
    "pm": time(16),
}
DATE = re.compile(r"(\d{4})\D{1,2}(\d{1,2})\D{1,2}(\d{1,2})\D?(?:\s.*)?")
TIME = re.compile(r"(\d{1,2})[:：](\d{2})(?:[:：]\d{2})?")
IGNORED = ("name", "address")  # masked, for the worker's eyes: taken and not read


def checks_columns() -> list[Column]:
    return [
        column("case", "案件号", "编号", "case_id", required=True),
        column("name", "名字"),
        column("address", "现住址", "地址"),
        column("date", required=True),
        column("slot", "时段（上午/下午）"),
        column("time"),
        column(READING, "体温（℃）", "体温(℃)"),
        column(SYMPTOMS, "有无症状"),
        column("recorded_by", "测量人", "填报人"),
    ]


@dataclass(frozen=True)
class Reading:
    """A checked row: the case as it was before it, and the reading fired on it (None: the
    same reading is recorded already)."""

    number: int
    case_id: str
    before: Case | None
    result: Result | None
    skipped: bool = False


class ChecksIntake:
    """Rows of readings: new, unchanged (recorded already, the same) or skipped (not filled)."""

    def __init__(self, engine: Engine, *, actor: str, role: str | None) -> None:
        self.engine = engine
        self.actor = inputs.actor(actor)
        self.role = inputs.role(role)
        self.headers: dict[str, str] = {}
        self.current: dict[str, Case] = {}  # each case as the rows so far left it
        self.recorded: dict[str, dict[datetime, Mapping[str, Any]]] = {}
        self.seen: dict[tuple[str, datetime], tuple[int, tuple[str, str]]] = {}
        self.skipped = 0
        self.saved: list[Work] = []  # batches written, not yet committed

    def columns(self) -> Sequence[Column]:
        return checks_columns()

    def begin(self, headers: dict[str, str]) -> None:
        self.headers, self.current, self.recorded, self.seen, self.skipped = headers, {}, {}, {}, 0
        self.saved = []

    def check(self, conn: Connection, lines: Sequence[Line]) -> list[Reading | list[RowProblem]]:
        results: list[Reading | list[RowProblem]] = []
        for line in lines:
            problems = unreadable(line, self.headers)
            reading = None if problems else self._reading(conn, line, problems)
            results.append(problems if problems or reading is None else reading)
        return results

    def _problem(self, line: Line, column: str | None, error: CodedError) -> RowProblem:
        return RowProblem(
            line.number, self.headers.get(column, column) if column else None, error.code, error.params
        )

    def _reading(self, conn: Connection, line: Line, problems: list[RowProblem]) -> Reading | None:
        found = self._case_and_time(conn, line, problems)
        if found is None:
            return None
        case, at = found
        if not line.get(READING):
            self.skipped += 1
            return Reading(line.number, case.id, None, None, skipped=True)
        given = (line.get(READING), line.get(SYMPTOMS) or "无")
        earlier = self.seen.setdefault((case.id, at), (line.number, given))
        if earlier[1] != given:
            problems.append(RowProblem(line.number, None, "checks.differs_in_file", {"row": earlier[0]}))
            return None
        if earlier[0] != line.number:
            return Reading(line.number, case.id, None, None)
        return self._fire(conn, line, case, at, problems)

    def _case_and_time(
        self, conn: Connection, line: Line, problems: list[RowProblem]
    ) -> tuple[Case, datetime] | None:
        """The row's case (as earlier rows left it) and its time in UTC, not in the future."""
        try:
            case_id = inputs.lookup_id(line.get("case"))
            case = self.current.get(case_id) or self.engine.store.get(conn, case_id, history=False)
            if case is None:
                raise CaseError("case.unknown", case=case_id)
            case = self.engine.with_past(conn, case)  # where its rules count checks
        except CodedError as error:
            problems.append(self._problem(line, "case", error))
            return None
        local = self._when(line, problems)
        if local is None:
            return None
        try:  # not in the future, as Engine.fire refuses it
            return case, inputs.moment(local, self.engine.tz, self.engine.now(), case=case_id)
        except CodedError as error:
            problems.append(self._problem(line, "date", error))
            return None

    def _when(self, line: Line, problems: list[RowProblem]) -> datetime | None:
        """The row's local date and time (时间, else the time of 时段)."""
        day = _day(line.get("date"))
        if day is None:
            problems.append(
                RowProblem(line.number, self.headers["date"], "checks.bad_date", {"value": line.get("date")})
            )
            return None
        clock: time | None = None
        if line.get("time"):
            clock = _clock(line.get("time"))
            if clock is None:
                problems.append(
                    RowProblem(
                        line.number, self.headers["time"], "checks.bad_time", {"value": line.get("time")}
                    )
                )
                return None
        elif line.get("slot"):
            clock = SLOTS.get(inputs.tidy(line.get("slot")).casefold())
            if clock is None:
                problems.append(
                    RowProblem(
                        line.number, self.headers["slot"], "checks.bad_slot", {"value": line.get("slot")}
                    )
                )
                return None
        if clock is None:
            problems.append(RowProblem(line.number, None, "checks.no_time", {}))
            return None
        return datetime.combine(day, clock)

    def _fire(
        self, conn: Connection, line: Line, case: Case, at: datetime, problems: list[RowProblem]
    ) -> Reading | None:
        """The reading check of the case's step, fired with the row's values; a reading the case
        has at that time already is the same one (unchanged) or a problem if its values differ."""
        stepper = self.engine.stepper_for(case)
        data = {READING: line.get(READING), SYMPTOMS: line.get(SYMPTOMS) or "无"}
        try:
            recorded = self._recorded(conn, case.id).get(at)
            if recorded is not None:
                values = stepper.entries.parse(case.id, data, allowed=None, at=at)
                if {f: recorded.get(f) for f in values} == values:
                    return Reading(line.number, case.id, None, None)
                local = at.astimezone(self.engine.tz).strftime("%Y-%m-%d %H:%M")
                raise CaseError("checks.differs", case=case.id, at=local)
            check = next((c for c in stepper.flow.steps[case.step].checks if READING in c.requires), None)
            if check is None:
                raise CaseError(
                    "checks.no_reading_here", case=case.id, step=stepper.names.steps.named(case.step)
                )
            actor = inputs.actor(line.get("recorded_by")) if line.get("recorded_by") else self.actor
            result = stepper.fire(case, check.name, actor=actor, role=self.role, data=data, at=at)
        except CodedError as error:
            problems.append(self._problem(line, _column_of(error), error))
            return None
        self.current[case.id] = result.case
        return Reading(line.number, case.id, case, result)

    def _recorded(self, conn: Connection, case_id: str) -> dict[datetime, Mapping[str, Any]]:
        """The readings the case has by time: the values each check entry recorded."""
        if case_id not in self.recorded:
            self.recorded[case_id] = {
                event.at: {field: change[1] for field, change in event.changes.items()}
                for event in self.engine.store.history(conn, case_id)
                if event.kind is EventKind.CHECK and READING in event.changes
            }
        return self.recorded[case_id]

    def write(self, conn: Connection, checked: Sequence[Reading]) -> Counts:
        """The readings in the caller's transaction, each case's in the file's order."""
        counts = Counts()
        work = Work(conn)
        for reading in checked:
            if reading.result is None:
                counts.unchanged += 0 if reading.skipped else 1
                continue
            if reading.case_id not in work.read:
                work.read[reading.case_id] = reading.before
            stepper = self.engine.stepper_for(reading.result.case)
            self.engine.stage(work, reading.result, stepper)  # an escalation may start a child case
            counts.new += 1
        conflicts = self.engine.save_staged(conn, work)
        if conflicts:
            raise CaseError("checks.changed_meanwhile", case=conflicts[0])
        self.saved.append(work)
        return counts

    def committed(self) -> None:
        """The batches written are committed: the hooks of the steps the readings moved to run."""
        for work in self.saved:
            self.engine.after_commit(work)
        self.saved.clear()


def _column_of(error: CodedError) -> str | None:
    """The sheet's column a refusal is about: the reading's fields, else the row as a whole."""
    field = getattr(error.params.get("field"), "id", None)
    return field if field in (READING, SYMPTOMS) else None


def _day(text: str) -> date | None:
    """2020-02-05, 2020/2/5, 2020年2月5日 (an Excel date cell reads as 2020-02-05)."""
    match = DATE.fullmatch(inputs.tidy(text))
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _clock(text: str) -> time | None:
    """08:00, 8:00, 08:00:00 (an Excel time cell)."""
    match = TIME.fullmatch(inputs.tidy(text))
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        return None
    return time(int(match[1]), int(match[2]))
