"""A case drawn on its flow's chart: only the ways it went are marked, each once, in order."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sopflow.engine.runtime import Engine
from sopflow.render import graphviz_run
from sopflow.render.chart import build_chart, split_by_group
from sopflow.render.dot import page_dot
from sopflow.render.printing import PrintOptions, lay_out, write_chart
from sopflow.render.trace import case_highlight, pages_for_case
from sopflow.store.store import open_store
from tests.conftest import Clock
from tests.render.test_charts import _words as pdf_words

THREE_CHECK_TO_RENTED = [  # (action, role, data): a person in a rented flat, up to its registration
    ("checked", "community_police", {"document_ok": True}),
    ("asked", "grid_worker", {"temperature": 36.5, "symptoms": False, "travel_risk": False}),
    ("matched", "grid_worker", {"match_code": "M7"}),
]
KEY_PERSON_TO_OBSERVATION = [
    ("lead_logged", "grid_worker", {"lead_source": "self_report", "lead_note": "自武汉返回"}),
    (
        "registered",
        "grid_worker",
        {
            "full_name": "张三",
            "address": "前郭镇东风社区3号楼2单元501",
            "household_id": "H-3-2-501",
            "temperature": 36.6,
            "symptoms": False,
            "id_number": "220721198503120045",
            "arrival_date": "2020-01-31",
        },
    ),
    ("categorized", "community_doctor", {"category": "KP7"}),
    ("assessed", "community_doctor", {"home_suitable": True}),
    ("placement_decided", "township_hq", {"placement": "home"}),
    ("pledge_signed", "liaison_cadre", {"door_sign": "yellow", "phone": "13812345678"}),
    ("team_assigned", "township_hq", {"care_team": "赵/王/刘/李"}),
    ("monitoring_setup", "community_police", {"monitoring_mode": "camera", "camera_id": "CAM-501"}),
]


@pytest.fixture
def engine(tmp_path: Path, clock: Clock) -> Iterator[Engine]:
    store = open_store(f"sqlite:///{tmp_path}/cases.db")
    yield Engine(store, clock=clock)
    store.close()


def walk(engine: Engine, clock: Clock, case_id: str, moves: list[tuple[str, str, dict[str, Any]]]) -> None:
    for action, role, data in moves:
        clock.advance(minutes=30)
        engine.fire(case_id, action, actor="王芳", role=role, data=data)


def case_dot(engine: Engine, case_id: str, lang: str = "zh") -> list[str]:
    """The DOT of every page of the case's chart, split as printed (main line, then groups)."""
    case = engine.case(case_id)
    stepper = engine.stepper_for(case)
    highlight = case_highlight(stepper, case, engine.clock(), engine.tz)
    flow = stepper.flow
    pages, subtitles = split_by_group(flow, lang) if flow.groups else ([list(flow.steps)], [""])
    chart = build_chart(flow, lang, pages, subtitles=subtitles)
    return [page_dot(chart, page, highlight=highlight) for page in chart.pages]


def edges_from(dots: list[str], step: str) -> list[str]:
    return [line for dot in dots for line in re.findall(rf"^\t{step} -> .*?\]$", dot, re.M | re.S)]


def test_of_two_ways_between_two_steps_only_the_one_taken_is_marked(engine: Engine, clock: Clock) -> None:
    seen = {"full_name": "李四", "document_type": "id_card", "id_number": "220721198503120010"}
    engine.start(
        "occupant_check",
        "TC-1",
        {"dwelling_code": "D-3-501", "address": "东风社区3号楼501", **seen},
        actor="王芳",
        role="grid_worker",
    )
    walk(engine, clock, "TC-1", [*THREE_CHECK_TO_RENTED, ("overcrowded", "grid_worker", {})])
    ways = edges_from(case_dot(engine, "TC-1"), "landlord_registration")
    marked = [way for way in ways if "penwidth=3" in way]
    assert len(ways) == 3 and len(marked) == 1
    assert "群租\n⑥ 02-01 11:00 王*" in marked[0]  # 3 actions, 2 decisions, then 群租
    [overdue] = [way for way in ways if "逾期未办" in way]
    assert "penwidth" not in overdue and "⑥" not in overdue


def test_an_action_under_two_conditions_is_one_arrow_marked_once(engine: Engine, clock: Clock) -> None:
    engine.start(
        "key_person_control",
        "KP-1",
        {"full_name": "张三", "phone": "13812345678"},
        actor="王芳",
        role="grid_worker",
    )
    walk(engine, clock, "KP-1", KEY_PERSON_TO_OBSERVATION)
    walk(
        engine,
        clock,
        "KP-1",
        [
            ("violation_found", "community_police", {}),
            ("verified", "community_police", {"violation_real": True}),
            ("repledged", "liaison_cadre", {}),
        ],
    )
    dots = case_dot(engine, "KP-1")
    repledged = [way for way in edges_from(dots, "violation_talk") if "已重签承诺" in way]
    assert len(repledged) == 1 and "penwidth=3" in repledged[0]
    marks = re.findall(r"[①-⑳] \d\d-\d\d \d\d:\d\d", "".join(dots))
    # every move once: 9 actions, 4 decisions, the child (the door watch is a check, not a move)
    assert len(marks) == len(set(marks)) == 15
    assert "系统" in "".join(dots) and "system" not in "".join(dots)  # the software's own moves


def text_spans(drawn: dict[str, Any]) -> list[tuple[str, float, float, float, float]]:
    """Every line of text dot places on a page (labels of the graph, nodes and arrows), as
    (text, left, bottom, right, top) in points; a line is taken as 1 em high."""
    spans = []
    for item in [drawn, *drawn.get("objects", []), *drawn.get("edges", [])]:
        for key in ("_ldraw_", "_tldraw_", "_hldraw_"):
            size = 14.0
            for op in item.get(key, []):
                size = op.get("size", size)
                if op["op"] == "T":
                    (x, y), width = op["pt"], op["width"]
                    left = {"l": x, "c": x - width / 2, "r": x - width}[op["align"]]
                    spans.append((op["text"], left, y - 0.15 * size, left + width, y + 0.85 * size))
    return spans


@pytest.mark.needs_dot
def test_a_case_chart_numbers_its_own_pages(engine: Engine, clock: Clock, tmp_path: Path) -> None:
    """Only the pages the case was on, numbered 1..n of n, every "see page N" one of them; no two
    lines of text on a page overlap, badges included, and the PDF sets them as dot did."""
    engine.start(
        "key_person_control", "KP-1", {"full_name": "张三", "phone": "138"}, actor="王芳", role="grid_worker"
    )
    walk(engine, clock, "KP-1", KEY_PERSON_TO_OBSERVATION)
    walk(
        engine,
        clock,
        "KP-1",
        [
            ("violation_found", "community_police", {}),
            ("verified", "community_police", {"violation_real": False}),
        ],
    )
    case = engine.case("KP-1")
    stepper = engine.stepper_for(case)
    highlight = case_highlight(stepper, case, engine.clock(), engine.tz)
    whole = lay_out(stepper.flow, "zh", PrintOptions(highlight=highlight, heading="KP-1"))
    printed = pages_for_case(whole, case)
    total = len(printed.pages)
    assert 1 < total < len(whole.pages)
    assert [p.page.number for p in printed.pages] == list(range(1, total + 1))
    on_page = {n.id: p.page.number for p in printed.pages for n in p.page.nodes if n.kind != "connector"}
    for page in printed.pages:
        assert f"第 {page.page.number} 页，共 {total} 页" in page.dot
        for node in page.page.nodes:
            if node.kind == "connector" and not node.incoming:
                step = node.id.removeprefix("to__")
                assert node.pages == ((on_page[step],) if step in on_page else ())
            elif node.kind == "connector":
                assert node.pages and set(node.pages) <= set(range(1, total + 1))
        spans = text_spans(json.loads(graphviz_run.run_dot(page.dot, "json")))
        for n, (text, left, bottom, right, top) in enumerate(spans):
            for other, left2, bottom2, right2, top2 in spans[n + 1 :]:
                apart = (
                    right <= left2 + 0.5
                    or right2 <= left + 0.5
                    or top <= bottom2 + 0.5
                    or top2 <= bottom + 0.5
                )
                assert apart, (page.page.number, text, other)
    [pdf] = write_chart(printed, "pdf", tmp_path, "KP-1")
    raw = tmp_path / "raw.pdf"
    raw.write_bytes(graphviz_run.run_dot(printed.pages[0].dot, "pdf"))
    first = [width for word, width in pdf_words(pdf) if "③" in word]
    as_dot_set_it = [width for word, width in pdf_words(raw) if "③" in word]
    assert first and first == pytest.approx(as_dot_set_it)  # the badge ③ as wide as dot set it
    words = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert re.findall(r"第 (\d+) 页，共 (\d+) 页", words) == [
        (str(n), str(total)) for n in range(1, total + 1)
    ]
    assert {int(n) for n in re.findall(r"第 (\d+)(?:、\d+)* 页", words)} <= set(range(1, total + 1))


A_WEEK_OF_LOOPS = [  # from home observation: missed readings chased, a fever report, a violation
    *[
        move
        for _ in range(3)
        for move in (
            ("reading_missing", "liaison_cadre", {}),
            ("reading_taken", "liaison_cadre", {"temperature": 36.5, "symptoms": False}),
        )
    ],
    ("fever_reported", "liaison_cadre", {}),
    ("doctor_notified", "liaison_cadre", {}),
    ("rechecked", "community_doctor", {"temperature": 36.5, "symptoms": False}),
    ("violation_found", "community_police", {}),
    ("verified", "community_police", {"violation_real": False}),
]


@pytest.mark.needs_dot
def test_numbered_badges_do_not_overlap(engine: Engine, clock: Clock) -> None:
    """Issue 10 (`③02-01` printed over `⑮02-08`): on a long case, where ways are taken again and
    again, every badge dot places keeps clear of every other line of text on its page."""
    engine.start(
        "key_person_control", "KP-2", {"full_name": "张三", "phone": "138"}, actor="王芳", role="grid_worker"
    )
    walk(engine, clock, "KP-2", [*KEY_PERSON_TO_OBSERVATION, *A_WEEK_OF_LOOPS])
    badges = 0
    for dot in case_dot(engine, "KP-2"):
        spans = text_spans(json.loads(graphviz_run.run_dot(dot, "json")))
        marked = [s for s in spans if re.match(r"^(?:[①-⑳]|\(\d+\)) \d\d-\d\d \d\d:\d\d", s[0])]
        badges += len(marked)
        for text, left, bottom, right, top in marked:
            for other, left2, bottom2, right2, top2 in spans:
                if (other, left2, bottom2) == (text, left, bottom):
                    continue
                apart = (
                    right <= left2 + 0.5
                    or right2 <= left + 0.5
                    or top <= bottom2 + 0.5
                    or top2 <= bottom + 0.5
                )
                assert apart, (text, other)
    moves = [e for e in engine.case("KP-2").history if e.from_step and e.to_step]
    assert badges >= len(moves) > 20  # every move's badge was found on some page


def test_a_case_of_a_flow_of_ones_own_names_the_flow_it_starts_by_its_title(tmp_path: Path) -> None:
    """A case's flow is read back from the store, where it has no file: the chart still finds the
    flow it starts beside its file in --flows, and names it by its title, not its id."""
    from click.testing import CliRunner  # noqa: PLC0415 - only this test runs the command

    from sopflow.cli import cli  # noqa: PLC0415

    example = (Path(__file__).parents[2] / "examples" / "fever-check.yaml").read_text("utf-8")
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "followup.yaml").write_text(
        example.replace("id: fever_check", "id: fever_followup").replace(
            "title: {zh: 体温筛查, en: Fever check}", "title: {zh: 发热随访, en: Fever follow-up}"
        ),
        "utf-8",
    )
    opening = (
        "steps:\n  open_followup:\n    kind: subflow\n    label: {zh: 启动随访, en: Start follow-up}\n"
        "    role: grid_worker\n    flow: fever_followup\n    copy: [full_name]\n    wait: false\n"
        "    next: measure\n    source: I\n"
    )
    parent = example.replace("start: measure", "start: open_followup").replace("steps:\n", opening, 1)
    (flows / "parent.yaml").write_text(parent, "utf-8")
    env = {"SOPFLOW_DB": f"sqlite:///{tmp_path}/cases.db", "SOPFLOW_NOW": "2020-02-02 09:00"}

    def run(*args: str) -> str:
        result = CliRunner().invoke(cli, ["--flows", str(flows), *args, "--lang", "zh"], env=env)
        assert result.exit_code == 0, result.output
        return result.output

    run(
        "case",
        "start",
        "fever_check",
        "--id",
        "F-1",
        "--set",
        "full_name=张三",
        "--role",
        "grid_worker",
        "--actor",
        "王",
    )
    run("case", "chart", "F-1", "-o", str(tmp_path / "c.dot"))
    drawn = "".join(p.read_text("utf-8") for p in sorted(tmp_path.glob("c*.dot")))
    assert "启动：发热随访" in drawn
    assert "fever_followup" not in drawn
