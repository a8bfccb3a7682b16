"""The command line, through click's CliRunner: exit codes, output, help, and the README."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from sopflow import load_flow
from sopflow.cli import cli, main
from sopflow.language.catalog import builtin_flows

ROOT = Path(__file__).parents[2]
INVALID = ROOT / "tests" / "data" / "invalid"
FLOWS = ROOT / "sopflow" / "flows"


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SOPFLOW_LANG", "en")
    return CliRunner()


def test_flows_list_names_every_builtin_flow(run: CliRunner) -> None:
    result = run.invoke(cli, ["flows", "list", "--json"])
    assert result.exit_code == 0, result.output
    ids = {row["id"] for row in json.loads(result.output)}
    assert {"key_person_control", "home_isolation_supply", "supply_request", "three_check"} <= ids


def test_flows_show_in_chinese_and_english(run: CliRunner) -> None:
    zh = run.invoke(cli, ["flows", "show", "key_person_control", "--lang", "zh"])
    en = run.invoke(cli, ["flows", "show", "key_person_control", "--lang", "en"])
    assert zh.exit_code == en.exit_code == 0
    assert "重点人员管控" in zh.output and "角色：" in zh.output
    assert "Key-person control" in en.output and "Roles:" in en.output


def test_flows_show_json_lists_steps_with_roles_and_deadlines(run: CliRunner) -> None:
    result = run.invoke(cli, ["flows", "show", "key_person_control", "--json"])
    detail = json.loads(result.output)
    assert all(step["role"] in detail["roles"] for step in detail["steps"])
    assert any(step["deadline"] for step in detail["steps"])


def test_validate_exit_codes(run: CliRunner) -> None:
    clean = run.invoke(cli, ["flows", "validate", *map(str, sorted(FLOWS.glob("*.yaml")))])
    assert clean.exit_code == 0, clean.output
    broken = sorted(INVALID.glob("*.yaml"))[:3]
    result = run.invoke(cli, ["flows", "validate", *map(str, broken)])
    assert result.exit_code == 1
    for path in broken:
        assert re.search(rf"^{re.escape(str(path))}:\d+:\d+: ", result.output, re.MULTILINE)


def test_validate_json_gives_every_problem_with_its_place(run: CliRunner) -> None:
    broken = sorted(INVALID.glob("*.yaml"))[0]
    result = run.invoke(cli, ["flows", "validate", "--json", str(broken)])
    assert result.exit_code == 1
    [report] = json.loads(result.output)
    assert not report["ok"] and report["problems"]
    assert {"line", "column", "message", "code", "severity"} <= set(report["problems"][0])


def test_unknown_flow_id_is_one_line_with_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["flows", "show", "key_person_contrl"])
    assert exited.value.code == 1
    err = capsys.readouterr().err.strip()
    assert "key_person_control" in err and "Traceback" not in err and "\n" not in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["flows", "show"])
    assert exited.value.code == 2


def test_paths_reach_every_outcome_of_every_builtin_flow(run: CliRunner) -> None:
    listed = json.loads(run.invoke(cli, ["flows", "list", "--json"]).output)
    for row in listed:
        result = run.invoke(cli, ["flows", "paths", row["id"], "--json"])
        assert result.exit_code == 0, result.output
        reached = {path["outcome"] for path in json.loads(result.output)}
        assert reached == set(row["outcomes"]), row["id"]


def test_paths_cover_takes_every_way_out_with_fewer_paths(run: CliRunner) -> None:
    everything = json.loads(run.invoke(cli, ["flows", "paths", "key_person_control", "--json"]).output)
    covered = json.loads(
        run.invoke(cli, ["flows", "paths", "key_person_control", "--cover", "--json"]).output
    )
    ways = {(h["from"], h["way"], h["to"]) for p in everything for h in p["hops"]}
    taken = {(h["from"], h["way"], h["to"]) for p in covered for h in p["hops"]}
    graph = builtin_flows()["key_person_control"].graph
    assert taken == {(u, d["name"], v) for u, v, d in graph.edges(data=True)}  # every way out, once at least
    edges = {(h["from"], h["to"], h["key"]) for p in covered for h in p["hops"]}
    assert edges == set(graph.edges(keys=True))  # by key: two `repledged` ways to one step both taken
    # the listing leaves out what the cover takes: the interrupts (a fever report from any step), the
    # ways out of a step reached only by one (emergency care), and a loop back through two steps at
    # once (an extension, reviewed again)
    assert ways < taken
    assert {
        ("home_observation", "taken_to_hospital", "emergency_care"),
        ("emergency_care", "back_home", "resume_route"),
        ("observation_extended", "extension_over", "release_review"),
    } <= taken - ways
    assert len(covered) < len(everything)


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    """Every command, as `--help` lists them: the lazily imported ones too."""
    context = click.Context(group)
    found = []
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found += _commands(command, f"{prefix}{name} ")
    return found


def test_every_command_is_walked_by_the_tests_below() -> None:
    """The two tests below walk the commands; a walk that finds none would pass them unseen."""
    names = {name for name, _ in _commands(cli)}
    assert {"case advance", "case amend", "report daily", "worklist", "alert list", "export"} <= names


@pytest.mark.parametrize(("name", "command"), _commands(cli), ids=lambda v: v if isinstance(v, str) else "")
def test_every_command_has_help_and_is_in_the_readme(name: str, command: click.Command) -> None:
    assert command.help and command.help.strip()
    assert f"sopflow {name}" in (ROOT / "README.md").read_text("utf-8")


WRITES_FILES = {  # they print where they wrote, no data
    *("render", "handbook", "case chart", "case sheet", "worklist", "building chart", "export")
}


@pytest.mark.parametrize(
    ("name", "command"),
    [(n, c) for n, c in _commands(cli) if not isinstance(c, click.Group)],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_every_command_takes_lang_and_every_read_command_json(name: str, command: click.Command) -> None:
    options = {opt for param in command.params for opt in param.opts}
    assert "--lang" in options
    if name not in WRITES_FILES:
        assert "--json" in options


@pytest.mark.parametrize("zone", ["", "Mars/Olympus_Mons", "../etc/passwd", "Asia/Shanghai "])
def test_a_time_zone_that_does_not_exist_is_a_usage_error(run: CliRunner, zone: str) -> None:
    result = run.invoke(cli, ["--timezone", zone, "case", "list"])
    assert result.exit_code == 2
    assert f"Invalid value for '--timezone': '{zone}' is not a time zone — use a name such as" in (
        result.output
    )
    chinese = run.invoke(cli, ["--timezone", zone, "flows", "list"], env={"SOPFLOW_LANG": "zh"})
    assert chinese.exit_code == 2 and "不是时区" in chinese.output


DIAMONDS = ROOT / "tests" / "data" / "user" / "diamonds.yaml"  # 40 decisions in a row: 2**40 paths


@pytest.mark.parametrize("extra", [[], ["--outcome", "done"]])
def test_paths_cover_of_a_flow_with_too_many_paths_to_list(run: CliRunner, extra: list[str]) -> None:
    result = run.invoke(cli, ["flows", "paths", str(DIAMONDS), "--cover", "--json", *extra])
    assert result.exit_code == 0, result.output
    covered = json.loads(result.output)
    assert len(covered) == 2 and {p["outcome"] for p in covered} == {"done"}
    ways = {(h["from"], h["way"], h["to"]) for p in covered for h in p["hops"]}
    graph = load_flow(DIAMONDS).graph
    assert ways == {(u, d["name"], v) for u, v, d in graph.edges(data=True)}  # every way out


def test_paths_of_an_outcome_with_too_many_paths_says_how_many_and_what_to_do(run: CliRunner) -> None:
    result = run.invoke(cli, ["flows", "paths", str(DIAMONDS), "--outcome", "done"])
    assert result.exit_code == 1
    assert "1,099,511,627,776 paths ending in End (done)" in result.output
    assert "use --cover" in result.output
    zh = run.invoke(cli, ["flows", "paths", str(DIAMONDS), "--outcome", "done", "--lang", "zh"])
    assert "共 1,099,511,627,776 条路径（结果为 结束 done）" in zh.output and "--cover" in zh.output


def test_paths_of_one_outcome_skip_the_ways_that_cannot_reach_it(run: CliRunner) -> None:
    result = run.invoke(cli, ["flows", "paths", "supply_request", "--outcome", "redirected_flow1", "--json"])
    assert result.exit_code == 0, result.output
    assert {p["outcome"] for p in json.loads(result.output)} == {"redirected_flow1"}


needs_dot = pytest.mark.needs_dot
CATALOG = ROOT / "tests" / "data" / "catalog"  # --flows folders as users leave them


def _listed(output: str) -> list[str]:
    """The ids of the flows `flows list --json` lists."""
    return [row["id"] for row in json.loads(output)]


@pytest.mark.parametrize("folder", ["dup", "half"])  # two good files; a good file and a broken draft
def test_two_files_with_one_id_are_an_error_naming_both(run: CliRunner, folder: str) -> None:
    second = "b.yaml" if folder == "dup" else "zz_draft.yaml"
    first = "a.yaml" if folder == "dup" else "checkpoint.yaml"
    where = CATALOG / folder
    problem = (
        f"{where / second}:3:1: flow id 'checkpoint' is also the id in {where / first}:3:1 — two files "
        "in one folder cannot share an id"
    )
    listed = run.invoke(cli, ["--flows", str(where), "flows", "list", "--json"])
    assert listed.exit_code == 1
    assert problem in listed.stderr
    assert "checkpoint" not in _listed(listed.stdout) and "key_person_control" in _listed(listed.stdout)
    if folder == "half":
        assert "mask_distribution" in _listed(listed.stdout)
    shown = run.invoke(cli, ["--flows", str(where), "flows", "show", "checkpoint"])
    assert shown.exit_code == 1 and problem in shown.stderr


def test_a_broken_file_is_told_and_the_other_flows_still_listed_and_usable(
    run: CliRunner, tmp_path: Path
) -> None:
    where = CATALOG / "broken"
    listed = run.invoke(cli, ["--flows", str(where), "flows", "list", "--json"])
    assert listed.exit_code == 1
    assert f"{where / 'draft.yaml'}:129:13: no step named 'clinic_ned'" in listed.stderr
    assert f"{where / 'unfinished.yaml'}:3:1: not valid YAML" in listed.stderr  # not even its id can be read
    assert {"checkpoint", "key_person_control"} <= set(_listed(listed.stdout))
    as_json = run.invoke(cli, ["--flows", str(where), "flows", "list", "--json"])
    assert "checkpoint" in {row["id"] for row in json.loads(as_json.stdout)}
    shown = run.invoke(cli, ["--flows", str(where), "flows", "show", "checkpoint"])
    assert shown.exit_code == 0, shown.output
    drawn = run.invoke(cli, ["--flows", str(where), "render", "--all", "-f", "dot", "-o", str(tmp_path)])
    assert drawn.exit_code == 1
    assert "no step named 'clinic_ned'" in drawn.stderr
    assert (tmp_path / "checkpoint.en.dot").exists() and (tmp_path / "three_check.en.dot").exists()


def test_known_flows_are_only_those_that_load(run: CliRunner) -> None:
    result = run.invoke(cli, ["flows", "validate", str(CATALOG / "siblings" / "subflow_missing.yaml")])
    assert result.exit_code == 1
    known = result.output.split("known flows: ")[1].split()[0:]
    assert "CheckPoint," not in known and "卡口检查" not in result.output
    assert "key_person_control," in known


MONGOLIAN = ROOT / "tests" / "data" / "languages" / "mn.yaml"  # languages: [zh, en, mn]
STOP_MN = "ᠮᠠᠰᠢᠨ ᠪᠦᠷᠢᠳᠬᠡᠯ"  # the one step label it has in mn


def test_a_language_the_flow_declares_can_be_shown(run: CliRunner, tmp_path: Path) -> None:
    shown = run.invoke(cli, ["flows", "show", str(MONGOLIAN), "--lang", "mn"])
    assert shown.exit_code == 0, shown.output
    assert f"1. {STOP_MN}  task" in shown.output  # sopflow's own words in English
    assert "Steps:" in shown.output and "逐人测温" in shown.output  # no mn text: the primary one
    drawn = run.invoke(cli, ["render", str(MONGOLIAN), "--lang", "mn", "-f", "dot", "-o", str(tmp_path)])
    assert drawn.exit_code == 0, drawn.output
    drawn_text = (tmp_path / "checkpoint.mn.dot").read_text("utf-8")
    assert all(word in drawn_text for word in STOP_MN.split())  # whole words, wrapped at the space
    book = tmp_path / "book.html"
    written = run.invoke(cli, ["handbook", str(MONGOLIAN), "--lang", "mn", "--no-charts", "-o", str(book)])
    assert written.exit_code == 0, written.output
    assert STOP_MN in book.read_text("utf-8")


def test_a_language_the_flow_does_not_declare_is_one_clear_line(run: CliRunner) -> None:
    result = run.invoke(cli, ["flows", "show", "key_person_control", "--lang", "mn"])
    assert result.exit_code == 1
    assert result.stderr == (
        "flow 'key_person_control' is not written in 'mn' — use one of its languages: zh, en\n"
    )
    not_a_code = run.invoke(cli, ["flows", "show", str(MONGOLIAN), "--lang", "mongolian"])
    assert not_a_code.exit_code == 2
    assert "'mongolian' is not a language code — use a code such as zh, en or mn" in not_a_code.output


def test_timers_and_deadlines_read_in_words_with_the_fields_label(run: CliRunner) -> None:
    zh = run.invoke(cli, ["flows", "show", "key_person_control", "--lang", "zh"]).output
    assert "观察期满：自 计时起始日（系统按规则计算） 起 14 天后 → 期满评估\n" in zh
    assert "补充期满：进入本步起 2 天后 → 期满评估\n" in zh
    assert "自 entered" not in zh and "自 basis_date" not in zh and "14d" not in zh
    assert (
        "核实登记  任务 · 网格员 · 时限 1 天" in zh and "测体温问症状 每天 08:00、16:00（前后 1 小时）" in zh
    )
    en = run.invoke(cli, ["flows", "show", "key_person_control", "--lang", "en"]).output
    assert "Period over 14 days after Basis date (worked out) → End-of-period review" in en
    assert "Extension over 2 days after entering this step → End-of-period review" in en
    assert "within 1 day" in en and "at 08:00, 16:00, 1 hour either side" in en
    assert "Disinfection guidance every 1 day" in en


@needs_dot
def test_one_chart_page_is_one_page(run: CliRunner, tmp_path: Path) -> None:
    flow = ROOT / "tests" / "data" / "user" / "checkpoint.yaml"  # fits on one page
    book = run.invoke(cli, ["handbook", str(flow), "--lang", "en", "-o", str(tmp_path / "b.html")])
    assert book.exit_code == 0, book.output
    assert book.output.strip() == f"Wrote {tmp_path / 'b.html'} (1 chart page)."
    drawn = run.invoke(cli, ["render", str(flow), "--lang", "en", "-f", "dot", "-o", str(tmp_path)])
    assert drawn.output.startswith("Checkpoint vehicle check: 1 page, smallest text ")
