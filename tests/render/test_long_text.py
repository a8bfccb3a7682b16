"""Long titles, organisation names and labels, as users write them: real renders with `dot`.

The title block wraps to the paper and long labels wrap wide rather than tall, so that pages keep
text at 9 pt or more on few pages; a single step too big for any page is said on stderr."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

from sopflow import load_flow
from sopflow.cli import cli
from sopflow.render.chart import build_chart
from sopflow.render.dot import Layout, page_dot
from sopflow.render.fit import MIN_READABLE_PT
from sopflow.render.printing import PrintedPage, PrintOptions, lay_out
from sopflow.render.text import width_pt

USER = Path(__file__).parent.parent / "data" / "user"
ORG_ZH = "吉林省松原市前郭尔罗斯蒙古族自治县新型冠状病毒感染的肺炎疫情防控工作领导小组指挥部交通卡口检查组及各乡镇街道社区网格化管理服务中心联合工作专班办公室"  # noqa: E501
ORG_EN = "Qian Gorlos Mongol Autonomous County Novel Coronavirus Pneumonia Epidemic Prevention Command"
needs_dot = pytest.mark.needs_dot


def smallest(pages: Sequence[PrintedPage]) -> float:
    return min(page.fit.smallest_pt for page in pages)


def test_a_long_title_and_organisation_wrap_to_the_page_width() -> None:
    flow = load_flow(USER / "longtitle.yaml")
    chart = build_chart(flow, "zh", organisation=ORG_ZH)
    source = page_dot(chart, chart.pages[0], Layout())
    title = flow.text(flow.title, "zh")
    assert title not in source  # broken into lines ...
    heading = source[source.index("<b>") + 3 : source.index("</b>")].split("<br/>")
    assert len(heading) == 2 and "".join(heading) == title  # ... and nothing lost
    assert all(width_pt(line, 18) <= Layout().text_width_pt for line in heading)
    assert ORG_ZH[:20] in source and ORG_ZH not in source
    a3 = page_dot(chart, chart.pages[0], Layout(paper="a3"))
    wider = a3[a3.index("<b>") + 3 : a3.index("</b>")].split("<br/>")
    assert len(wider[0]) > len(heading[0])  # A3 takes more of it on a line


@needs_dot
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_long_title_prints_on_one_readable_page(lang: str) -> None:
    printed = lay_out(load_flow(USER / "longtitle.yaml"), lang)  # was 11 pages at 7.8 pt (zh)
    assert len(printed.pages) == 1
    assert smallest(printed.pages) >= MIN_READABLE_PT
    assert printed.too_big == ()


@needs_dot
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_long_labels_print_readably_on_few_pages(lang: str) -> None:
    flow = load_flow(USER / "longlabels.yaml")
    printed = lay_out(flow, lang)  # was 11 pages at 6.2 pt (zh) and 4.1 pt (en)
    assert len(printed.pages) <= 3
    assert smallest(printed.pages) >= MIN_READABLE_PT
    assert printed.too_big == ()
    drawn = ("connector", "start", "group", "interrupt")  # a group box on an overview stands for its steps
    shown = {n.id for p in printed.pages for n in p.page.nodes if n.kind not in drawn}
    assert shown == set(flow.steps)


@needs_dot
@pytest.mark.parametrize(("lang", "organisation"), [("zh", ORG_ZH), ("en", ORG_EN)])
def test_a_long_organisation_name_keeps_the_chart_on_one_readable_page(lang: str, organisation: str) -> None:
    flow = load_flow(USER / "checkpoint.yaml")
    printed = lay_out(flow, lang, PrintOptions(organisation=organisation, date="2020-02-01"))
    assert len(printed.pages) == 1  # was 2 pages at 7.4 pt (zh)
    assert smallest(printed.pages) >= MIN_READABLE_PT


def huge_step_flow(folder: Path) -> Path:
    """checkpoint.yaml with a first step whose name is a page and more of text."""
    text = (USER / "checkpoint.yaml").read_text("utf-8")
    text = text.replace("id: checkpoint", "id: hugestep")
    text = text.replace("label: {zh: 拦车登记,", "label: {zh: " + "拦停车辆登记车牌号码" * 250 + ",", 1)
    path = folder / "hugestep.yaml"
    path.write_text(text, "utf-8")
    return path


@needs_dot
def test_a_step_too_big_for_any_page_is_said_on_stderr(tmp_path: Path) -> None:
    flow = huge_step_flow(tmp_path)
    result = CliRunner().invoke(cli, ["render", str(flow), "-f", "pdf", "-o", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # in English the step keeps its short name
    result = CliRunner().invoke(cli, ["render", str(flow), "-f", "pdf", "-o", str(tmp_path), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    [warning] = result.stderr.splitlines()
    printed = lay_out(load_flow(flow), "zh")
    [too_big] = printed.too_big
    assert too_big.step == "stop_vehicle" and too_big.smallest_pt < MIN_READABLE_PT
    assert warning.startswith("警告：hugestep 第 1 页：步骤“拦停车辆登记车牌号码")
    assert "（stop_vehicle）" in warning and f"最小字号只有 {too_big.smallest_pt:.1f} 磅" in warning
    assert f"最小字号 {too_big.smallest_pt:.1f} 磅" in result.stdout
    # the other pages are not held back by it
    others = [p for p in printed.pages if p.page.number != too_big.page]
    assert others and smallest(others) >= MIN_READABLE_PT
