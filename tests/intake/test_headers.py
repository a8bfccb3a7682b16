"""What an import says about a file's columns and cells it cannot take, for every kind of import
(places, people, a flow's cases, the checks sheet): a column it does not take is refused (nothing
typed is dropped unread) at the header row and the column's letter, with the columns it takes in
the reader's language; a needed column missing is named in the reader's language; a cell holding
a formula is said to be one (not taken for an empty cell), and a reject file keeps the formula's
text as text. On a real SQLite file and on PostgreSQL."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from sopflow.store.tables import people, places
from tests.intake.test_checks_import import HEADER as CHECKS_HEADER
from tests.intake.test_import import PEOPLE, PLACES, Run, write_csv, write_xlsx

FORMULA = '=HYPERLINK("http://x","y")'
OPENER = ("--role", "网格员", "--actor", "王芳")
HEADER_REFUSED = "表头有问题，未读取任何数据行，未导入任何数据 — 请改正表头后重新导入"


def with_column(rows: list[list[str]], title: str, value: str) -> list[list[object]]:
    return [[*rows[0], title], *([*row, value] for row in rows[1:])]


def count(url: str, table: sa.Table) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
    finally:
        engine.dispose()


KINDS = [  # the command, its rows, the column added, its letter, the start of what it takes
    (("places", "import"), PLACES, "备注", "L", "县、乡镇、村、社区、网格、小区、屯、楼、单元、层、户"),
    (
        ("people", "import"),
        PEOPLE,
        "民族",
        "O",
        "姓名、身份证号、联系电话、性别、出生日期、户编号、住址、县、",
    ),
    (
        ("import", "重点人员管控"),
        [["姓名", "联系电话"], ["赵六", "13600003333"]],
        "备注",
        "C",
        "案件编号、地点、线索来源、",
    ),
    (
        ("checks", "import"),
        [CHECKS_HEADER, ["QG-0001"] + [""] * 8],
        "备注",
        "J",
        "案件编号、姓名、住址、日期、时段、",
    ),
]


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind[0][0])
def test_a_column_no_import_takes_is_refused_at_the_header_with_the_columns_it_takes(
    sopflow: Run, tmp_path: Path, store_url: str, kind: tuple[tuple[str, ...], list[list[str]], str, str, str]
) -> None:
    command, rows, title, letter, takes = kind
    file = write_xlsx(tmp_path / "file.xlsx", with_column(rows, title, "x"))
    extra = OPENER if command[0] in ("import", "checks") else ()
    result = sopflow(*command, str(file), *extra, "--lang", "zh")
    assert result.exit_code == 1
    first, last = result.output.splitlines()
    assert first.startswith(
        f"表头（第 1 行），{letter} 列“{title}”：没有这一列 — 请改为本次导入可用的列名，或删去该列"
    )
    assert first.partition("（可用的列：")[2].startswith(takes)
    assert "问题" not in first.partition("可用的列")[2]  # a reject file's column is not offered
    assert last.startswith(f"file.xlsx：{HEADER_REFUSED}")
    assert count(store_url, places) == 0


def test_a_missing_column_is_named_in_the_readers_language(sopflow: Run, tmp_path: Path) -> None:
    nameless = write_csv(tmp_path / "people.csv", [row[1:] for row in PEOPLE])
    said = sopflow("people", "import", str(nameless), "--lang", "zh").output
    assert said.startswith("表头（第 1 行）：文件缺少“姓名”这一列 — 请补上（此列必需）\n")
    assert "Name" not in said
    english = sopflow("people", "import", str(nameless)).output
    assert english.startswith("header (row 1): the file has no 'Name' column — add it (it is needed)\n")
    dateless = write_csv(tmp_path / "checks.csv", [[c for c in CHECKS_HEADER if c != "日期"]])
    said = sopflow("checks", "import", str(dateless), *OPENER, "--lang", "zh").output
    assert said.startswith("表头（第 1 行）：文件缺少“日期”这一列")


def test_a_title_above_the_table_makes_the_header_the_second_row(sopflow: Run, tmp_path: Path) -> None:
    rows: list[list[object]] = [["前郭县地址库"], *with_column(PLACES, "备注", "x")]
    said = sopflow("places", "import", str(write_xlsx(tmp_path / "p.xlsx", rows)), "--lang", "zh").output
    assert said.startswith("表头（第 2 行），L 列“备注”：没有这一列")


def test_a_column_given_twice_names_the_other(sopflow: Run, tmp_path: Path) -> None:
    rows = [["姓名", "联系电话", "手机号"], ["张三", "13812345678", "13812345678"]]
    said = sopflow("people", "import", str(write_csv(tmp_path / "p.csv", rows)), "--lang", "zh").output
    assert said.startswith("表头（第 1 行），C 列“手机号”：与 B 列“联系电话”是同一列 — 请只保留一列\n")


def test_a_formula_is_said_to_be_one_and_kept_as_text_in_the_reject_file(
    sopflow: Run, tmp_path: Path, store_url: str
) -> None:
    rows: list[list[object]] = [PEOPLE[0], [FORMULA, *PEOPLE[1][1:]], PEOPLE[2]]
    file = write_xlsx(tmp_path / "people.xlsx", rows)
    assert openpyxl.load_workbook(file).active["A2"].data_type == "f"  # a live formula, as written
    sopflow("places", "import", str(write_csv(tmp_path / "places.csv", PLACES)))
    refused = sopflow("people", "import", str(file), "--lang", "zh")
    assert refused.exit_code == 1
    assert refused.output.startswith(
        f"第 2 行，姓名：这一格是公式 {FORMULA}，不是填写的内容 — 请把内容作为文字直接填入"
    )
    assert "姓名为空" not in refused.output and count(store_url, people) == 0
    rejects = tmp_path / "rejects.xlsx"
    kept = sopflow("people", "import", str(file), "--reject-file", str(rejects), "--lang", "zh")
    assert kept.exit_code == 0, kept.output
    assert count(store_url, people) == 1
    cell = openpyxl.load_workbook(rejects).active["A2"]
    assert (cell.value, cell.data_type) == (FORMULA, "s")  # the formula's text, as text
    as_csv = tmp_path / "rejects.csv"
    sopflow("people", "import", str(file), "--reject-file", str(as_csv))
    assert next(csv.reader(as_csv.read_text("utf-8-sig").splitlines()[1:]))[0] == "'" + FORMULA


def test_a_formula_is_refused_in_a_places_file_and_a_cases_file(sopflow: Run, tmp_path: Path) -> None:
    rows: list[list[object]] = [PLACES[0], [*PLACES[1][:-1], "=A1"]]
    said = sopflow("places", "import", str(write_xlsx(tmp_path / "p.xlsx", rows)), "--lang", "zh").output
    assert said.startswith("第 2 行，户：这一格是公式 =A1")
    rows = [["姓名", "联系电话"], ["赵六", "=B1"]]
    said = sopflow("import", "重点人员管控", str(write_xlsx(tmp_path / "c.xlsx", rows)), *OPENER).output
    assert said.startswith(
        "row 2, column 联系电话: the cell holds the formula =B1, not a value — type the value"
    )
