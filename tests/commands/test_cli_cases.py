"""The case commands through click's CliRunner, on a real SQLite file."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sopflow.cli import cli
from sopflow.engine.runtime import Engine
from sopflow.store.store import open_store
from tests.conftest import Clock
from tests.engine.test_key_person_walk import LOCAL, register_home_case

Run = Callable[..., Result]


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/county.db"


@pytest.fixture
def sopflow(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("SOPFLOW_LANG", "en")
    monkeypatch.setenv("SOPFLOW_ACTOR", "王芳")
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(cli, ["--db", db_url, *args])

    return run


@pytest.fixture
def home_case(db_url: str) -> Iterator[tuple[Engine, Clock]]:
    """K-0001 in home observation (entered 2020-02-01 12:00 local), set up through the library."""
    clock = Clock(LOCAL(2020, 2, 1, 9))
    with open_store(db_url) as store:
        engine = Engine(store, clock=clock)
        register_home_case(engine, clock)
        yield engine, clock


def start_request(sopflow: Run, case_id: str = "R-1") -> Result:
    return sopflow(
        "case",
        "start",
        "supply_request",
        "--id",
        case_id,
        "--set",
        "household_id=H-3-2-501",
        "--set",
        "address=前郭镇东风社区3号楼2单元501",
        "--set",
        "phone=13812345678",
        "--role",
        "grid_worker",
        "--at",
        "2020-02-03 08:00",
        "--place",
        "前郭镇/东风社区",
    )


def test_start_shows_where_the_case_is_and_what_to_do(sopflow: Run) -> None:
    result = start_request(sopflow)
    assert result.exit_code == 0, result.output
    assert "Now at: Log and sort — responsible: Grid worker" in result.output
    assert "finish this step by 2020-02-03 09:00" in result.output
    assert "Sorted" in result.output
    assert "needs: Kind of request, What is needed, Urgent" in result.output
    assert "138****5678" in result.output and "13812345678" not in result.output


def test_advance_records_the_action_and_the_decision_with_its_reason(sopflow: Run) -> None:
    start_request(sopflow)
    result = sopflow(
        "case",
        "advance",
        "R-1",
        "sorted",
        "--set",
        "request_type=groceries",
        "--set",
        "items=大米",
        "--set",
        "urgent=no",
        "--role",
        "grid_worker",
        "--at",
        "2020-02-03 08:20",
        "--json",
    )
    assert result.exit_code == 0, result.output
    detail = json.loads(result.output)
    assert detail["step"] == "purchase"
    kinds = [(e["kind"], e["name"]) for e in detail["history"]]
    assert kinds[:2] == [("start", "start"), ("action", "sorted")]
    decisions = [e for e in detail["history"] if e["kind"] == "branch"]
    assert decisions and all(e["why"] for e in decisions)
    assert detail["history"][1]["at"] == "2020-02-03 08:20"


def test_errors_are_one_line_in_the_users_language_with_exit_1(sopflow: Run) -> None:
    start_request(sopflow)
    wrong = sopflow("case", "advance", "R-1", "sortd", "--role", "grid_worker")
    assert wrong.exit_code == 1
    assert wrong.output.strip() == (
        "case 'R-1' is at step Log and sort (log_request), where 'sortd' cannot be done — did you mean "
        "'Sorted (sorted)'? available now: Sorted (sorted), Declined (declined)"
    )
    chinese = sopflow("case", "advance", "R-1", "sorted", "--role", "volunteer", "--lang", "zh")
    assert chinese.exit_code == 1
    assert "角色 '志愿者 volunteer' 不能对案件 'R-1' 执行 已分类 sorted" in chinese.output
    missing = sopflow("case", "show", "R-404")
    assert missing.exit_code == 1 and "Traceback" not in missing.output
    usage = sopflow("case", "advance", "R-1")
    assert usage.exit_code == 2


def test_list_masks_personal_data_unless_asked(sopflow: Run) -> None:
    start_request(sopflow, "R-1")
    start_request(sopflow, "R-2")
    masked = sopflow("case", "list", "--json")
    rows = json.loads(masked.output)
    assert [r["id"] for r in rows] == ["R-1", "R-2"]
    assert all(r["data"]["phone"] == "138****5678" and "501" not in r["data"]["address"] for r in rows)
    shown = json.loads(sopflow("case", "list", "--json", "--show-personal").output)
    assert shown[0]["data"]["phone"] == "13812345678"
    by_place = json.loads(sopflow("case", "list", "--json", "--place", "前郭镇").output)
    assert len(by_place) == 2
    nowhere = sopflow("case", "list", "--json", "--place", "前郭镇/西山社区")  # a place no case has
    assert nowhere.exit_code == 1 and nowhere.output.startswith("no place '前郭镇/西山社区' in the registry")


def test_due_lists_overdue_work_first(sopflow: Run) -> None:
    start_request(sopflow, "R-1")
    result = sopflow("due", "--now", "2020-02-03 10:00", "--json")
    rows = json.loads(result.output)
    assert [(r["case"], r["kind"], r["overdue"]) for r in rows] == [("R-1", "deadline", True)]
    assert rows[0]["due_at"] == "2020-02-03 09:00"
    assert json.loads(sopflow("due", "--now", "2020-02-03 08:10", "--within", "10m", "--json").output) == []
    assert (
        json.loads(sopflow("due", "--now", "2020-02-03 10:00", "--role", "volunteer", "--json").output) == []
    )


def test_history_masks_who_did_it_unless_asked(sopflow: Run) -> None:
    start_request(sopflow)
    masked = sopflow("case", "history", "R-1")
    assert "王*" in masked.output and "王芳" not in masked.output
    assert json.loads(sopflow("case", "history", "R-1", "--json").output)[0]["actor"] == "王*"
    shown = sopflow("case", "show", "R-1", "--show-personal")
    assert "王芳 (Grid worker)" in shown.output


def test_history_tick_and_verify(sopflow: Run) -> None:
    start_request(sopflow)
    history = json.loads(sopflow("case", "history", "R-1", "--json").output)
    assert [e["seq"] for e in history] == [1]
    assert sopflow("tick", "--json", "--now", "2020-02-04 08:00").exit_code == 0
    verified = sopflow("verify")
    assert verified.exit_code == 0 and "0 differences" in verified.output


def test_tick_and_verify_take_lang(sopflow: Run) -> None:
    start_request(sopflow)
    ticked = sopflow("tick", "--now", "2020-02-04 08:00", "--lang", "zh")
    assert ticked.exit_code == 0, ticked.output
    assert "件案件已流转" in ticked.output
    verified = sopflow("verify", "--lang", "zh")
    assert verified.exit_code == 0, verified.output
    assert "发现 0 处不一致" in verified.output


def test_tick_says_where_cases_went_in_the_readers_words(sopflow: Run, home_case: object) -> None:
    ticked = sopflow("tick", "--now", "2020-02-15 00:01", "--lang", "zh")
    assert ticked.exit_code == 0, ticked.output
    assert "K-0001 → 期满评估（办理中）" in ticked.output
    english = sopflow("tick", "--now", "2020-02-15 00:01")  # nothing left to move
    assert english.output.strip() == "0 cases moved"
    rows = json.loads(sopflow("case", "show", "K-0001", "--json").output)
    assert rows["step"] == "release_review"


def test_a_refusal_names_the_roles_in_the_messages_language(sopflow: Run) -> None:
    start_request(sopflow)
    english = sopflow("case", "advance", "R-1", "sorted", "--role", "volunteer")
    assert english.exit_code == 1
    assert "Grid worker (grid_worker)" in english.output and "网格员" not in english.output
    chinese = sopflow("case", "advance", "R-1", "sorted", "--role", "volunteer", "--lang", "zh")
    assert "网格员 grid_worker" in chinese.output


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["due", "--now", "garbage"], "--now"),
        (["tick", "--now", "x"], "--now"),
        (["case", "show", "R-1", "--now", "x"], "--now"),
        (["case", "chart", "R-1", "-o", "x.pdf", "--now", "x"], "--now"),
        (["case", "sheet", "R-1", "-o", "x.html", "--now", "x"], "--now"),
        (["case", "advance", "R-1", "sorted", "--at", "yesterday"], "--at"),
        (["case", "start", "supply_request", "--at", "2020-13-01"], "--at"),
    ],
)
def test_a_time_that_does_not_read_names_the_option_it_was_given_to(
    sopflow: Run, args: list[str], option: str
) -> None:
    result = sopflow(*args)
    assert result.exit_code == 2
    assert f"Invalid value for '{option}': '{args[-1]}' is not a time — write it as 2020-02-03 08:00" in (
        result.output
    )
    other = "--at" if option == "--now" else "--now"
    assert other not in result.output.split("Error:")[1]
    chinese = sopflow(*args, "--lang", "zh")  # --lang given after the time still counts
    assert "不是时间" in chinese.output


def test_other_usage_errors_are_told_in_the_users_language(sopflow: Run) -> None:
    within = sopflow("due", "--within", "3x", "--lang", "zh")
    assert within.exit_code == 2 and "错误：'--within' 的值无效：'3x' 不是时长 — " in within.output
    pair = sopflow("case", "advance", "R-1", "sorted", "--set", "urgent", "--lang", "zh")
    assert pair.exit_code == 2 and "错误：'--set' 的值无效：'urgent' 不是“名称=值” — " in pair.output


def test_a_field_set_twice_with_different_values_is_refused_not_the_last_taken(sopflow: Run) -> None:
    start_request(sopflow)
    before = sopflow("case", "show", "R-1", "--json").output
    twice = sopflow(
        "case", "advance", "R-1", "sorted", "--set", "urgent=yes", "--set", "urgent=no", "--lang", "zh"
    )
    assert twice.exit_code == 2
    assert "'urgent' 给了两次，值不同（'yes'、'no'） — 请只保留正确的一个" in twice.output
    assert sopflow("case", "show", "R-1", "--json").output == before  # nothing done
    same = sopflow(
        "case",
        "advance",
        "R-1",
        "sorted",
        "--set",
        "urgent=no",
        "--set",
        "urgent=no",
        "--set",
        "request_type=groceries",
        "--set",
        "items=米",
        "--role",
        "grid_worker",
    )
    assert same.exit_code == 0, same.output  # the same value twice: no doubt what was meant


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["case", "list", "--flow", "key_person_contrl"],
            "no flow 'key_person_contrl' — did you mean 'Key-person control (key_person_control)'?",
        ),
        (
            ["case", "list", "--step", "home_obs"],
            "no step 'home_obs' in Centralized isolation site (centralized_isolation), Daily-needs supply",
        ),
        (["case", "list", "--step", "home_obs"], "did you mean 'Home observation (home_observation)'?"),
        (
            ["case", "list", "--flow", "supply_request", "--step", "purchse"],
            "no step 'purchse' in Supply request (supply_request) — did you mean 'Buy (purchase)'?",
        ),
        (
            ["case", "list", "--flow", "supply_request", "--step", "home_observation"],
            "no step 'home_observation' in Supply request (supply_request) — sopflow flows show FLOW lists",
        ),
        (["case", "list", "--role", "grid_workr"], "no role 'grid_workr' in "),
        (["case", "list", "--role", "grid_workr"], "did you mean 'Grid worker (grid_worker)'?"),
        (["due", "--role", "grid_workr"], "did you mean 'Grid worker (grid_worker)'?"),
        (
            ["due", "--flow", "supply_reqest"],
            "no flow 'supply_reqest' — did you mean 'Supply request (supply_request)'?",
        ),
        (
            ["due", "--flow", "supply_request", "--role", "subject"],
            "no role 'subject' in Supply request (supply_request)",
        ),
        (["due", "--role", "comunity doctr"], "did you mean 'Community doctor (community_doctor)'?"),
        (["case", "list", "--role", "网格猿", "--lang", "zh"], "是否应为 '网格员 grid_worker'？"),
    ],
)
def test_an_unknown_filter_is_a_one_line_error_with_a_suggestion(
    sopflow: Run, args: list[str], expected: str
) -> None:
    start_request(sopflow)
    result = sopflow(*args)
    assert result.exit_code == 1
    assert expected in result.output
    assert result.output.count("\n") == 1


def test_known_filters_that_match_nothing_are_an_empty_list(sopflow: Run) -> None:
    start_request(sopflow)
    for args in (
        ["case", "list", "--step", "home_observation"],  # a step of another flow
        ["case", "list", "--flow", "supply_request", "--role", "volunteer"],
        ["due", "--flow", "three_check", "--now", "2020-02-03 10:00"],
        ["due", "--flow", "supply_request", "--role", "volunteer", "--now", "2020-02-03 10:00"],
    ):
        result = sopflow(*args, "--json")
        assert (result.exit_code, json.loads(result.output)) == (0, []), args
    found = json.loads(
        sopflow("due", "--flow", "supply_request", "--now", "2020-02-03 10:00", "--json").output
    )
    assert [r["case"] for r in found] == ["R-1"]
    zh = sopflow("case", "list", "--role", "grid_workr", "--lang", "zh")
    assert "中没有角色 'grid_workr' — 是否应为 '网格员 grid_worker'" in zh.output


def deliver_request(sopflow: Run) -> None:
    """R-1 bought and delivered, delivered_at typed in local time."""
    start_request(sopflow)
    for action, role, sets in (
        ("sorted", "grid_worker", ["request_type=groceries", "items=大米", "urgent=no"]),
        ("bought", "volunteer", ["amount=30"]),
        ("delivered", "volunteer", ["delivered_at=2020-02-03 10:00", "payer=household"]),
    ):
        pairs = [arg for value in sets for arg in ("--set", value)]
        done = sopflow("case", "advance", "R-1", action, "--role", role, *pairs, "--at", "2020-02-03 10:05")
        assert done.exit_code == 0, done.output


def test_date_time_fields_are_shown_in_local_time(sopflow: Run) -> None:
    deliver_request(sopflow)
    shown = sopflow("case", "show", "R-1")
    assert "Delivered at=2020-02-03 10:00" in shown.output
    assert "+00:00" not in shown.output and "T02:00" not in shown.output
    history = sopflow("case", "history", "R-1").output
    assert "Delivered at=2020-02-03 10:00, Who pays=Household" in history and "+00:00" not in history
    detail = json.loads(sopflow("case", "show", "R-1", "--json").output)
    assert detail["data"]["delivered_at"] == "2020-02-03T10:00:00+08:00"
    [delivered] = [e for e in detail["history"] if e["name"] == "delivered"]
    assert delivered["changes"]["delivered_at"] == [None, "2020-02-03T10:00:00+08:00"]
    [row] = json.loads(sopflow("case", "list", "--json").output)
    assert row["data"]["delivered_at"] == "2020-02-03T10:00:00+08:00"
    elsewhere = json.loads(sopflow("--timezone", "Europe/Berlin", "case", "show", "R-1", "--json").output)
    assert elsewhere["data"]["delivered_at"] == "2020-02-03T03:00:00+01:00"


def test_history_gives_an_escalations_rule_and_values(sopflow: Run, home_case: object) -> None:
    fever = sopflow(
        "case", "advance", "K-0001", "temperature_check", "--role", "subject",
        "--set", "temperature=38.2", "--set", "symptoms=no", "--at", "2020-02-02 08:00",
    )  # fmt: skip
    assert fever.exit_code == 0, fever.output
    history = sopflow("case", "history", "K-0001").output.splitlines()
    [escalation] = [line for line in history if "Temperature and symptoms: abnormal" in line]
    assert escalation.endswith(
        "because Temperature ≥ 37.3 ℃ or Symptoms: yes: Fever threshold (°C)=37.3, Symptoms=no, "
        "Temperature=38.2 ℃"
    )
    rows = json.loads(sopflow("case", "history", "K-0001", "--json").output)
    [why] = [r["why"] for r in rows if r["kind"] == "escalate"]
    assert why == {
        "guard": "temperature >= fever_threshold or symptoms",
        "values": {"fever_threshold": 37.3, "symptoms": False, "temperature": 38.2},
    }
    chinese = sopflow("case", "history", "K-0001", "--lang", "zh").output
    assert "依据 体温 ≥ 37.3 ℃ 或 有症状：是（发热体温线（℃）=37.3、有症状=否、体温=38.2 ℃）" in chinese


def test_verify_shows_what_differs_masked_and_as_json_values(
    sopflow: Run, home_case: object, tmp_path: Path
) -> None:
    with sqlite3.connect(tmp_path / "county.db") as db:  # the stored state no longer fits its history
        db.execute(
            "UPDATE cases SET data = json_set(data, '$.full_name', '李四', '$.arrival_date', '2020-02-01'),"
            " entered_at = '2020-02-01 00:00:00.000000' WHERE id = 'K-0001'"
        )
    verified = sopflow("verify")
    assert verified.exit_code == 1
    assert verified.output.splitlines() == [
        "K-0001: Arrival date stored 2020-02-01, replayed 2020-01-31",
        "K-0001: Name stored 李*, replayed 张*",
        "K-0001: entered_at stored 2020-02-01 08:00, replayed 2020-02-01 12:00",
        "3 differences found",
    ]
    rows = json.loads(sopflow("verify", "--json").output)
    assert rows == [
        {
            "case": "K-0001",
            "field": "data.arrival_date",
            "field_label": "Arrival date",
            "stored": "2020-02-01",
            "replayed": "2020-01-31",
        },
        {
            "case": "K-0001",
            "field": "data.full_name",
            "field_label": "Name",
            "stored": "李*",
            "replayed": "张*",
        },
        {
            "case": "K-0001",
            "field": "entered_at",
            "field_label": "entered_at",
            "stored": "2020-02-01T08:00:00+08:00",
            "replayed": "2020-02-01T12:00:00+08:00",
        },
    ]
    shown = json.loads(sopflow("verify", "--json", "--show-personal").output)
    assert (shown[1]["stored"], shown[1]["replayed"]) == ("李四", "张三")
    chinese = sopflow("verify", "--lang", "zh").output
    assert "K-0001：姓名 存储为 李*，重放为 张*" in chinese and "发现 3 处不一致" in chinese


def test_a_plain_path_is_a_sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOPFLOW_LANG", "en")
    runner = CliRunner()
    absolute = tmp_path / "abs.db"
    listed = runner.invoke(cli, ["--db", str(absolute), "case", "list"])
    assert listed.exit_code == 1 and f"there is no case store {absolute} " in listed.output
    assert not absolute.exists()  # only a change makes a store (issue 12.8): a typo leaves no file behind
    start = ["case", "start", "supply_request", "--role", "grid_worker", "--set", "household_id=H-0"]
    assert runner.invoke(cli, ["--db", str(absolute), *start, "--set", "address=a"]).exit_code == 0
    assert absolute.is_file()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOPFLOW_DB", "county.db")
    sets = ["--set", "household_id=H-1", "--set", "address=前郭镇东风社区3号楼"]
    started = runner.invoke(
        cli, ["case", "start", "supply_request", "--id", "R-9", "--role", "grid_worker", *sets]
    )
    assert started.exit_code == 0, started.output
    assert (
        json.loads(runner.invoke(cli, ["--db", "county.db", "case", "list", "--json"]).output)[0]["id"]
        == "R-9"
    )
    assert (tmp_path / "county.db").is_file()


def test_a_sqlite_store_that_cannot_be_opened_says_to_check_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOPFLOW_LANG", "en")
    runner = CliRunner()
    not_a_store = tmp_path / "notes.db"
    not_a_store.write_text("these are my notes, not a database\n" * 10)
    start = ["case", "start", "supply_request", "--role", "grid_worker"]  # a change makes the store
    for db in (f"{tmp_path}/missing/county.db", f"sqlite:///{tmp_path}/missing/county.db"):
        result = runner.invoke(cli, ["--db", db, *start])
        assert result.exit_code == 1, db
        [line] = result.output.splitlines()
        assert line.startswith(f"the case store {tmp_path}/")
        assert "check that its folder exists and may be written to" in line
        assert "running" not in line and "Traceback" not in line
        listed = runner.invoke(cli, ["--db", db, "case", "list"])  # reading makes none (issue 12.8)
        said = f"there is no case store {tmp_path}/missing/county.db — check that --db / SOPFLOW_DB"
        assert listed.exit_code == 1 and listed.output.startswith(said)
    chinese = runner.invoke(cli, ["--db", f"{tmp_path}/missing/county.db", *start, "--lang", "zh"])
    assert "无法打开案件库文件" in chinese.output and "是否可写" in chinese.output
    wrong_file = runner.invoke(cli, ["--db", str(not_a_store), "case", "list"])
    assert wrong_file.exit_code == 1
    [line] = wrong_file.output.splitlines()
    assert "is not a sopflow store or is damaged (file is not a database)" in line
    assert "Traceback" not in line


REGISTERED = ["--set", "passengers=2", "--set", "driver_id=220721198503120045", "--set", "origin=local"]


def test_an_action_waiting_for_a_value_says_so_in_the_users_language(sopflow: Run) -> None:
    """pass_ok is offered `when: has_pass`, which nobody has entered yet: not an error, a wait."""
    flows = str(Path(__file__).parents[1] / "data" / "user")
    steps = [
        ["case", "start", "checkpoint", "--id", "C-1", "--role", "police", "--set", "plate=吉J12345"],
        ["case", "advance", "C-1", "registered", "--role", "police", *REGISTERED],
        ["case", "advance", "C-1", "measured", "--role", "medic", "--set", "max_temp=36.5"],
    ]
    for args in steps:
        assert sopflow("--flows", flows, *args).exit_code == 0
    chinese = sopflow("--flows", flows, "case", "show", "C-1", "--lang", "zh").output
    assert "暂不可用：有通行证：是（缺少 '有通行证' — 请在办理时补充）" in chinese
    english = sopflow("--flows", flows, "case", "show", "C-1", "--lang", "en").output
    assert "not now: Has pass: yes ('Has pass' is not filled in — supply it with this action)" in english


def test_a_case_of_a_flow_without_the_language_is_refused_before_anything_is_saved(sopflow: Run) -> None:
    refused = sopflow(
        "case", "start", "supply_request", "--id", "R-9", "--role", "grid_worker", "--lang", "mn"
    )
    assert refused.exit_code == 1
    assert "flow 'supply_request' is not written in 'mn' — use one of its languages: zh, en" in refused.output
    assert "R-9" not in sopflow("case", "list").output


def test_a_refused_start_does_not_make_a_new_store(sopflow: Run, tmp_path: Path) -> None:
    """A misspelt flow makes no empty store beside the real one to confuse the next command."""
    store = tmp_path / "new.db"
    refused = sopflow("--db", str(store), "case", "start", "重点人员管制", "--role", "网格员", "--lang", "zh")
    assert refused.exit_code == 1 and "是否应为 '重点人员管控 key_person_control'？" in refused.output
    assert not store.exists()


def test_a_flow_file_given_where_an_id_belongs_points_to_flows(sopflow: Run, tmp_path: Path) -> None:
    """A newcomer writes `case start flows/fc.yaml`: told to name the folder with --flows and
    the flow's id (read from the file), and no store is made."""
    folder = tmp_path / "flows"
    folder.mkdir()
    example = Path(__file__).parents[2] / "examples" / "fever-check.yaml"
    (folder / "fc.yaml").write_text(example.read_text("utf-8"), "utf-8")
    store = tmp_path / "fc.db"
    refused = sopflow("--db", str(store), "case", "start", str(folder / "fc.yaml"), "--role", "grid_worker")
    assert refused.exit_code == 1
    assert f"give the flow's id (e.g. sopflow --flows {folder} case start fever_check …)" in refused.output
    assert not store.exists()
