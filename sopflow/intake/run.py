"""Importing a file in two passes: every row checked first (nothing written if any is bad, unless
the bad rows go to a reject file), then the good rows written in batches of one transaction each,
the file read afresh each time so that a file of any length fits in memory."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.engine import Connection

from sopflow.i18n import say
from sopflow.intake.columns import PROBLEM, Column, match_header
from sopflow.intake.problems import RowProblem, RowsRefused
from sopflow.sheets.read import Progress, Row, Sheet, Unreadable, open_sheet
from sopflow.sheets.write import write_rows
from sopflow.store.store import Store

BATCH = 2000
Checked = TypeVar("Checked")


@dataclass
class Counts:
    """What an import did, row by row."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def add(self, other: Counts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejected += other.rejected


@dataclass
class Line:
    """One data row: its number and its cells by column id (only the columns the file has)."""

    number: int
    values: dict[str, str]
    cells: list[str] = field(default_factory=list)  # as read, for a reject file

    def get(self, column: str) -> str:
        return self.values.get(column, "").strip()


class Intake(Protocol, Generic[Checked]):
    """What one kind of import does with rows. `check` reads the store (a place named, a case
    already there) and returns, for each line, what to write or its problems; it keeps what it
    needs to compare rows of the file with each other until `begin` starts a new pass (and tells
    it each column's header as the file has it, to name in problems). `write` writes checked rows
    in the caller's transaction; `committed` follows each batch's commit."""

    def columns(self) -> Sequence[Column]: ...

    def begin(self, headers: dict[str, str]) -> None: ...

    def check(self, conn: Connection, lines: Sequence[Line]) -> list[Checked | list[RowProblem]]: ...

    def write(self, conn: Connection, checked: Sequence[Checked]) -> Counts: ...

    def committed(self) -> None:
        """After each batch's transaction commits: what may only follow a commit (hooks)."""


@dataclass
class Outcome:
    file: str
    counts: Counts
    problems: list[RowProblem]
    reject_file: Path | None


def run_import(
    store: Store,
    intake: Intake[Any],
    path: Path,
    *,
    lang: str,
    reject_file: Path | None = None,
    progress: Callable[[int, str], Progress] | None = None,
    batch: int = BATCH,
) -> Outcome:
    """Import `path`: all or nothing, unless `reject_file` is given (then the good rows are
    imported and the bad ones written there, with a problem column, to fix and import again).
    `progress(total, label)` makes a callback told how far each pass got."""
    sheet = open_sheet(path)
    positions, header_problems = match_header(sheet.header, intake.columns(), sheet.header_row)
    if header_problems:
        raise RowsRefused(path.name, header_problems, 0)
    headers = {column_id: sheet.header[i] for i, column_id in positions.items()}
    intake.begin(headers)
    problems: list[RowProblem] = []
    bad_rows: dict[int, list[str]] = {}
    tell = progress(sheet.size, say("intake.checking", lang, file=path.name)) if progress else None
    for lines in _batches(sheet, positions, tell, batch):
        with store.reading() as conn:
            for line, result in zip(lines, intake.check(conn, lines), strict=True):
                if isinstance(result, list):
                    problems += result
                    bad_rows[line.number] = line.cells
    if problems and reject_file is None:
        raise RowsRefused(path.name, problems, len(bad_rows))
    if reject_file is not None:
        _write_rejects(reject_file, sheet, positions, bad_rows, problems, lang)
    counts = Counts(rejected=len(bad_rows))
    intake.begin(headers)
    tell = progress(sheet.size, say("intake.writing", lang, file=path.name)) if progress else None
    late: list[RowProblem] = []
    for lines in _batches(sheet, positions, tell, batch):
        good = [line for line in lines if line.number not in bad_rows]
        if not good:
            continue
        with store.writing() as conn:
            results = intake.check(conn, good)
            late += [p for r in results if isinstance(r, list) for p in r]  # changed since pass one
            counts.rejected += sum(1 for r in results if isinstance(r, list))
            counts.add(intake.write(conn, [r for r in results if not isinstance(r, list)]))
        intake.committed()
    return Outcome(path.name, counts, problems + late, reject_file)


def _batches(
    sheet: Sheet, positions: dict[int, str], tell: Progress | None, size: int
) -> Iterator[list[Line]]:
    rows = sheet.rows(tell)
    read = [(i, column) for i, column in positions.items() if column != PROBLEM]
    while chunk := list(islice(rows, size)):
        yield [_line(row, read) for row in chunk]


def _line(row: Row, read: list[tuple[int, str]]) -> Line:
    number, cells = row
    count = len(cells)
    return Line(number, {column: cells[i] if i < count else "" for i, column in read}, cells)


def unreadable(line: Line, headers: dict[str, str]) -> list[RowProblem]:
    """Problems for cells the file itself spoiled (an ID number Excel kept as a number, a formula)."""
    if set(map(type, line.values.values())) <= {str}:  # at C speed: no cell is an Unreadable
        return []
    return [
        RowProblem(line.number, headers.get(column, column), value.code, {"value": _short(value)})
        for column, value in line.values.items()
        if isinstance(value, Unreadable)
    ]


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _write_rejects(  # noqa: PLR0917 - one call, from run_import
    path: Path,
    sheet: Sheet,
    positions: dict[int, str],
    bad_rows: dict[int, list[str]],
    problems: list[RowProblem],
    lang: str,
) -> None:
    """The bad rows as they were, with their problems in a last column (one it replaces if the
    file came from a reject file already), so that staff fix them and import that file."""
    kept = [i for i in range(len(sheet.header)) if positions.get(i) != PROBLEM]
    header = [sheet.header[i] for i in kept] + [say("column.problem", lang)]
    by_row: dict[int, list[str]] = {}
    for problem in problems:
        by_row.setdefault(problem.row, []).append(
            problem.what(lang) if problem.column is None else f"{problem.column}: {problem.what(lang)}"
        )
    rows = (
        [cells[i] if i < len(cells) else "" for i in kept] + ["; ".join(by_row.get(number, []))]
        for number, cells in sorted(bad_rows.items())
    )
    write_rows(path, header, rows)
