"""Sheets staff open in Excel or WPS: text never becomes a formula; a frozen header; widths that fit
Chinese text; CSV with a BOM."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl

from sopflow.sheets.read import open_sheet
from sopflow.sheets.write import display_width, write_rows

ROWS = [['=HYPERLINK("http://x","点我")', "前郭县前郭镇东风社区幸福小区", "+86 138"], ["-1", "@SUM(A1)", 3]]


def test_xlsx_text_stays_text_with_a_frozen_header_and_fitting_widths(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    assert write_rows(path, ["公式", "住址", "电话"], ROWS) == 2
    sheet = openpyxl.load_workbook(path).worksheets[0]
    first = sheet["A2"]
    assert first.value == ROWS[0][0] and first.data_type == "s"
    assert sheet["B3"].data_type == "s" and sheet["C3"].value == 3
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    assert sheet.column_dimensions["B"].width == display_width(ROWS[0][1]) + 2 == 30
    again = open_sheet(path)
    assert next(cells for _, cells in again.rows(None))[0] == ROWS[0][0]


def test_csv_has_a_bom_and_marks_formula_like_text(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    write_rows(path, ["公式", "住址", "电话"], ROWS)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[1] == ["'" + ROWS[0][0], ROWS[0][1], "'+86 138"]
    assert rows[2] == ["-1", "'@SUM(A1)", "3"]  # a number is a number
