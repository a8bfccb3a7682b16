"""`sopflow render FLOW --counts`: the number of active cases on each step, overdue ones in red,
from the same query layer as the report (compared as DOT text; no binary needed for that)."""

from __future__ import annotations

import re
from pathlib import Path

from sopflow.language.catalog import default_catalog
from sopflow.render.chart import build_chart
from sopflow.render.dot import Highlight, page_dot
from tests.day.conftest import Run


def node(dot: str, step: str) -> str:
    found = re.search(rf"^\s*{step} \[.*?\]$", dot, re.MULTILINE | re.DOTALL)
    assert found is not None, step
    return found.group()


def test_counts_are_drawn_in_their_steps_box_and_overdue_in_red() -> None:
    flow = default_catalog(None).load("key_person_control")
    chart = build_chart(flow, "zh")
    counts = {"violation_verify": (3, 2), "home_observation": (40, 0)}
    dot = "\n".join(page_dot(chart, page, highlight=Highlight(counts=counts)) for page in chart.pages)
    assert "在办 3" in node(dot, "violation_verify") and "超时 2" in node(dot, "violation_verify")
    assert 'color="#d62728"' in node(dot, "violation_verify")
    assert "在办 40" in node(dot, "home_observation") and "超时" not in node(dot, "home_observation")
    assert "在办" not in node(dot, "collect_lead")


def test_render_counts_reads_the_store(sopflow: Run, tmp_path: Path) -> None:
    result = sopflow("render", "key_person_control", "--counts", "-f", "dot", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    dot = "\n".join(path.read_text("utf-8") for path in sorted(tmp_path.glob("*.dot")))
    # the small day at 17:00 on 2 Feb: K-3 and K-4 at 线索汇集, K-2's violation check overdue
    assert "在办 2" in node(dot, "collect_lead")
    assert "在办 1" in node(dot, "violation_verify") and "超时 1" in node(dot, "violation_verify")
    only = tmp_path / "village"
    result = sopflow(
        "render", "key_person_control", "--counts", "--place", "平凤乡", "-f", "dot", "-o", str(only)
    )
    assert result.exit_code == 0, result.output
    dot = "\n".join(path.read_text("utf-8") for path in sorted(only.glob("*.dot")))
    assert "在办 1" in node(dot, "collect_lead") and "在办" not in node(dot, "violation_verify")
