"""What is wrong with a row of an imported file, said as staff count rows and name columns, and
the refusal that lists every one of them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sopflow.errors import SopflowError
from sopflow.i18n import default_language, say


@dataclass(frozen=True)
class RowProblem:
    """Row `row` (as the spreadsheet numbers it), column `column` (its header as in the file, or
    None for the row as a whole): a message code and its values."""

    row: int
    column: str | None
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    letter: str | None = None  # a problem of the header row: the column's letter ("": no column)

    def what(self, lang: str) -> str:
        return say(self.code, lang, **self.params)

    def text(self, lang: str) -> str:
        """第 3 行，身份证号：… / row 3, column 身份证号: …; the header's: 表头（第 1 行），L 列“备注”：…"""
        if self.letter is not None:
            if not self.letter or self.column is None:
                return say("intake.at_header", lang, row=self.row, text=self.what(lang))
            return say(
                "intake.at_header_cell",
                lang,
                row=self.row,
                letter=self.letter,
                column=self.column,
                text=self.what(lang),
            )
        if self.column is None:
            return say("intake.at_row", lang, row=self.row, text=self.what(lang))
        return say("intake.at_cell", lang, row=self.row, column=self.column, text=self.what(lang))


class RowsRefused(SopflowError):
    """A file with bad rows (or bad headers): nothing was imported; every problem is listed."""

    def __init__(self, file: str, problems: Sequence[RowProblem], rows: int) -> None:
        self.file, self.problems, self.rows = file, tuple(problems), rows
        super().__init__(self.message("en"))

    def message(self, lang: str | None = None) -> str:
        lang = lang or default_language()
        lines = [problem.text(lang) for problem in self.problems]
        if all(problem.letter is not None for problem in self.problems):  # the header's: no row read
            lines.append(say("import.refused_header", lang, file=self.file))
        else:
            lines.append(say("import.refused", lang, file=self.file, count=self.rows))
        return "\n".join(lines)
