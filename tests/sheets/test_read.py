"""Reading a workbook as staff leave it: a sheet of instructions before the data is named, with
the sheets there are, not only 'no header'."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from sopflow.errors import LookupFailed
from sopflow.sheets.read import open_sheet


def _book(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_a_sheet_of_instructions_first_is_named_with_the_sheets_there_are(tmp_path: Path) -> None:
    file = _book(
        tmp_path / "人员.xlsx",
        {
            "说明": [["请在“人员”表中填写"], ["身份证号请设为文本"]],
            "人员": [["姓名", "身份证号"], ["张三", "x"]],
        },
    )
    with pytest.raises(LookupFailed) as refused:
        open_sheet(file)
    said = refused.value.message("zh")
    assert "第一个工作表“说明”里没有表头行" in said and "（人员）拖到最前面" in said
    assert "'说明', has no header row" in refused.value.message("en")


def test_a_workbook_of_one_sheet_without_a_header_says_so(tmp_path: Path) -> None:
    file = _book(tmp_path / "one.xlsx", {"Sheet": [["只有一列"], ["没有表头"]]})
    with pytest.raises(LookupFailed) as refused:
        open_sheet(file)
    assert refused.value.code == "spreadsheet.no_header"


def test_the_data_on_the_first_sheet_is_read_whatever_comes_after(tmp_path: Path) -> None:
    file = _book(tmp_path / "ok.xlsx", {"人员": [["姓名", "身份证号"], ["张三", "x"]], "说明": [["备注"]]})
    sheet = open_sheet(file)
    assert sheet.header == ["姓名", "身份证号"]
    assert list(sheet.rows(None)) == [(2, ["张三", "x"])]
