"""Chinese output shows names, not ids: every built-in flow through every kind of output the
command line prints (flows, cases, history, due work, timers, verify, charts' summaries, help)
holds no id of any flow — no snake_case at all — except the case ids, file paths the user gave,
and where the user asked for ids (--ids, --json; messages about a mistake name both)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from sopflow.cli import cli
from sopflow.commands.base import SopflowGroup
from sopflow.language.catalog import builtin_dir, builtin_flows
from sopflow.language.model import Flow

Run = Callable[..., Result]
FLOWS = builtin_flows()
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _ids(flow: Flow) -> set[str]:
    """Every id of a flow: its own and its steps', roles', fields', settings', groups', ways',
    outcomes' and choices'."""
    found = {flow.id, *flow.steps, *flow.roles, *flow.fields, *flow.params, *flow.groups, *flow.outcomes}
    for step in flow.steps.values():
        found |= {way for way, _kind, _to in step.exits()} | {c.name for c in step.checks}
    for spec in flow.fields.values():
        found |= set(spec.choices)
    return found


IDS = set().union(*(_ids(f) for f in FLOWS.values())) - {"next"}


def _own_words(flow: Flow) -> set[str]:
    """Latin words the flow's own Chinese texts use (M1/M3 in 一致（M1/M3）): its words, not ids."""
    texts = [flow.text(flow.title, "zh"), flow.text(flow.description, "zh")]
    for step in flow.steps.values():
        texts += [flow.text(step.label, "zh"), flow.text(step.instructions, "zh")]
        texts += [
            flow.text(w.label, "zh") for w in (*step.actions, *step.branches, *step.timers, *step.checks)
        ]
    for spec in flow.fields.values():
        texts += [flow.text(label, "zh") for label in spec.choices.values()]
    return set(WORD.findall(" ".join(texts)))


OWN_WORDS = set().union(*(_own_words(f) for f in FLOWS.values()))


def ids_in(text: str, allowed: set[str]) -> set[str]:
    """The ids (and any snake_case word) in `text`, but those `allowed` (case ids...)."""
    text = re.sub(r"(?<![\w-])--?[a-z][a-z-]*", " ", text)  # option names (--no-charts) are not ids
    words = set(WORD.findall(text)) | set(SNAKE.findall(text))
    return {w for w in words if (w in IDS or SNAKE.fullmatch(w)) and w not in allowed | OWN_WORDS}


@pytest.fixture
def sopflow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("SOPFLOW_LANG", "zh")
    monkeypatch.setenv("SOPFLOW_ACTOR", "王芳")
    monkeypatch.setenv("SOPFLOW_NOW", "2020-02-20 08:00")
    runner = CliRunner()
    db = f"sqlite:///{tmp_path}/county.db"

    def run(*args: str) -> Result:
        result = runner.invoke(cli, ["--db", db, *args])
        assert result.exit_code in (0, 1), result.output  # verify exits 1 on differences
        return result

    return run


def _walk(sopflow: Run) -> Iterator[tuple[str, Result]]:
    """Cases of every built-in flow, stepped as staff would, every output along the way."""
    steps: list[list[str]] = [
        ["case", "start", "重点人员管控", "--id", "QG-1", "--role", "网格员", "--set", "姓名=张三",
         "--set", "联系电话=13812345678", "--at", "2020-02-01 09:00"],
        ["case", "advance", "QG-1", "线索已记录", "--role", "网格员", "--set", "线索来源=本人申报",
         "--set", "线索内容=自武汉返回", "--at", "2020-02-01 09:10"],
        ["case", "advance", "QG-1", "登记完成", "--role", "网格员", "--set",
         "现住址=前郭镇东风社区3号楼", "--set", "户编号=H-1", "--set", "体温=36.6", "--set", "有症状=否",
         "--set", "身份证号=220721198503120045", "--set", "抵县日期=2020-01-31", "--at",
         "2020-02-01 10:00"],
        ["case", "advance", "QG-1", "已分类", "--role", "社区医生", "--set",
         "人员类别=中风险地区来县人员", "--at", "2020-02-01 11:00"],
        ["case", "advance", "QG-1", "评估完成", "--role", "社区医生", "--set", "居家条件合格=是", "--at",
         "2020-02-01 11:10"],
        ["case", "advance", "QG-1", "已定隔离方式", "--role", "乡镇指挥部", "--set", "隔离方式=居家隔离",
         "--at", "2020-02-01 12:00"],
        ["case", "advance", "QG-1", "已签承诺", "--role", "包保干部", "--set", "门贴颜色=黄色", "--at",
         "2020-02-01 14:00"],
        ["case", "advance", "QG-1", "已落实包保", "--role", "乡镇指挥部", "--set",
         "包保人员及电话=赵干部", "--at", "2020-02-01 15:00"],
        ["case", "advance", "QG-1", "技防布设", "--role", "社区民警", "--set", "技防方式=门外探头",
         "--set", "探头编号=CAM-1", "--at", "2020-02-01 18:00"],
        ["case", "advance", "QG-1", "测体温问症状", "--role", "管控对象及同住人", "--set", "体温=38.2",
         "--set", "有症状=否", "--at", "2020-02-02 08:00"],
        ["case", "start", "生活需求", "--id", "R-1", "--role", "网格员", "--set", "户编号=H-1", "--set",
         "住址=前郭镇", "--at", "2020-02-03 08:00"],
        ["case", "advance", "R-1", "已分类", "--role", "网格员", "--set", "需求类型=药品", "--set",
         "所需物品=布洛芬", "--set", "急需=否", "--at", "2020-02-03 08:20"],
        ["case", "advance", "R-1", "已核实", "--role", "社区医生", "--set", "药品类别=退烧止咳抗生素类",
         "--at", "2020-02-03 08:40"],
        ["case", "start", "身份证居住证三对照", "--id", "T-1", "--role", "社区（村）委会", "--set",
         "房屋编号=D-1", "--set", "住址=前郭镇东风社区3号楼", "--at", "2020-02-03 09:00"],
        ["case", "start", "居家隔离人员生活保障", "--id", "H-1", "--role", "网格员", "--set",
         "户编号=H-9", "--set", "住址=前郭镇", "--at", "2020-02-03 09:00"],
    ]  # fmt: skip
    for args in steps:
        done = sopflow(*args)
        assert done.exit_code == 0, done.output
        yield " ".join(args[:3]), done
    for case_id in ("QG-1", "QG-1.1", "R-1", "T-1", "H-1"):
        yield f"show {case_id}", sopflow("case", "show", case_id)
        yield f"history {case_id}", sopflow("case", "history", case_id)
    yield "list", sopflow("case", "list")
    yield "due", sopflow("due", "--within", "30d", "--now", "2020-02-03 10:00")
    yield "tick", sopflow("tick")
    yield "verify", sopflow("verify")


def test_no_ids_in_any_case_output(sopflow: Run) -> None:
    allowed = {"QG", "R", "T", "H", "CAM", "D"}  # the parts of case ids and codes typed in
    found = {kind: ids_in(result.output, allowed) for kind, result in _walk(sopflow)}
    assert {kind: ids for kind, ids in found.items() if ids} == {}


@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_no_ids_in_a_flow_shown_or_walked(flow_id: str, sopflow: Run) -> None:
    title = FLOWS[flow_id].text(FLOWS[flow_id].title, "zh")
    outputs = {
        "show": sopflow("flows", "show", title).output,
        "paths": sopflow("flows", "paths", title, "--cover").output,
        "list": sopflow("flows", "list").output,
        "validate": sopflow("flows", "validate", str(builtin_dir() / f"{flow_id}.yaml")).output,
    }
    outputs["validate"] = outputs["validate"].replace(
        str(builtin_dir() / f"{flow_id}.yaml"), ""
    )  # the path typed
    found = {kind: ids_in(text, set()) for kind, text in outputs.items()}
    assert {kind: ids for kind, ids in found.items() if ids} == {}


@pytest.mark.needs_dot
def test_no_ids_in_what_printing_says(sopflow: Run, tmp_path: Path) -> None:
    drawn = sopflow("render", "生活需求", "-f", "dot", "-o", str(tmp_path / "charts")).output
    assert ids_in(drawn.replace(str(tmp_path), ""), set()) <= {"supply_request"}  # in the file names only
    assert drawn.startswith("生活需求：")


def _every(group: click.Group) -> MutableMapping[str, click.Command]:
    """The group's commands, those imported only when run (SopflowGroup.add_lazy) too."""
    return group.every_command() if isinstance(group, SopflowGroup) else group.commands


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in sorted(_every(group).items()):
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))


def _choices(group: click.Group) -> set[str]:
    """The values options take from a fixed list (`--by village`): typed as they are."""
    found: set[str] = set()
    for command in _every(group).values():
        found |= {str(c) for p in command.params if isinstance(p.type, click.Choice) for c in p.type.choices}
        if isinstance(command, click.Group):
            found |= _choices(command)
    return found


@pytest.mark.parametrize("path", [(), *_commands(cli)], ids=lambda p: " ".join(p) or "sopflow")
def test_no_ids_in_the_help(path: tuple[str, ...], sopflow: Run) -> None:
    page = sopflow(*path, "--help").output
    commands = {name for command in _commands(cli) for name in command}  # typed as they are
    assert ids_in(page, commands | _choices(cli)) == set()
    assert "Show this message" not in page and "Usage:" not in page
