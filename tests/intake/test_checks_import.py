"""`sopflow checks import FILE`: the checks sheet (docs/checks-sheet.md: 案件编号, 姓名,
住址, 日期, 时段, 时间, 体温, 症状, 记录人) read back as each case's reading check at that local
time; a blank 体温 skipped and counted; all or nothing; the same reading never recorded twice; a
fever reading escalates as one typed by hand does. On a real SQLite file and on PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sopflow import Engine
from tests.conftest import Clock
from tests.intake.test_import import Run, write_csv, write_xlsx
from tests.scenarios.helpers import place_at_home

HEADER = ["案件编号", "姓名", "住址", "日期", "时段", "时间", "体温", "症状", "记录人"]
SHEET = [
    HEADER,
    ["QG-0001", "张*", "前郭镇东风社区3号楼**", "2020-02-02", "上午", "", "36.5", "无", "李医生"],
    ["QG-0001", "张*", "前郭镇东风社区3号楼**", "2020-02-02", "下午", "", "36.7", "", ""],
    ["QG-0002", "李*", "前郭镇东风社区3号楼**", "2020/2/2", "上午", "07:40", "36.4", "无", ""],
    ["QG-0002", "李*", "前郭镇东风社区3号楼**", "2020/2/2", "下午", "", "", "", ""],
]


@pytest.fixture
def homes(engine: Engine, clock: Clock) -> Engine:
    place_at_home(engine, "QG-0001")
    place_at_home(engine, "QG-0002", household="H-3-2-502", id_number="220721199001011230", name="李四")
    clock.now = datetime(2020, 2, 2, 12, 0, tzinfo=UTC)  # 20:00 local, as SOPFLOW_NOW below
    return engine


def summary(output: str) -> dict[str, object]:
    return dict(json.loads(output))


def checks_of(engine: Engine, case_id: str) -> list[tuple[str, str, str, object, object]]:
    return [
        (
            e.at.astimezone(UTC).strftime("%m-%d %H:%M"),
            e.name,
            e.actor,
            *(e.changes[f][1] for f in ("temperature", "symptoms")),
        )
        for e in engine.case(case_id).history
        if e.kind.value == "check" and e.name == "temperature_check"  # not the door watch's set-up
    ]


def test_each_row_is_the_cases_reading_at_that_local_time_and_never_twice(
    homes: Engine, sopflow: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOPFLOW_NOW", "2020-02-02 20:00")
    sheet = write_csv(tmp_path / "checks.csv", SHEET, "utf-8-sig")
    done = sopflow("checks", "import", str(sheet), "--role", "社区医生", "--actor", "王医生", "--json")
    assert done.exit_code == 0, done.output
    assert summary(done.output) == {
        "file": "checks.csv",
        "new": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "skipped": 1,
        "problems": [],
    }
    assert checks_of(homes, "QG-0001") == [  # 08:00 and 16:00 local are 00:00 and 08:00 UTC
        ("02-02 00:00", "temperature_check", "李医生", 36.5, False),
        ("02-02 08:00", "temperature_check", "王医生", 36.7, False),
    ]
    assert checks_of(homes, "QG-0002") == [("02-01 23:40", "temperature_check", "王医生", 36.4, False)]
    # the same sheet again, saved as XLSX: nothing recorded twice
    again = sopflow(
        "checks", "import", str(write_xlsx(tmp_path / "c.xlsx", SHEET)), "--role", "社区医生", "--json"
    )
    assert again.exit_code == 0, again.output
    assert (summary(again.output)["new"], summary(again.output)["unchanged"]) == (0, 3)
    assert len(checks_of(homes, "QG-0001")) == 2
    assert homes.verify() == []
    zh = sopflow("checks", "import", str(sheet), "--role", "社区医生", "--lang", "zh")
    assert zh.output.splitlines() == ["checks.csv：新增 0，更新 0，未变 3，退回 0", "1 行未填体温，已跳过"]


def test_a_sheet_with_bad_rows_records_nothing_and_names_every_one(
    homes: Engine, sopflow: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOPFLOW_NOW", "2020-02-02 20:00")
    rows = [
        HEADER,
        ["QG-0001", "", "", "2020-02-02", "上午", "", "36.5", "无", ""],
        ["QG-0009", "", "", "2020-02-02", "上午", "", "36.5", "无", ""],
        ["QG-0002", "", "", "2020-02-30", "上午", "", "36.5", "无", ""],
        ["QG-0002", "", "", "2020-02-02", "中午", "", "36.5", "无", ""],
        ["QG-0002", "", "", "2020-02-02", "上午", "", "99", "无", ""],
        ["QG-0002", "", "", "2020-02-02", "", "", "36.5", "无", ""],
        ["QG-0002", "", "", "2020-02-03", "上午", "", "36.5", "无", ""],
    ]
    result = sopflow(
        "checks", "import", str(write_csv(tmp_path / "bad.csv", rows)), "--role", "社区医生", "--lang", "zh"
    )
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "第 3 行，案件编号：没有案件 'QG-0009' — 请核对编号（sopflow case list 可列出案件）"
    assert lines[1] == "第 4 行，日期：'2020-02-30' 不是日期 — 请写成 2020-02-05"
    assert lines[2] == "第 5 行，时段：'中午' 不是时段 — 请写 上午 或 下午"
    assert lines[3].startswith("第 6 行，体温：")
    assert lines[4].startswith("第 7 行：没有填写时段或时间")
    assert lines[5].startswith("第 8 行，日期：")
    assert "bad.csv：有 6 行存在问题，未导入任何数据" in lines[6]
    assert checks_of(homes, "QG-0001") == []


def test_a_fever_reading_escalates_and_a_different_value_for_a_recorded_time_is_refused(
    homes: Engine, sopflow: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOPFLOW_NOW", "2020-02-02 20:00")
    rows = [HEADER, ["QG-0001", "", "", "2020-02-02", "上午", "", "38.2", "有", ""]]
    done = sopflow("checks", "import", str(write_csv(tmp_path / "a.csv", rows)), "--role", "社区医生")
    assert done.exit_code == 0, done.output
    assert homes.case("QG-0001").step == "fever_found"
    rows = [HEADER, ["QG-0001", "", "", "2020-02-02", "上午", "", "37.0", "无", ""]]
    refused = sopflow("checks", "import", str(write_csv(tmp_path / "b.csv", rows)), "--role", "社区医生")
    assert refused.exit_code == 1
    assert (
        "row 2: case QG-0001 has a reading at 2020-02-02 08:00 already, with other values" in refused.output
    )
    assert homes.verify() == []


def test_a_reading_needs_a_role_that_takes_it(
    homes: Engine, sopflow: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOPFLOW_NOW", "2020-02-02 20:00")
    rows = [HEADER, ["QG-0001", "", "", "2020-02-02", "上午", "", "36.5", "无", ""]]
    # the grid worker may record a reading from the WeChat group (2020.04.1); the police may not
    result = sopflow("checks", "import", str(write_csv(tmp_path / "a.csv", rows)), "--role", "社区民警")
    assert result.exit_code == 1
    assert result.output.startswith("row 2: ")
