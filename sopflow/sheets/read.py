"""Reading a CSV or XLSX file row by row, without holding it in memory: a header row, then each
row's cells as text, numbered as the spreadsheet numbers them."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any, NoReturn

from sopflow.errors import LookupFailed
from sopflow.i18n import listing

Row = tuple[int, list[str]]  # the spreadsheet's row number (the header is row 1 or below) and cells
Progress = Callable[[int], None]  # told how much more of the file was read (bytes or rows)
CHUNK = 1 << 20
EXCEL_DIGITS = 15  # Excel keeps 15 significant digits of a number: an ID number typed as one is lost


class Unreadable(str):
    """A cell whose value cannot be trusted as text (an 18-digit ID number Excel stored as a
    number, its last digits lost): the text is what is left, `code` says why."""

    code = "spreadsheet.lost_digits"


class Formula(Unreadable):
    """A cell holding a formula (`=HYPERLINK(...)`): its text, not a value staff typed. Its value
    is not taken even when Excel saved one: it may be stale, or come from another sheet or file."""

    code = "spreadsheet.formula"


@dataclass
class Sheet:
    """A file's header row (its cells, tidied of spaces) and a way to read its rows afresh; `size`
    is how much `progress` will be told in all (bytes of a CSV, rows of an XLSX; 0 if unknown)."""

    path: Path
    header: list[str]
    header_row: int
    size: int
    rows: Callable[[Progress | None], Iterator[Row]]


def open_sheet(path: Path) -> Sheet:
    """The sheet in `path` (.csv, or .xlsx: its first worksheet). Leading rows with fewer than two
    cells filled (a title above the table) are skipped; empty rows are skipped, keeping numbers."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise LookupFailed("spreadsheet.missing", file=str(path))
    if suffix == ".csv":
        return _csv_sheet(path)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_sheet(path)
    raise LookupFailed("spreadsheet.kind", file=str(path), suffix=suffix or "-")


def _header(rows: Iterator[Row], path: Path) -> tuple[int, list[str]]:
    for number, cells in rows:
        if sum(1 for c in cells if c.strip()) >= 2:
            return number, [c.strip() for c in cells]
    raise LookupFailed("spreadsheet.no_header", file=str(path))


# -- CSV ------------------------------------------------------------------------------------------


def csv_encoding(path: Path) -> str:
    """UTF-8 (a BOM is dropped) if the whole file is UTF-8, else GB18030 (what Excel and WPS in
    China save as "CSV"; GBK and GB2312 are parts of it). A file that is neither (two encodings
    mixed, or another one) is refused with the line of the first bad byte. UTF-8 first: Chinese
    text in GB18030 is almost never valid UTF-8, but UTF-8 text often is valid GB18030."""
    failures = []
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        lines = 1
        try:
            with path.open("rb") as file:
                while chunk := file.read(CHUNK):
                    lines += decoder.decode(chunk).count("\n")
                decoder.decode(b"", final=True)
            if encoding == "gb18030":
                _not_mixed(path)
            return encoding
        except UnicodeDecodeError as error:
            lines += error.object[: error.start].count(b"\n")
            failures.append(lines)
    raise LookupFailed("spreadsheet.encoding", file=str(path), utf8_line=failures[0], gb_line=failures[1])


def _not_mixed(path: Path) -> None:
    """A GB18030 file one of whose lines is UTF-8 (rows pasted in from another file) decodes
    without error as GB18030, into wrong characters: refuse it, naming the line. A line of
    Chinese text in GB18030 is practically never valid UTF-8 as well."""
    with path.open("rb") as file:
        for number, line in enumerate(file, 1):
            if not line.isascii():
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError:
                    continue
                raise LookupFailed("spreadsheet.mixed", file=str(path), line=number)


class _Counting(io.RawIOBase):
    """A binary file that tells `progress` how many bytes each read took."""

    def __init__(self, file: IO[bytes], progress: Progress | None) -> None:
        self.file, self.progress = file, progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.file.read(len(buffer))
        buffer[: len(data)] = data
        if self.progress is not None and data:
            self.progress(len(data))
        return len(data)


def _csv_sheet(path: Path) -> Sheet:
    encoding = csv_encoding(path)

    def rows(progress: Progress | None) -> Iterator[Row]:
        with path.open("rb") as raw:
            counted = io.BufferedReader(_Counting(raw, progress), CHUNK)
            text = io.TextIOWrapper(counted, encoding=encoding, newline="")
            try:
                reader = csv.reader(text)
                for cells in reader:
                    if any(c.strip() for c in cells):
                        yield reader.line_num, cells
            except csv.Error as error:
                raise LookupFailed(
                    "spreadsheet.csv", file=str(path), line=reader.line_num, detail=str(error)
                ) from None

    number, header = _header(rows(None), path)
    return Sheet(path, header, number, path.stat().st_size, lambda progress: _after(rows(progress), number))


def _after(rows: Iterator[Row], header_row: int) -> Iterator[Row]:
    for number, cells in rows:
        if number > header_row:
            yield number, cells


# -- XLSX -----------------------------------------------------------------------------------------


def _xlsx_sheet(path: Path) -> Sheet:
    import openpyxl  # noqa: PLC0415 - only a command that reads a workbook pays for loading it

    def rows(progress: Progress | None) -> Iterator[Row]:
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=False)  # formulas as written
        except Exception as error:  # a damaged or mislabelled file: zipfile, XML and KeyError alike
            raise LookupFailed("spreadsheet.unreadable", file=str(path), detail=str(error)[:200]) from None
        try:
            sheet = book.worksheets[0]
            for number, row in enumerate(sheet.iter_rows(), 1):
                if progress is not None:
                    progress(1)
                cells = [_formula(c.value) if c.data_type == "f" else cell_text(c.value) for c in row]
                if any(c.strip() for c in cells):
                    yield number, cells
        finally:
            book.close()

    try:
        number, header = _header(rows(None), path)
    except LookupFailed as refused:
        _refuse_first_sheet(path, refused)
    return Sheet(path, header, number, _xlsx_rows(path), lambda progress: _after(rows(progress), number))


def _refuse_first_sheet(path: Path, refused: LookupFailed) -> NoReturn:
    """A workbook whose first sheet is not the table (a sheet of instructions, 说明, before the
    data): say which sheet was read and which others there are, not only 'no header'."""
    import openpyxl  # noqa: PLC0415

    if refused.code != "spreadsheet.no_header":
        raise refused
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        names = list(book.sheetnames)
    finally:
        book.close()
    if len(names) < 2:
        raise refused
    raise LookupFailed(
        "spreadsheet.no_header_first", file=str(path), sheet=names[0], others=listing(names[1:])
    )


def _xlsx_rows(path: Path) -> int:
    """The rows the sheet says it has (its <dimension>), for the progress bar; 0 if it does not say."""
    import openpyxl  # noqa: PLC0415

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return int(book.worksheets[0].max_row or 0)
    finally:
        book.close()


def _formula(value: object) -> Formula:
    """A formula cell's text (an array formula's too; a data table's has none to show)."""
    text = getattr(value, "text", value)
    return Formula(text if isinstance(text, str) else "=")


def cell_text(value: object) -> str:  # noqa: PLR0911 - one return per kind of cell
    """A cell as the text staff see: whole numbers without '.0', dates as 2020-02-03, times as
    2020-02-03 08:00. A number of more than 15 digits is Unreadable: Excel has already lost its
    last digits (an ID number typed into a cell not formatted as text)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float) and abs(value) >= 10**EXCEL_DIGITS:
        return Unreadable(f"{value:.0f}")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
