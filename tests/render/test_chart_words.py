"""What a chart says, as a worker reads it on paper: names not ids, durations in words, lines that
do not leave a single character or a lone `1d` behind. Pure DOT text: no `dot` run."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from sopflow import builtin_flows, load_flow
from sopflow.render.chart import build_chart, split_by_group
from sopflow.render.dot import page_dot

FLOWS = builtin_flows()
DATA = Path(__file__).parent.parent / "data"


def chart_dot(flow_id: str, lang: str) -> str:
    flow = FLOWS[flow_id]
    pages, subtitles = split_by_group(flow, lang) if flow.groups else ([list(flow.steps)], [""])
    chart = build_chart(flow, lang, pages, subtitles=subtitles)
    return "\n".join(page_dot(chart, page) for page in chart.pages)


def visible_labels(dot: str) -> list[str]:
    """The text of every label in `dot` as printed: HTML labels without their tags, line breaks
    as newlines, entities resolved."""
    found = []
    for match in re.finditer(r"\blabel=", dot):
        start = match.end()
        if dot[start] == "<":  # an HTML label: up to the matching '>'
            depth, end = 0, start
            while True:
                depth += {"<": 1, ">": -1}.get(dot[end], 0)
                if depth == 0:
                    break
                end += 1
            text = re.sub(r"<br\s*/?>|</td>|</tr>", "\n", dot[start + 1 : end])
            found.append(html.unescape(re.sub(r"<[^>]*>", "", text)))
        elif dot[start] == '"':
            end = start + 1
            while dot[end] != '"':
                end += 2 if dot[end] == "\\" else 1
            found.append(dot[start + 1 : end].replace("\\l", "\n").replace("\\n", "\n"))
        else:
            found.append(re.match(r"[^\s\]]*", dot[start:]).group(0))  # type: ignore[union-attr]
    return found


def ids_of(flow_id: str) -> set[str]:
    flow = FLOWS[flow_id]
    names = {name for step in flow.steps.values() for name, _, _ in step.exits()}
    return {flow.id, *flow.steps, *flow.outcomes, *flow.roles, *flow.fields, *names} - {"next"}


@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_a_chinese_chart_shows_no_id(flow_id: str) -> None:
    labels = visible_labels(chart_dot(flow_id, "zh"))
    assert len(labels) > len(FLOWS[flow_id].steps)
    snake = [label for label in labels if re.search(r"[a-z]+_[a-z_]+", label)]
    assert not snake
    ids = ids_of(flow_id) | set(FLOWS)
    assert not [line for label in labels for line in label.split("\n") if line.strip() in ids]


@pytest.mark.parametrize(
    ("flow_id", "lang", "note"),
    [
        ("occupant_check", "zh", "启动：重点人员管控"),
        ("key_person_control", "zh", "启动：居家隔离人员生活保障"),
        ("home_isolation_supply", "zh", "启动：生活需求"),
        ("occupant_check", "en", "starts: Key-person control"),
    ],
)
def test_a_child_flow_box_names_the_child_flow(flow_id: str, lang: str, note: str) -> None:
    joined = ("" if lang == "zh" else " ").join  # a note wrapped onto lines, read as one
    assert any(note in joined(label.split("\n")) for label in visible_labels(chart_dot(flow_id, lang)))


def test_a_child_flow_beside_its_parent_and_its_outcomes_by_name() -> None:
    flow = load_flow(DATA / "flows" / "parent.yaml")
    labels = visible_labels(page_dot(chart := build_chart(flow, "zh"), chart.pages[0]))
    lines = [line for label in labels for line in label.split("\n")]
    assert "启动：子流程" in lines
    assert {"同意", "拒绝"} <= set(lines)  # the child's end steps, not its outcomes done/refused
    assert not {"waiting_child", "done", "refused", "finished", "given_up"} & set(lines)


@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_end_boxes_say_no_outcome_twice(flow_id: str) -> None:
    flow = FLOWS[flow_id]
    chart = build_chart(flow, "zh")
    for node in chart.pages[0].nodes:
        if node.kind == "end":
            assert node.notes == ()  # each end step's name is its outcome's name


def label_lines(flow_id: str, lang: str) -> list[list[str]]:
    return [
        [line.strip() for line in label.split("\n") if line.strip()]
        for label in visible_labels(chart_dot(flow_id, lang))
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_durations_are_in_words(flow_id: str, lang: str) -> None:
    text = "\n".join(line for lines in label_lines(flow_id, lang) for line in lines)
    assert not re.findall(r"\b\d+[dhm]\b|\d+[dhm]\d", text)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "zh",
            [
                "网格员 · 时限 1 天",
                "↻ 每天 08:00、16:00（前后 1 小时）：测体温问症状",
                "按规则计算）起 14 天",  # 计时：自计时起始日（系统 按规则计算）起 14 天, wrapped
                "包保干部 · 时限 1 小时",
            ],
        ),
        ("en", ["Grid worker within 1 day", "at 08:00, 16:00, 1 hour either side", "14 days from"]),
    ],
)
def test_key_person_control_says_its_durations_as_people_do(lang: str, expected: list[str]) -> None:
    text = "\n".join(" ".join(lines) for lines in label_lines("key_person_control", lang))
    for words in expected:
        assert words in text


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_no_line_holds_a_single_character_or_a_lone_duration(flow_id: str, lang: str) -> None:
    def letters(line: str) -> int:
        return sum(1 for char in line if char.isalnum())

    for lines in label_lines(flow_id, lang):
        if len(lines) > 1:
            assert all(letters(line) > 1 for line in lines), lines
            assert not [
                line for line in lines if re.fullmatch(r"\d+ ?(天|小时|分钟|days?|hours?|minutes?)", line)
            ]
