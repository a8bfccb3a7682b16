"""Printable HTML pages: the handbook of every built-in flow, a case sheet, and their commands."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from sopflow import builtin_flows, load_flow
from sopflow.commands.cases import case_group
from sopflow.commands.pages import case_sheet_command, handbook_command
from sopflow.engine.runtime import Engine
from sopflow.engine.sheet_views import case_sheet_view
from sopflow.language.wording import condition_words
from sopflow.render.casesheet import case_sheet_html
from sopflow.render.handbook import handbook_html
from sopflow.render.svg import inline_svg
from sopflow.store.store import open_store
from tests.conftest import Clock

FLOWS = builtin_flows()
LANGS = ("zh", "en")
needs_dot = pytest.mark.needs_dot
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
SVG_LEAVES = frozenset({"path", "polygon", "polyline", "ellipse", "circle", "rect", "line", "stop", "image"})


def sheet_html(
    engine: Engine, case_id: str, *, lang: str, now: datetime | None = None, show_personal: bool = False
) -> str:
    """The case sheet as `sopflow case sheet` prints it: a view made by the Engine, then the page."""
    return case_sheet_html(case_sheet_view(engine, case_id, lang, now, show_personal=show_personal), lang)


class Page(HTMLParser):
    """Parses a page strictly enough to catch broken markup: every element closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.problems: list[str] = []
        self.texts: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.open[-1] if self.open else '-'}>")
            return
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if not self.open or self.open[-1] not in ("style", "title"):
            self.texts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.texts).split())


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    assert page.problems == []
    assert page.open == []
    assert html.startswith("<!DOCTYPE html>")
    return page


def words(text: str) -> str:
    return " ".join(text.split())


# -- the handbook --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_handbook_without_charts_has_every_step_role_and_setting(flow_id: str, lang: str) -> None:
    flow = FLOWS[flow_id]
    html = handbook_html(flow, lang, organisation="前郭县疫情防控指挥部", date="2020-02-01", charts=False)
    page = parse(html)
    text = page.text
    assert words(flow.text(flow.title, lang)) in text
    assert flow.version in text
    assert "前郭县疫情防控指挥部" in text and "2020-02-01" in text
    for step in flow.steps.values():
        assert words(flow.text(step.label, lang)) in text, step.id
        if step.instructions:
            assert words(flow.text(step.instructions, lang)) in text, step.id
        for document in step.documents:
            assert words(flow.text(document, lang)) in text
        for action in step.actions:  # staff type the action's name as it reads: no id
            assert words(flow.text(action.label, lang) or action.name) in text
            assert lang != "zh" or action.name not in text or action.name in flow.text(action.label, lang)
    for role in flow.roles.values():
        assert words(flow.text(role, lang)) in text
    for param in flow.params.values():
        assert words(flow.text(param.label, lang)) in text
    assert "<svg" not in html
    assert page.tags[0][0] == "html" and page.tags[0][1]["lang"] == ("zh-CN" if lang == "zh" else "en")


@needs_dot
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_handbook_inlines_each_chart_page_as_svg(flow_id: str, lang: str) -> None:
    flow = FLOWS[flow_id]
    html = handbook_html(flow, lang, organisation="前郭县", date="2020-02-01")
    page = parse(html)
    svgs = re.findall(r"<svg\b.*?</svg>", html, re.DOTALL)
    sections = [
        attrs for tag, attrs in page.tags if tag == "section" and "chart-page" in (attrs["class"] or "")
    ]
    assert svgs and len(svgs) == len(sections)
    assert "<?xml" not in html and "<!DOCTYPE svg" not in html
    ids: list[str] = []
    for svg in svgs:
        root = ET.fromstring(svg)  # noqa: S314 (our own output: it must be well-formed XML)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert root.get("viewBox") and root.get("width", "").endswith("pt")
        assert root.get("class") == "chart"
        ids += [e.get("id", "") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))  # ids stay unique across the pages
    text = page.text
    for step in flow.steps.values():
        assert words(flow.text(step.label, lang)) in text
    for role in flow.roles.values():
        assert words(flow.text(role, lang)) in text
    chart_page = "第 1 页" if lang == "zh" else "chart page 1"
    assert chart_page in text  # each step says where it is drawn


def test_handbook_is_chinese_by_default_and_says_conditions_in_words() -> None:
    flow = FLOWS["supply_request"]
    html = handbook_html(flow, charts=False)
    text = parse(html).text
    assert "各步骤说明" in text
    assert "条件：需求类型为药品" in text
    assert 'request_type == "medicine"' not in text
    assert "否则（以上条件均不成立）" in text
    assert (
        "结束时按不适者身份证号、户编号（取第一个已填写的）通知相应的“重点人员管控”案件：“报告发热”。" in text
    )  # by title
    english = parse(handbook_html(flow, "en", charts=False)).text
    assert "when Kind of request is Medicine" in english
    assert "automatically" not in english  # no timers in this flow
    kp = parse(handbook_html(FLOWS["key_person_control"], "en", charts=False)).text
    assert "automatically, 14 days after" in kp
    assert "Temperature ≥ 37.3 ℃" in kp  # the setting as the reading it is compared with
    assert "at 08:00, 16:00, 1 hour either side: Temperature and symptoms" in kp
    assert "once, within 1 day: Set up the door watch" in kp


@pytest.mark.parametrize(
    ("source", "zh", "en"),
    [
        ('request_type == "medicine"', "需求类型为药品", "Kind of request is Medicine"),
        ("urgent", "急需：是", "Urgent: yes"),
        ("not urgent", "急需：否", "Urgent: no"),
        ("substitute_note is defined", "已填写替代说明", "What was substituted is filled in"),
        (
            'request_type in ["medicine", "symptoms"] and not urgent',
            "需求类型为药品、身体不适之一 且 急需：否",
            "Kind of request is one of Medicine, Feeling ill and Urgent: no",
        ),
        (
            'urgent or (amount > 100 and payer != "donated")',
            "急需：是 或 （金额 > 100 且 付款方不为捐赠物资免费）",
            "Urgent: yes or (Amount > 100 and Who pays is not Donated, free)",
        ),
        ("amount * 2 > 10", "amount * 2 > 10", "amount * 2 > 10"),  # no words for arithmetic
    ],
)
def test_conditions_in_words(source: str, zh: str, en: str) -> None:
    flow = FLOWS["supply_request"]
    assert condition_words(flow, source, "zh") == zh
    assert condition_words(flow, source, "en") == en


def test_flow_text_is_escaped(tmp_path: Path) -> None:
    source = (Path(__file__).parents[2] / "sopflow/flows/supply_request.yaml").read_text("utf-8")
    source = source.replace("label: {zh: 登记分类, en: Log and sort}", "label: {zh: '<b>登记</b>', en: Log}")
    path = tmp_path / "supply_request.yaml"
    path.write_text(source, "utf-8")
    html = handbook_html(load_flow(path), "zh", organisation="<i>县</i>", charts=False)
    assert "&lt;b&gt;登记&lt;/b&gt;" in html and "<b>登记</b>" not in html
    assert "&lt;i&gt;县&lt;/i&gt;" in html


GRAPHVIZ_243_MARGIN = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"
 "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<!-- Generated by graphviz version 2.43.0 (0)
 -->
<svg width="595pt" height="825pt"
 viewBox="133.20 36.00 462.20 789.06" xmlns="http://www.w3.org/2000/svg">
<g id="graph0" class="graph" transform="scale(0.88 0.88) rotate(0) translate(157.97 885.95)">
<title>x</title>
<polygon fill="white" stroke="transparent" points="-7.2,7.2 -7.2,-845.2 365.2,-845.2 365.2,7.2 -7.2,7.2"/>
<g id="node1" class="node"><title>a</title></g>
</g>
</svg>
"""


def test_inline_svg_drops_the_prolog_prefixes_ids_and_mends_a_shifted_view_box() -> None:
    svg = inline_svg(GRAPHVIZ_243_MARGIN, "p2-")
    assert svg.startswith("<svg ")
    root = ET.fromstring(svg)  # noqa: S314 (a fixed test string)
    assert root.get("viewBox") == "132.68 35.86 327.71 750.11"  # the drawing: (points + translate) x scale
    assert root.get("width") == "327.71pt" and root.get("height") == "750.11pt"
    assert [e.get("id") for e in root.iter() if e.get("id")] == ["p2-graph0", "p2-node1"]
    right = GRAPHVIZ_243_MARGIN.replace('height="825pt"', 'height="789.06pt"').replace(
        'width="595pt"', 'width="462.2pt"'
    )
    assert 'viewBox="133.20 36.00 462.20 789.06"' in inline_svg(right, "p1-")  # a right one stays


# -- the case sheet ------------------------------------------------------------------------------------


@pytest.fixture
def sqlite_engine(tmp_path: Path, clock: Clock) -> Iterator[Engine]:
    store = open_store(f"sqlite:///{tmp_path}/cases.db")
    yield Engine(store, clock=clock)
    store.close()


@pytest.fixture
def request_case(sqlite_engine: Engine, clock: Clock) -> str:
    sqlite_engine.start(
        "supply_request",
        "R-0001",
        {"household_id": "H-1", "address": "东风社区1号楼"},
        actor="王芳",
        role="grid_worker",
        place="前郭镇/东风社区",
    )
    clock.advance(minutes=20)
    sqlite_engine.fire(
        "R-0001",
        "sorted",
        actor="王芳",
        role="grid_worker",
        data={"request_type": "groceries", "items": "大米", "urgent": "no"},
        note="<script>alert(1)</script>",
    )
    return "R-0001"


@pytest.mark.parametrize("lang", LANGS)
def test_case_sheet_escapes_notes_masks_and_lists_history(
    sqlite_engine: Engine, request_case: str, lang: str
) -> None:
    html = sheet_html(sqlite_engine, request_case, lang=lang)
    page = parse(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html
    text = page.text
    assert "<script>alert(1)</script>" in text  # shown as text
    assert "东风社区1号楼" not in html
    assert "东******" in text  # masked, still recognisable
    assert "王芳" not in html and "王*" in text  # the staff member's name too
    assert "前郭镇/东风社区" in text
    assert "R-0001" in text and "2020.03.2" in text
    if lang == "zh":
        assert "代购" in text and "志愿者" in text  # the step and who is responsible
        assert "已分类" in text and "立案" in text and "判断：代购" in text  # the history
        assert "网格员" in text and "系统" in text
        assert "需求类型 = 食品日用品" in text and "急需 = 否" in text
        assert "否则：各条件均不成立（需求类型 = 食品日用品）" in text  # the why of the decisions
        assert "已买到" in text and "需填写" in text  # what can be done next
        assert "完成“代购”" in text and "2020-02-01 19:20" in text  # the 10-hour limit
    else:
        assert "Buy" in text and "Volunteer" in text
        assert "Case opened" in text and "Sorted" in text and "Decided: Goods" in text
        assert "Kind of request = Groceries and daily goods" in text and "Urgent = no" in text
        assert "otherwise: none of the conditions held" in text
    history_rows = re.findall(r"<tr>\s*<td class=\"number\">(\d+)</td>", html)
    assert history_rows == ["1", "2", "3", "4"]


def test_case_sheet_shows_personal_data_when_asked(sqlite_engine: Engine, request_case: str) -> None:
    html = sheet_html(sqlite_engine, request_case, lang="zh", show_personal=True)
    text = parse(html).text
    assert "东风社区1号楼" in text and "王芳" in text
    assert "含未打码的个人信息" in text


def test_case_sheet_marks_overdue_items(sqlite_engine: Engine, request_case: str, clock: Clock) -> None:
    on_time = parse(sheet_html(sqlite_engine, request_case, lang="en")).text
    assert "OVERDUE" not in on_time
    late = clock.advance(hours=11)
    text = parse(sheet_html(sqlite_engine, request_case, lang="en", now=late)).text
    assert "OVERDUE" in text


def test_case_sheet_gives_the_condition_a_decision_took(sqlite_engine: Engine, clock: Clock) -> None:
    sqlite_engine.start(
        "supply_request",
        "R-2",
        {"household_id": "H-2", "address": "东风社区2号楼"},
        actor="王芳",
        role="grid_worker",
    )
    sqlite_engine.fire(
        "R-2",
        "sorted",
        actor="王芳",
        role="grid_worker",
        data={"request_type": "medicine", "items": "降压药", "urgent": "no"},
    )
    text = parse(sheet_html(sqlite_engine, "R-2", lang="zh")).text
    assert "判断：药品" in text
    assert "依据：需求类型为药品（需求类型 = 药品）" in text
    assert "药品核实" in text and "社区医生" in text


def test_case_sheet_masks_every_actor(sqlite_engine: Engine) -> None:
    sqlite_engine.start(
        "key_person_control", "K-1", {"full_name": "张三丰"}, actor="王芳", role="grid_worker"
    )
    sqlite_engine.fire(
        "K-1", "close_other", actor="张三丰", role="grid_worker", data={"close_reason": "重复"}
    )
    masked = parse(sheet_html(sqlite_engine, "K-1", lang="zh")).text
    assert "张三丰" not in masked and "张**" in masked
    assert "王芳" not in masked and "王*" in masked  # staff are people too; their role is shown
    shown = parse(sheet_html(sqlite_engine, "K-1", lang="zh", show_personal=True)).text
    assert "张三丰" in shown and "王芳" in shown


def test_sheet_of_an_ended_case(sqlite_engine: Engine, request_case: str) -> None:
    sqlite_engine.fire(
        request_case, "not_available", actor="李强", role="volunteer", data={"decline_reason": "缺货"}
    )
    text = parse(sheet_html(sqlite_engine, request_case, lang="zh")).text
    assert "已结束：declined" in text
    assert "缺货" in text


# -- the commands ------------------------------------------------------------------------------------


def runner() -> CliRunner:
    """A runner without SOPFLOW_LANG, so that the pages come in their default language."""
    return CliRunner(env={"SOPFLOW_LANG": None})


def commands() -> click.Group:
    """The commands as the lead registers them: `handbook` at the top, `sheet` under `case`."""

    @click.group()
    @click.option("--db", default=None)
    @click.option("--timezone", default="Asia/Shanghai")
    def root(db: str | None, timezone: str) -> None:
        """sopflow, as far as these commands need it."""

    case = click.Group("case", commands=dict(case_group.commands))
    case.add_command(case_sheet_command)
    root.add_command(case)
    root.add_command(handbook_command)
    return root


def test_handbook_command_writes_the_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "supply.html"
    result = runner().invoke(
        commands(),
        [
            "handbook",
            "supply_request",
            "-o",
            str(target),
            "--org",
            "东风社区",
            "--date",
            "2020-02-01",
            "--no-charts",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "已写入" in result.output
    text = parse(target.read_text("utf-8")).text
    assert "生活需求" in text and "东风社区" in text and "2020-02-01" in text


def test_handbook_command_takes_a_file_and_english(tmp_path: Path) -> None:
    flow_file = Path(__file__).parents[2] / "sopflow/flows/three_check.yaml"
    target = tmp_path / "three.html"
    result = runner().invoke(
        commands(), ["handbook", str(flow_file), "-o", str(target), "--lang", "en", "--no-charts"]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output
    assert "Handbook" in parse(target.read_text("utf-8")).text


def test_sheet_command(tmp_path: Path, request_case: str) -> None:
    target = tmp_path / "R-0001.html"
    db = f"sqlite:///{tmp_path}/cases.db"
    args = ["--db", db, "case", "sheet", "R-0001", "-o", str(target), "--now", "2020-02-02 08:00"]
    result = runner().invoke(commands(), args)
    assert result.exit_code == 0, result.output
    html = target.read_text("utf-8")
    text = parse(html).text
    assert "截至 2020-02-02 08:00" in text and "已超时" in text
    assert "东风社区1号楼" not in html
    result = runner().invoke(commands(), [*args, "--show-personal", "--lang", "en"])
    assert result.exit_code == 0, result.output
    text = parse(target.read_text("utf-8")).text
    assert "东风社区1号楼" in text and "OVERDUE" in text
    bad = runner().invoke(commands(), [*args[:-1], "tomorrow"])
    assert bad.exit_code == 2 and "--now" in bad.output


def test_every_option_has_help() -> None:
    for command in (handbook_command, case_sheet_command):
        assert command.help
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{command.name} {param.name}"


def test_the_docs_python_example_runs(tmp_path: Path) -> None:
    docs = (Path(__file__).parents[2] / "docs/handbooks.md").read_text("utf-8")
    (block,) = re.findall(r"```python\n(.*?)```", docs, re.DOTALL)
    script = tmp_path / "example.py"
    script.write_text(block, "utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "characters" in done.stdout
