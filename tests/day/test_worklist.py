"""`sopflow worklist`: a worker's (or a role's) list for the day, overdue first, and the check sheet
in the format `checks import` reads back (docs/checks-sheet.md)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from sopflow.engine.runtime import Engine
from sopflow.engine.worklist import CheckRow, Instruction, WorkItem, Worklist, worklist_view
from sopflow.render.worklist import write_worklist
from tests.day.conftest import Run
from tests.day.county import DOOR_102, home_case, local

DAY = local(2020, 2, 2).date()


@pytest.fixture
def with_wang(county: Engine) -> Engine:
    """K-5 goes into home isolation at 102 on 2 Feb and is given to 王芳."""
    home_case(county, "K-5", DOOR_102, basis="2020-01-28")
    county.assign("K-5", "王芳", actor="乡镇指挥部", role="township_hq")
    return county


def test_a_workers_list_has_her_people_on_the_check_sheet_masked(with_wang: Engine) -> None:
    view = worklist_view(with_wang, DAY, "zh", worker="王芳")
    assert view["who"] == "王芳" and view["items"] == []  # nothing of hers is due by a deadline
    assert [(r["case"], r["name"], r["address"], r["day"]) for r in view["checks"]] == [
        ("K-5", "张**", "幸福小区1号楼1单元1层*", "第5/14天")
    ]
    assert any("7–9点、15–17点各测一次体温" in i["text"] for i in view["instructions"])
    shown = worklist_view(with_wang, DAY, "zh", worker="王芳", show_personal=True)
    assert (shown["checks"][0]["name"], shown["checks"][0]["address"]) == (
        "张三丰",
        "幸福小区1号楼1单元1层102",
    )


def test_a_roles_list_at_a_place_puts_overdue_work_first(with_wang: Engine) -> None:
    view = worklist_view(with_wang, DAY, "zh", role="网格员", place="前郭县/前郭镇")
    cases = [(i["case"], i["overdue"]) for i in view["items"]]
    assert ("K-1.1", True) in cases and ("K-2.1", True) in cases  # supply cases not opened for a day
    assert [overdue for _, overdue in cases] == sorted((o for _, o in cases), reverse=True)
    assert "K-2" not in [c for c, _ in cases]  # the violation check is the police's
    assert view["who"] == "网格员，前郭县/前郭镇"
    assert [r["case"] for r in view["checks"]] == ["K-5"]
    assert worklist_view(with_wang, DAY, "zh", role="网格员")["who"] == "网格员"  # no stray comma


def test_the_xlsx_is_the_check_sheet(with_wang: Engine, sopflow: Run, tmp_path: Path) -> None:
    result = sopflow("worklist", "--worker", "王芳", "--date", "2020-02-02", "-o", str(tmp_path / "w.xlsx"))
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(tmp_path / "w.xlsx").active
    assert sheet is not None and sheet.freeze_panes == "A2"
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["案件编号", "姓名", "住址", "日期", "时段", "时间", "体温", "症状", "记录人"]
    assert [r[:5] for r in rows[1:]] == [
        ["K-5", "张**", "幸福小区1号楼1单元1层*", "2020-02-02", "上午"],
        ["K-5", "张**", "幸福小区1号楼1单元1层*", "2020-02-02", "下午"],
    ]
    assert all(value in (None, "") for row in rows[1:] for value in row[5:])


def test_whose_list_must_be_said(sopflow: Run, tmp_path: Path) -> None:
    neither = sopflow("worklist", "-o", str(tmp_path / "w.pdf"))
    assert neither.exit_code == 2 and "--worker" in neither.output
    wrong = sopflow("worklist", "--worker", "王芳", "-o", str(tmp_path / "w.docx"))
    assert wrong.exit_code == 2
    said = "'-o' 的值无效：w.docx：不能写成这种文件 — 文件名请以下列之一结尾：.pdf、.html、.xlsx"
    assert said in wrong.output
    assert "-f" not in wrong.output  # the format came from the file's name, not from an -f typed
    typo = sopflow("worklist", "--role", "网格", "-o", str(tmp_path / "w.pdf"))
    assert typo.exit_code == 1 and not (tmp_path / "w.pdf").exists()  # not an empty list
    assert "没有角色 '网格' — 是否应为 '网格员 grid_worker'？" in typo.output


@pytest.mark.needs_chromium
@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs chromium")
def test_the_pdf_is_one_a4_page_with_chinese_text(with_wang: Engine, sopflow: Run, tmp_path: Path) -> None:
    result = sopflow("worklist", "--worker", "王芳", "--date", "2020-02-02", "-o", str(tmp_path / "w.pdf"))
    assert result.exit_code == 0, result.output
    info = subprocess.run(["pdfinfo", str(tmp_path / "w.pdf")], capture_output=True, text=True, check=True)
    assert "Pages:           1" in info.stdout and "594.96 x 841.92" in info.stdout
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "w.pdf"), "-"], capture_output=True, text=True, check=True
    )
    assert "工作清单" in text.stdout and "K-5" in text.stdout and "张三丰" not in text.stdout


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.needs_chromium
@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs chromium")
def test_a_grid_of_forty_people_prints_on_one_a4_page_with_its_fonts(tmp_path: Path) -> None:
    """The typical grid: 40 people under checks, a few items of work, the instructions."""
    item = WorkItem(
        case="QG-0001",
        due_at="02-05 16:00",
        overdue=True,
        name="张**",
        address="幸福小区1号楼1单元1层*",
        step="违规核查",
        roles="社区民警",
    )
    row = CheckRow(
        case="QG-0001",
        name="欧阳**",
        address="幸福小区12号楼2单元18层*",
        step="居家医学观察",
        overdue=False,
        day="第12/14天",
    )
    view = Worklist(
        title="工作清单",
        who="王芳",
        date="2020-02-05",
        printed="2020-02-05 16:30",
        masked=True,
        items=[item] * 4,
        checks=[row] * 40,
        instructions=[Instruction(step="居家医学观察", text="每天早晚各测一次体温。" * 8)] * 2,
    )
    write_worklist(view, "pdf", tmp_path / "w.pdf", "zh")
    info = subprocess.run(["pdfinfo", str(tmp_path / "w.pdf")], capture_output=True, text=True, check=True)
    assert "Pages:           1" in info.stdout
    fonts = subprocess.run(["pdffonts", str(tmp_path / "w.pdf")], capture_output=True, text=True, check=True)
    assert all(" yes " in line for line in fonts.stdout.splitlines()[2:])  # every font embedded
    assert pdf_text(tmp_path / "w.pdf").count("QG-0001") == 44
