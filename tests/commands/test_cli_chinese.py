"""The command line as a grid worker uses it, in Chinese: names typed for ids, text kept as typed,
what a case holds not asked again, settings after the command, help and usage errors in Chinese,
columns that line up, phone and ID numbers masked in free text. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sopflow.cli import cli
from sopflow.commands.columns import width

Run = Callable[..., Result]
EXAMPLE = Path(__file__).parents[2] / "examples" / "fever-check.yaml"


@pytest.fixture
def sopflow(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Run:
    """sopflow on a store of its own, in Chinese, as 王芳, at a fixed moment."""
    monkeypatch.setenv("SOPFLOW_LANG", "zh")
    monkeypatch.setenv("SOPFLOW_ACTOR", "王芳")
    monkeypatch.setenv("SOPFLOW_NOW", "2020-02-04 08:00")
    monkeypatch.delenv("SOPFLOW_ROLE", raising=False)
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(cli, ["--db", store_url, *args])

    return run


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


def start(sopflow: Run, case_id: str = "QG-1") -> None:
    ok(
        sopflow(
            "case", "start", "重点人员管控", "--id", case_id, "--role", "网格员",
            "--place", "前郭镇/东风社区",
            "--set", "姓名=张三", "--set", "联系电话=13812345678", "--at", "2020-02-01 09:00",
        )
    )  # fmt: skip


def to_pledge(sopflow: Run) -> None:
    """QG-1 registered and placed at home, at the notice-and-pledge step: every name typed in Chinese."""
    start(sopflow)
    for action, role, sets in (
        ("线索已记录", "网格员", ["线索来源=本人申报", "线索内容=家中有小孩，需要奶粉"]),
        ("登记完成", "网格员", ["现住址=前郭镇东风社区3号楼", "户编号=H-1", "体温=36.5", "有症状=否",
                               "身份证号=220721198503120045", "抵县日期=2020-01-31"]),
        ("已分类", "社区医生", ["人员类别=中风险地区来县人员"]),
        ("评估完成", "社区医生", ["居家条件合格=是"]),
        ("已定隔离方式", "乡镇指挥部", ["隔离方式=居家隔离"]),
    ):  # fmt: skip
        pairs = [arg for value in sets for arg in ("--set", value)]
        ok(sopflow("case", "advance", "QG-1", action, "--role", role, *pairs, "--at", "2020-02-01 10:00"))


def detail(sopflow: Run, case_id: str = "QG-1", *more: str) -> dict[str, object]:
    shown: dict[str, object] = json.loads(ok(sopflow("case", "show", case_id, "--json", *more)))
    return shown


# -- 1. names wherever an id is taken ---------------------------------------------------------------


@pytest.mark.parametrize("typed", ["黄色（其他）", "黄色(其他)", "黄色"])
def test_a_worker_types_names_not_ids(sopflow: Run, typed: str) -> None:
    to_pledge(sopflow)
    shown = ok(
        sopflow("case", "advance", "QG-1", "已签承诺", "--role", "包保干部", "--set", f"门贴颜色={typed}")
    )
    assert "当前步骤：包保落实" in shown
    case = detail(sopflow)
    assert case["step"] == "care_team"
    data = case["data"]
    assert isinstance(data, dict) and data["door_sign"] == "yellow" and data["category"] == "KP7"
    history = case["history"]
    assert isinstance(history, list)
    assert [e["role"] for e in history if e["kind"] == "action"][-1] == "liaison_cadre"


def test_filters_take_names(sopflow: Run) -> None:
    to_pledge(sopflow)
    listed = ok(
        sopflow("case", "list", "--flow", "重点人员管控", "--step", "告知与承诺", "--role", "包保干部")
    )
    assert listed.startswith("QG-1 ") and "共 1 件" in listed
    assert "共 0 件" in ok(sopflow("case", "list", "--step", "异常发现"))
    due = ok(sopflow("due", "--role", "包保干部", "--within", "1d", "--now", "2020-02-01 11:00"))
    assert "QG-1" in due and "包保干部" in due
    refused = sopflow("case", "list", "--step", "异常发")
    assert refused.exit_code == 1
    assert "是否应为 '异常发现 fever_found'？" in refused.output


def test_a_name_two_choices_share_is_refused_naming_both(sopflow: Run, tmp_path: Path) -> None:
    text = EXAMPLE.read_text("utf-8")
    text = text.replace(
        "  symptoms: {type: boolean, label: {zh: 有症状, en: Symptoms}}\n",
        "  symptoms: {type: boolean, label: {zh: 有症状, en: Symptoms}}\n"
        "  sign:\n    type: choice\n    label: {zh: 门贴, en: Sign}\n    choices:\n"
        "      red_key: {zh: 红色（重点地区）, en: Red (key area)}\n"
        "      red_other: {zh: 红色（其他）, en: Red (other)}\n",
    ).replace("        accepts: [phone]\n", "        accepts: [phone, sign]\n", 1)
    (tmp_path / "fever-check.yaml").write_text(text, "utf-8")
    ok(
        sopflow(
            "case",
            "start",
            "体温筛查",
            "--id",
            "F-1",
            "--role",
            "网格员",
            "--set",
            "姓名=李四",
            "--flows",
            str(tmp_path),
        )
    )
    measured = [
        "case",
        "advance",
        "F-1",
        "已测",
        "--role",
        "网格员",
        "--set",
        "体温=36.5",
        "--set",
        "有症状=否",
    ]
    shared = sopflow(*measured, "--set", "门贴=红色", "--flows", str(tmp_path))
    assert shared.exit_code == 1
    assert shared.output.strip() == (
        "“红色”对应多个选项：红色（重点地区） red_key、红色（其他） red_other — "
        "请改用其中一个的编号（名称后的英文）"
    )
    assert ok(sopflow(*measured, "--set", "门贴=红色(其他)", "--flows", str(tmp_path), "--json"))


# -- 2. free text as typed --------------------------------------------------------------------------


def test_free_text_is_stored_as_typed(sopflow: Run) -> None:
    start(sopflow)
    ok(
        sopflow(
            "case", "advance", "QG-1", "线索已记录", "--role", "网格员", "--set", "线索来源=本人申报",
            "--set", "线索内容=家中有小孩，需要奶粉", "--note", "第三组：王芳",
        )
    )  # fmt: skip
    case = detail(sopflow, "QG-1", "--show-personal")
    data = case["data"]
    assert isinstance(data, dict) and data["lead_note"] == "家中有小孩，需要奶粉"
    history = case["history"]
    assert isinstance(history, list) and history[-1]["note"] == "第三组：王芳"
    assert "线索内容=家中有小孩，需要奶粉" in ok(sopflow("case", "history", "QG-1"))


# -- 3. what the case holds is not asked again ------------------------------------------------------


def test_a_field_the_case_holds_is_offered_not_asked(sopflow: Run) -> None:
    start(sopflow)
    ok(
        sopflow(
            "case",
            "advance",
            "QG-1",
            "线索已记录",
            "--role",
            "网格员",
            "--set",
            "线索来源=本人申报",
            "--set",
            "线索内容=返乡",
        )
    )
    shown = ok(sopflow("case", "show", "QG-1"))
    [line] = [line for line in shown.splitlines() if line.strip().startswith("登记完成")]
    assert "需填写：现住址、户编号、体温、有症状" in line and "已有：姓名=张*" in line
    refused = sopflow("case", "advance", "QG-1", "登记完成", "--role", "网格员", "--set", "体温=36.5")
    assert refused.exit_code == 1
    assert "案件已有的 姓名=张* 不必再填" in refused.output
    offers = detail(sopflow)["offers"]
    assert isinstance(offers, list)
    assert offers[0]["held"] == {"full_name": "张*"} and offers[0]["requires"][0] == "full_name"


# -- 4. settings after the command ------------------------------------------------------------------


def test_settings_may_follow_the_command(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOPFLOW_LANG", "en")
    monkeypatch.setenv("SOPFLOW_NOW", "2020-02-04 08:00")
    monkeypatch.delenv("SOPFLOW_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    started = runner.invoke(
        cli,
        ["case", "start", "supply_request", "--id", "R-1", "--role", "grid_worker",
         "--set", "household_id=H-1",
         "--set", "address=前郭镇", "--at", "2020-02-03 08:00", "--db", store_url, "--lang", "zh",
         "--timezone", "Europe/Berlin"],
    )  # fmt: skip
    assert started.exit_code == 0, started.output
    assert "案件 R-1（生活需求 v2020.03.2）" in started.output
    assert not (tmp_path / "sopflow.db").exists()  # the store given after the command was used
    listed = runner.invoke(cli, ["case", "list", "--json", "--db", store_url, "--timezone", "Europe/Berlin"])
    assert json.loads(listed.output)[0]["updated_at"] == "2020-02-03 08:00"  # typed in Berlin time
    later_wins = runner.invoke(
        cli, ["--lang", "en", "--db", "nowhere.db", "case", "list", "--db", store_url, "--lang", "zh"]
    )
    assert later_wins.output.splitlines()[-1] == "共 1 件"
    flows = runner.invoke(cli, ["flows", "show", "体温筛查", "--flows", str(EXAMPLE.parent)])
    assert flows.exit_code == 0 and "Temperature and symptoms" in flows.output
    bad = runner.invoke(cli, ["case", "list", "--timezone", "Mars/Base", "--lang", "zh"])
    assert bad.exit_code == 2 and "Mars/Base" in bad.output


# -- 5. help and usage errors in Chinese ------------------------------------------------------------


def test_help_and_usage_errors_are_in_the_users_language(monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.setenv("SOPFLOW_LANG", "zh")
    page = runner.invoke(cli, ["case", "advance", "--help"]).output
    assert page.startswith("用法： ") and "case advance [OPTIONS] CASE_ID ACTION" in page
    assert "对案件办理 ACTION" in page and "选项" in page and "显示本帮助并退出。" in page
    assert "以哪个角色办理" in page and "Show this message" not in page
    unknown = runner.invoke(cli, ["case", "list", "--stat", "x"])
    assert unknown.exit_code == 2
    assert "错误：没有选项 '--stat'。" in unknown.output and "case list --help' 查看帮助。" in unknown.output
    missing = runner.invoke(cli, ["case", "advance"])
    assert "错误：缺少参数 'CASE_ID'" in missing.output
    monkeypatch.setenv("SOPFLOW_LANG", "en")
    asked = runner.invoke(cli, ["case", "list", "--stat", "x", "--lang", "zh"])  # --lang after the error
    assert "错误：没有选项" in asked.output
    english = runner.invoke(cli, ["case", "list", "--stat", "x"])
    assert "Error: No such option '--stat'" in english.output
    monkeypatch.delenv("SOPFLOW_LANG")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    assert runner.invoke(cli, ["--help"]).output.startswith("用法：")


# -- 6. labels, not ids -----------------------------------------------------------------------------


def test_json_keeps_ids_and_adds_labels(sopflow: Run) -> None:
    to_pledge(sopflow)
    case = detail(sopflow)
    assert (case["flow"], case["flow_title"]) == ("key_person_control", "重点人员管控")
    assert (case["step"], case["step_label"], case["role"], case["role_label"]) == (
        "notice_pledge", "告知与承诺", "liaison_cadre", "包保干部",
    )  # fmt: skip
    labels, texts = case["data_labels"], case["data_text"]
    assert isinstance(labels, dict) and isinstance(texts, dict)
    assert (labels["category"], texts["category"]) == ("人员类别", "中风险地区来县人员")
    offers = case["offers"]
    assert isinstance(offers, list)
    assert offers[0]["requires"] == ["door_sign", "phone"] and offers[0]["requires_labels"] == [
        "门贴颜色",
        "联系电话",
    ]
    assert offers[0]["roles"] == ["liaison_cadre", "grid_worker", "community_doctor"]
    assert offers[0]["role_labels"] == ["包保干部", "网格员", "社区医生"]
    [due] = json.loads(ok(sopflow("due", "--json", "--within", "1d", "--now", "2020-02-01 11:00")))
    assert due["roles"] == ["liaison_cadre"] and due["role_labels"] == ["包保干部"]


def test_ids_only_where_asked_for(sopflow: Run) -> None:
    to_pledge(sopflow)
    plain = ok(sopflow("case", "show", "QG-1"))
    assert "notice_pledge" not in plain and "liaison_cadre" not in plain
    with_ids = ok(sopflow("case", "show", "QG-1", "--ids"))
    assert "当前步骤：告知与承诺 notice_pledge — 负责：包保干部 liaison_cadre" in with_ids


# -- 7. columns by display width --------------------------------------------------------------------


def _starts(lines: list[str], cell: str) -> set[int]:
    """The display column where `cell` starts on each line that has it."""
    return {width(line[: line.index(cell)]) for line in lines if cell in line}


def test_columns_line_up_by_display_width(sopflow: Run) -> None:
    start(sopflow, "QG-1")
    for case_id in ("R-1", "R-LONGER-ID-1"):
        ok(sopflow("case", "start", "生活需求", "--id", case_id, "--role", "网格员", "--set", "户编号=H-1",
                   "--set", "住址=前郭镇", "--at", "2020-02-03 08:00"))  # fmt: skip
    ok(sopflow("case", "advance", "R-1", "已分类", "--role", "网格员", "--set", "需求类型=食品日用品",
               "--set", "所需物品=米", "--set", "急需=否", "--at", "2020-02-03 08:10"))  # fmt: skip
    lines = ok(sopflow("case", "list")).splitlines()[:3]
    assert any("代购" in line for line in lines) and any("线索汇集" in line for line in lines)
    assert len(_starts(lines, "2020-02-0")) == 1  # the time column, after flows named in Chinese
    due = ok(sopflow("due", "--within", "3d", "--now", "2020-02-03 10:00")).splitlines()[:-1]
    assert len(due) == 3 and len({width(line[: re.search(r"完成本步骤", line).start()]) for line in due}) == 1  # type: ignore[union-attr]
    flows = ok(sopflow("flows", "list")).splitlines()
    assert len(_starts(flows, "2020.03.")) == 1


# -- 8. phone and ID numbers masked in free text ----------------------------------------------------


def test_numbers_in_free_text_are_masked_in_every_output(sopflow: Run, tmp_path: Path) -> None:
    to_pledge(sopflow)
    ok(sopflow("case", "advance", "QG-1", "已签承诺", "--role", "包保干部", "--set", "门贴颜色=黄色",
               "--note", "户主身份证220721198503120045，电话13912345678"))  # fmt: skip
    ok(
        sopflow(
            "case",
            "advance",
            "QG-1",
            "已落实包保",
            "--role",
            "乡镇指挥部",
            "--set",
            "包保人员及电话=赵干部13812345678",
        )
    )
    outputs = {
        "show": ok(sopflow("case", "show", "QG-1")),
        "history": ok(sopflow("case", "history", "QG-1")),
        "list": ok(sopflow("case", "list")),
        "json": ok(sopflow("case", "show", "QG-1", "--json")),
    }
    ok(sopflow("case", "sheet", "QG-1", "-o", str(tmp_path / "sheet.html")))
    outputs["sheet"] = (tmp_path / "sheet.html").read_text("utf-8")
    for kind, text in outputs.items():
        assert "13812345678" not in text and "13912345678" not in text, kind
        assert "220721198503120045" not in text, kind
    assert "赵干部138****5678" in outputs["show"] and "赵干部138****5678" in outputs["sheet"]
    assert "户主身份证220721********0045，电话139****5678" in outputs["history"]
    shown = ok(sopflow("case", "history", "QG-1", "--show-personal"))
    assert "赵干部13812345678" in shown and "220721198503120045" in shown
