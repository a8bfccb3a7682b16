"""Line breaking of chart text: widths, Chinese rules for punctuation, long words, long labels."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sopflow.render.text import CLOSING, OPENING, box_width, shortened, width_pt, wrap_box, wrap_lines

GOLDEN = Path(__file__).parent.parent / "golden"


def test_widths_are_the_fonts() -> None:
    assert width_pt("卡口", 10) == 20
    assert width_pt("iiii", 10) < width_pt("MMMM", 10) < width_pt("卡口卡口", 10)
    assert width_pt("→ ↻ ℃", 10) == pytest.approx(30 + 2 * 2.3)
    assert (
        width_pt("ᠮᠠᠰᠢᠨ", 10) == width_pt("éèêëà", 10) < width_pt("卡口卡口卡", 10)
    )  # letters of other scripts


def test_words_of_other_scripts_are_not_broken_between_letters() -> None:
    assert wrap_lines("ᠮᠠᠰᠢᠨ ᠪᠦᠷᠢᠳᠬᠡᠯ", 60, 10) == ["ᠮᠠᠰᠢᠨ", "ᠪᠦᠷᠢᠳᠬᠡᠯ"]
    assert wrap_lines("Проверка документов", 75, 10) == ["Проверка", "документов"]


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("观察期满（到时）", 70, ["观察期满", "（到时）"]),  # never "）" alone, nor "时）" left over
        ("测体温问症状异常", 79, ["测体温问", "症状异常"]),  # no single character on a line
        ("启动：居家隔离人员生活保障", 129, ["启动：居家隔离", "人员生活保障"]),
        ("体温异常，立即上报。", 70, ["体温异常，立即", "上报。"]),
        ("请注意：「发热」", 50, ["请注意：", "「发热」"]),  # "「" stays with what it opens
        ("甲乙丙丁戊己庚辛", 40, ["甲乙丙丁", "戊己庚辛"]),  # Chinese breaks between any two
        ("Stop and register", 60, ["Stop and", "register"]),  # other text at spaces
        ("Presence call: abnormal", 70, ["Presence call:", "abnormal"]),
        ("version 2020.02.1", 50, ["version", "2020.02.1"]),  # a word is kept whole if it fits
        ("x" * 30, 100, ["x" * 17, "x" * 13]),  # a word longer than a line is cut
    ],
)
def test_wrap_lines(text: str, width: float, expected: list[str]) -> None:
    assert wrap_lines(text, width, 10) == expected
    assert all(width_pt(line, 10) <= width for line in expected if " " not in line)


def test_kept_phrases_are_not_broken() -> None:
    who, limit = "乡镇（街道）指挥部", "时限 1 天"
    assert wrap_lines(f"{who} · {limit}", 129, 10) == ["乡镇（街道）指挥部 · 时限", "1 天"]
    assert wrap_lines(f"{who} · {limit}", 129, 10, keep=[who, limit]) == ["乡镇（街道）指挥部 ·", "时限 1 天"]
    assert wrap_lines("↻ 每 12 小时：测体温问症状", 75, 10, keep=["每 12 小时"]) == [
        "↻ 每 12 小时：",
        "测体温问症状",
    ]
    assert wrap_lines("甲乙 时限 1 天", 30, 10, keep=["时限 1 天"]) == [
        "甲乙",
        "时限",
        "1 天",
    ]  # too wide: cut


@pytest.mark.parametrize("width", [30, 45, 60, 75, 90, 120])
def test_no_line_starts_with_closing_nor_ends_with_opening_punctuation(width: float) -> None:
    text = "县卫健局派驻卡口的医务人员（含乡镇卫生院抽调人员），负责测温、登记：发现发热者「立即」转运！"
    lines = wrap_lines(text, width, 10)
    assert "".join(lines) == text
    for line in lines:
        assert line[0] not in CLOSING, lines
        assert line[-1] not in OPENING, lines


@pytest.mark.parametrize("path", sorted(GOLDEN.glob("*.dot")), ids=lambda p: p.name)
def test_no_golden_label_line_starts_with_closing_punctuation(path: Path) -> None:
    text = path.read_text("utf-8")
    html_lines = re.findall(r">([^<>]+)<", text)  # text between tags: one line of an HTML label
    plain_lines = [line for label in re.findall(r'label="([^"]*)"', text) for line in label.splitlines()]
    lines = [line.strip() for line in html_lines + plain_lines if line.strip()]
    assert lines
    assert [line for line in lines if line[0] in CLOSING] == []


def test_a_long_label_wraps_wider_rather_than_taller() -> None:
    short, long = "拦车登记", "拦停车辆登记车牌号码" * 20
    assert box_width(short, 12, 107, 500) == 107
    assert 107 < box_width(long, 12, 107, 500) <= 500
    lines = wrap_box(long, 12, 107, 500)
    assert len(lines) * 12 * 1.4 <= width_pt(max(lines, key=len), 12) * 1.2  # about square
    assert box_width("x" * 400, 12, 107, 500) == 500  # never wider than the page
    assert box_width("excluded_not_key_person", 10, 80, 500) > 80  # an id is not cut


def test_shortened() -> None:
    assert shortened(["a", "b"], 3) == ["a", "b"]
    assert shortened(["ab", "cd", "ef", "gh"], 3) == ["ab", "cd", "e…"]
