"""Writing rows to XLSX or CSV for staff to open in Excel or WPS: a bold header row that stays in
view, columns wide enough for Chinese text, and no cell that Excel would run as a formula."""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import chain, islice
from pathlib import Path
from typing import Any

from wcwidth import wcwidth

from sopflow.errors import LookupFailed

SAMPLE = 1000  # rows looked at for column widths (a write-only sheet takes them before any row)
MAX_WIDTH = 60
FORMULA_START = ("=", "+", "-", "@")


def write_rows(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write a sheet (.xlsx or .csv, by the file's suffix); returns the number of rows written."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _xlsx(path, header, rows)
    if suffix == ".csv":
        return _csv(path, header, rows)
    raise LookupFailed("spreadsheet.kind", file=str(path), suffix=suffix or "-")


def display_width(text: str) -> int:
    """Columns the text takes (wcwidth): a Chinese character or full-width form takes two, a
    combining mark none; a character wcwidth cannot size (a control) counts as one."""
    return sum(max(wcwidth(c), 1) if not unicodedata.combining(c) else 0 for c in text)


def _xlsx(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    from openpyxl import Workbook  # noqa: PLC0415 - loaded by commands that write a workbook only
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    source = iter(rows)
    sample = list(islice(source, SAMPLE))
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.freeze_panes = "A2"
    for index, title in enumerate(header):
        widest = max([display_width(str(title)), *(display_width(_text(r[index])) for r in sample)])
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(widest + 2, MAX_WIDTH)
    bold = Font(bold=True)

    def cell(value: object, *, heading: bool = False) -> Any:
        kept = value if isinstance(value, int | float | datetime) else _text(value)
        written = WriteOnlyCell(sheet, value=kept)
        if isinstance(value, str):
            written.data_type = "s"  # text stays text: '=HYPERLINK(...)' is not a formula
        if heading:
            written.font = bold
        return written

    sheet.append([cell(title, heading=True) for title in header])
    count = 0
    for row in chain(sample, source):
        sheet.append([cell(value) for value in row])
        count += 1
    book.save(path)
    return count


def _csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """UTF-8 with a BOM, which Excel needs to read it as UTF-8. CSV has no text type: a text that
    Excel would take for a formula gets a leading apostrophe, Excel's own mark for text."""
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow([_csv_text(h) for h in header])
        for row in rows:
            writer.writerow([_csv_text(value) for value in row])
            count += 1
    return count


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _csv_text(value: object) -> str:
    text = _text(value)
    if isinstance(value, str) and text.startswith(FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
