"""`sopflow import FLOW FILE`: a case per row, checked as `case start` checks it; headers as
field ids or labels in the flow's languages; cases tied to the registry's people by ID number;
all or nothing, every bad row named; --reject-file; importing again starts nothing. On a real
SQLite file and on PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import sqlalchemy as sa

from sopflow.store.tables import case_subjects, cases, events, households, people, places
from tests.intake.test_import import (
    PEOPLE,
    PLACES,
    Run,
    write_csv,
    write_xlsx,
)

LEADS = [
    ["姓名", "身份证号", "联系电话", "线索来源", "线索内容"],
    ["张三", "220721198503120045", "13812345678", "卡口登记", "自武汉返回"],
    ["李四", "220721199001011230", "13900001111", "疾控密接名单", "密接"],
    ["赵六", "", "13600003333", "本人申报", "自湖北返回"],
]
OPENER = ("--role", "网格员", "--actor", "王芳")


def with_registry(sopflow: Run, tmp_path: Path) -> None:
    assert sopflow("places", "import", str(write_csv(tmp_path / "places.csv", PLACES))).exit_code == 0
    assert sopflow("people", "import", str(write_csv(tmp_path / "people.csv", PEOPLE))).exit_code == 0


def read(url: str, query: sa.Select[tuple[object, ...]]) -> list[tuple[object, ...]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return sorted(conn.execute(query).all(), key=str)
    finally:
        engine.dispose()


def summary(result_output: str) -> dict[str, object]:
    return dict(json.loads(result_output))


def test_a_case_per_row_tied_to_the_registrys_person_and_nothing_new_the_second_time(
    sopflow: Run, tmp_path: Path, store_url: str
) -> None:
    with_registry(sopflow, tmp_path)
    leads = write_csv(tmp_path / "leads.csv", LEADS, "utf-8-sig")
    first = sopflow("import", "key_person_control", str(leads), *OPENER, "--json")
    assert first.exit_code == 0, first.output
    assert summary(first.output) | {"problems": []} == {
        "file": "leads.csv",
        "new": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "problems": [],
    }
    about = read(
        store_url,
        sa.select(people.c.name, households.c.code, places.c.path, cases.c.place, cases.c.step)
        .select_from(case_subjects)
        .join(cases, cases.c.id == case_subjects.c.case_id)
        .join(people, people.c.id == case_subjects.c.person_id)
        .join(households, households.c.id == case_subjects.c.household_id)
        .join(places, places.c.id == case_subjects.c.dwelling_id),
    )
    door = "前郭县/前郭镇/东风社区/第3网格/幸福小区/3号楼/2单元/5层/501"
    assert about == [
        ("张三", "H-501", door, door, "collect_lead"),
        ("李四", "H-501", door, door, "collect_lead"),
    ]
    assert len(read(store_url, sa.select(cases.c.id))) == 3  # 赵六 has no ID number: no person
    # the same file again, as XLSX this time: nothing new, every row unchanged
    again = sopflow(
        "import", "key_person_control", str(write_xlsx(tmp_path / "leads.xlsx", LEADS)), *OPENER, "--json"
    )
    assert again.exit_code == 0, again.output
    assert (summary(again.output)["new"], summary(again.output)["unchanged"]) == (0, 3)
    assert len(read(store_url, sa.select(events.c.case_id))) == 3
    listed = sopflow("case", "list", "--place", "幸福小区", "--lang", "zh")
    assert "共 2 件" in listed.output  # the dwelling is the case's place: place filters find it


def test_headers_are_field_ids_or_labels_in_the_flows_languages(sopflow: Run, tmp_path: Path) -> None:
    rows = [["full_name", "Phone", "线索来源", "Source of the lead"], ["赵六", "136", "本人申报", "x"]]
    twice = sopflow("import", "key_person_control", str(write_csv(tmp_path / "a.csv", rows)), *OPENER)
    assert twice.exit_code == 1
    assert (
        "header (row 1), column D 'Source of the lead': column C ('线索来源') is the same column — keep one"
        in twice.output
    )
    rows = [["full_name", "Phone", "线所来源"], ["赵六", "13600003333", "本人申报"]]
    unknown = sopflow("import", "key_person_control", str(write_csv(tmp_path / "b.csv", rows)), *OPENER)
    assert unknown.exit_code == 1
    assert (
        "header (row 1), column C '线所来源': no such column here — did you mean '线索来源'?"
        in unknown.output
    )
    assert "(this import takes: case, place, Source of the lead, What was reported, Name, " in unknown.output
    rows = [["full_name", "Phone", "Source of the lead"], ["赵六", "13600003333", "self_report"]]
    done = sopflow("import", "key_person_control", str(write_csv(tmp_path / "c.csv", rows)), *OPENER)
    assert done.exit_code == 0, done.output


def test_a_file_with_bad_rows_starts_nothing_and_names_every_problem(
    sopflow: Run, tmp_path: Path, store_url: str
) -> None:
    rows = [
        ["姓名", "身份证号", "线索来源", "体温"],
        ["赵六", "220721198503120046", "卡口", "36.5"],
        ["钱七", "220721198503120045", "本人申报", "36.6"],
        ["孙八", "", "本人申报", "99"],
    ]
    result = sopflow("import", "key_person_control", str(write_csv(tmp_path / "bad.csv", rows)), *OPENER)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("row 2, column 线索来源: '卡口' is not a choice for Source of the lead")
    assert lines[1].startswith("row 2, column 身份证号: '220721198503120046' is not a valid resident ID")
    assert lines[2].startswith("row 4, column 体温: Temperature (temperature) is 99.0, above the highest")
    assert "bad.csv: 2 rows have problems, nothing was imported" in lines[3]
    # the rows give no case id: the case is this row's, not an id made from the row, nor '-'
    assert all("(this row's case)" in line for line in lines[:3]), lines
    assert "KPC-" not in result.output and "'-'" not in result.output
    assert read(store_url, sa.select(cases.c.id)) == []
    zh = sopflow("import", "key_person_control", str(tmp_path / "bad.csv"), *OPENER, "--lang", "zh")
    assert zh.output.startswith("第 2 行，线索来源：'卡口' 不是 线索来源")
    assert (
        "第 2 行，身份证号：'220721198503120046' 不是有效的身份证号（身份证号 id_number，本行的案件）"
        in zh.output
    )


def test_a_reject_file_takes_the_bad_rows_to_fix_and_import_again(
    sopflow: Run, tmp_path: Path, store_url: str
) -> None:
    rows = [
        ["姓名", "联系电话", "线索来源"],
        ["赵六", "13600003333", "本人申报"],
        ["钱七", "13600004444", "卡口"],
    ]
    rejects = tmp_path / "问题行.xlsx"
    args = ("import", "key_person_control", str(write_csv(tmp_path / "l.csv", rows)), *OPENER)
    result = sopflow(*args, "--reject-file", str(rejects), "--json")
    assert result.exit_code == 0, result.output
    assert (summary(result.output)["new"], summary(result.output)["rejected"]) == (1, 1)
    sheet = openpyxl.load_workbook(rejects).worksheets[0]
    back = [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert back[0] == ["姓名", "联系电话", "线索来源", "problem"]
    assert back[1][:3] == ["钱七", "13600004444", "卡口"]
    assert back[1][3].startswith("线索来源: '卡口' is not a choice")
    fixed = tmp_path / "fixed.xlsx"
    write_xlsx(fixed, [back[0], [*back[1][:2], "卡口登记", back[1][3]]])
    again = sopflow("import", "key_person_control", str(fixed), *OPENER, "--json")
    assert again.exit_code == 0, again.output
    assert summary(again.output)["new"] == 1
    assert len(read(store_url, sa.select(cases.c.id))) == 2


def test_a_named_case_there_with_other_values_is_refused_and_rows_of_one_case_must_agree(
    sopflow: Run, tmp_path: Path
) -> None:
    rows = [["案件编号", "姓名", "联系电话"], ["QG-0001", "赵六", "136"], ["QG-0001", "赵六", "136"]]
    first = write_csv(tmp_path / "a.csv", rows)
    done = sopflow("import", "key_person_control", str(first), *OPENER, "--json")
    assert done.exit_code == 0, done.output
    assert (summary(done.output)["new"], summary(done.output)["unchanged"]) == (1, 1)
    rows = [["案件编号", "姓名", "联系电话"], ["QG-0001", "赵六", "137"], ["QG-0002", "钱七", "1"]]
    rows.append(["QG-0002", "钱七", "2"])
    refused = sopflow("import", "key_person_control", str(write_csv(tmp_path / "b.csv", rows)), *OPENER)
    assert refused.exit_code == 1
    assert "row 2: case QG-0001 is there already with other Phone (phone)" in refused.output
    assert "row 4: the same case as row 3, with other values" in refused.output


def test_the_importer_must_be_a_role_that_opens_the_flow(sopflow: Run, tmp_path: Path) -> None:
    leads = write_csv(tmp_path / "leads.csv", LEADS)
    result = sopflow("import", "key_person_control", str(leads), "--role", "社区医生")
    assert result.exit_code == 1
    assert "may not open" in result.output or "cannot open" in result.output, result.output
