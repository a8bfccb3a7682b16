"""Charts: the DOT text (golden files), real PDFs and PNGs from `dot`, readability on A4, Mermaid,
and a case drawn on its chart."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import replace
from html import unescape
from pathlib import Path

import pytest
from PIL import Image

from sopflow import builtin_flows
from sopflow.errors import RenderError
from sopflow.render import graphviz_run, programs
from sopflow.render.chart import build_chart, overview_steps, split_by_group
from sopflow.render.dot import BOXES, SMALLEST_PT, Highlight, Layout, page_dot
from sopflow.render.fit import MIN_READABLE_PT, fit
from sopflow.render.mermaid import chart_mermaid
from sopflow.render.printing import PrintedChart, PrintOptions, lay_out, write_chart

FLOWS = builtin_flows()
GOLDEN = Path(__file__).parent.parent / "golden"
needs_dot = pytest.mark.needs_dot
_LAID_OUT: dict[tuple[str, str], PrintedChart] = {}


def laid_out(flow_id: str, lang: str) -> PrintedChart:
    """Layouts are measured with dot and take a moment: each is made once per test run."""
    if (flow_id, lang) not in _LAID_OUT:
        _LAID_OUT[flow_id, lang] = lay_out(FLOWS[flow_id], lang)
    return _LAID_OUT[flow_id, lang]


def golden_dot(flow_id: str, lang: str) -> str:
    """The pure DOT text (no measuring): the whole flow, or its overview and its groups."""
    flow = FLOWS[flow_id]
    pages, subtitles = split_by_group(flow, lang) if flow.groups else ([list(flow.steps)], [""])
    if flow.groups:  # the overview in place of the main line (drawn on it)
        grouped = [(p, t) for p, t in zip(pages, subtitles, strict=True) if flow.steps[p[0]].group]
        pages = [overview_steps(flow), *(p for p, _ in grouped)]
        subtitles = ["overview", *(t for _, t in grouped)]
    chart = build_chart(flow, lang, pages, subtitles=subtitles, overview=bool(flow.groups))
    return "\n".join(page_dot(chart, page) for page in chart.pages)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_dot_text_matches_the_golden_file(flow_id: str, lang: str, request: pytest.FixtureRequest) -> None:
    path = GOLDEN / f"{flow_id}.{lang}.dot"
    text = golden_dot(flow_id, lang)
    if request.config.getoption("--update-golden"):
        path.write_text(text, "utf-8")
    assert path.exists(), "run pytest --update-golden to create the golden files"
    assert text == path.read_text("utf-8")


@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_the_chart_shows_every_step_role_and_limit(flow_id: str) -> None:
    flow = FLOWS[flow_id]
    text = golden_dot(flow_id, "zh")
    for step in flow.steps.values():
        assert f"\t{step.id} [" in text
        assert flow.text(flow.roles[step.role], "zh") in text
    if any(s.deadline for s in flow.steps.values()):
        assert "时限" in text
    # a page of one group is named after it in its title, not framed; an overview has no frames
    assert "cluster_" not in text


def test_fitting_arithmetic() -> None:
    assert fit((500, 700), 10).scale == 1.0
    squeezed = fit((1046.56, 700), 10)
    assert squeezed.scale == pytest.approx(0.5, abs=0.01) and not squeezed.readable
    wide = fit((900, 500), 10, landscape=True)
    assert wide.page_pt == (841.89, 595.28) and wide.scale == pytest.approx(769.89 / 900)
    assert fit((500, 700), 10).pad_in == pytest.approx(((595.28 - 500) / 144, (841.89 - 700) / 144))
    assert squeezed.size_in == pytest.approx((595.28 / 72, 841.89 / 72))


@needs_dot
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_every_page_is_readable_on_a4(flow_id: str, lang: str) -> None:
    printed = laid_out(flow_id, lang)
    for page in printed.pages:
        assert page.fit.smallest_pt >= MIN_READABLE_PT, (page.page.subtitle, page.fit)
        width, height = page.fit.page_pt
        assert (width, height) in ((595.28, 841.89), (841.89, 595.28))
    drawn = {"connector", "group", "start", "interrupt"}  # a group box or an interrupt note: not a step
    shown = {n.id for p in printed.pages for n in p.page.nodes if n.kind not in drawn}
    assert shown == set(FLOWS[flow_id].steps)  # every step is printed, on exactly one page
    assert sum(len([n for n in p.page.nodes if n.id in shown]) for p in printed.pages) == len(shown)


@needs_dot
@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_pdf_embeds_the_chinese_font(flow_id: str, tmp_path: Path) -> None:
    [pdf] = write_chart(laid_out(flow_id, "zh"), "pdf", tmp_path, flow_id)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "NotoSansCJK" in line]
    assert cjk and all(line.split()[-5] == "yes" for line in cjk)  # the 'emb' column
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert f"Pages:           {len(laid_out(flow_id, 'zh').pages)}" in pages
    assert re.search(r"Page size:\s+(595.28 x 841.89|841.89 x 595.28) pts", pages), pages


def _page_sizes(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    found = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    return [(float(w), float(h)) for w, h in found]


A4 = {(595.28, 841.89), (841.89, 595.28)}


@needs_dot
@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_every_pdf_page_is_exactly_a4(flow_id: str, tmp_path: Path) -> None:
    printed = laid_out(flow_id, "zh")
    [pdf] = write_chart(printed, "pdf", tmp_path, flow_id)
    sizes = _page_sizes(pdf)
    assert len(sizes) == len(printed.pages)
    assert set(sizes) <= A4, sizes
    expected = [(841.89, 595.28) if p.fit.landscape else (595.28, 841.89) for p in printed.pages]
    assert sizes == expected


@needs_dot
def test_every_pdf_page_is_exactly_a3_when_asked(tmp_path: Path) -> None:
    printed = lay_out(FLOWS["key_person_control"], "zh", PrintOptions(paper="a3", landscape=True))
    [pdf] = write_chart(printed, "pdf", tmp_path, "kpc")
    assert _page_sizes(pdf) == [(1190.55, 841.89)] * len(printed.pages)


def _words(pdf: Path) -> list[tuple[str, float]]:
    """Every word poppler reads in `pdf`, with how wide it prints (points)."""
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True)
    word = r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)</word>'
    found = re.findall(word, boxes.stdout)
    return [(word, float(right) - float(left)) for left, right, word in found]


@needs_dot
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_text_is_set_as_graphviz_set_it(lang: str, tmp_path: Path) -> None:
    """Putting a page on the paper leaves its text alone: every word as wide as in dot's own PDF,
    and dot's own fonts. (Running the page through cairo again re-embedded Noto Sans CJK with some
    glyphs' widths wrong: `ver ified_discr epancies_r esolved` ran past its box.)"""
    printed = laid_out("three_check", lang)
    [pdf] = write_chart(printed, "pdf", tmp_path, "three_check")
    printed_words = _words(pdf)
    dot_words = []
    for page in printed.pages:
        raw = tmp_path / f"{page.page.number}.dot.pdf"
        raw.write_bytes(graphviz_run.run_dot(page.dot, "pdf"))
        dot_words += _words(raw)
    # poppler reads a placed page's lines in an order of its own where two lines nearly share a
    # baseline (three_check's deadline labels): the words are compared as a multiset
    printed_words = sorted(printed_words, key=lambda pair: pair[0])
    dot_words = sorted(dot_words, key=lambda pair: pair[0])
    assert [word for word, _ in printed_words] == [word for word, _ in dot_words]
    wider = [(w, a, b) for (w, a), (_, b) in zip(printed_words, dot_words, strict=True) if abs(a - b) > 0.05]
    assert not wider
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CairoFont" not in fonts  # a font re-embedded by a second cairo pass


@needs_dot
def test_png_is_not_blank(tmp_path: Path) -> None:
    paths = write_chart(laid_out("supply_request", "zh"), "png", tmp_path, "supply")
    for path in paths:
        with Image.open(path) as image:
            grey = image.convert("L")
            dark = sum(grey.histogram()[:128])
            assert dark > 0.01 * grey.width * grey.height


def test_mermaid_has_every_step_and_edge() -> None:
    flow = FLOWS["supply_request"]
    text = chart_mermaid(build_chart(flow, "zh"))
    assert text.count("```mermaid") == 1
    for step in flow.steps:
        assert f"n_{step}" in text
    assert text.count("-->") + text.count("-.->") == sum(len(s.exits()) for s in flow.steps.values()) + 1


@pytest.mark.parametrize(("program", "package"), [("dot", "graphviz"), ("pdfunite", "poppler-utils")])
def test_a_missing_program_is_named_with_what_to_install(
    monkeypatch: pytest.MonkeyPatch, program: str, package: str
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(RenderError) as missing:
        programs.run(program)
    assert f"the program {program} is not installed" in missing.value.message("en")
    assert f"sudo apt-get install {package}" in missing.value.message("en")
    assert f"未安装程序 {program}" in missing.value.message("zh")


def test_a_failing_program_is_named_not_blamed_on_graphviz(tmp_path: Path) -> None:
    with pytest.raises(RenderError) as failed:
        programs.run("pdfunite", str(tmp_path / "missing.pdf"), str(tmp_path / "out.pdf"))
    assert failed.value.message("en").startswith("pdfunite failed (")
    assert "Graphviz" not in failed.value.message("en")


def test_only_known_programs_and_options_are_run() -> None:
    assert programs.command("dot", "-Tsvg")[1:] == ["-Tsvg"]
    with pytest.raises(ValueError, match="no program"):
        programs.command("rm", "-rf")
    with pytest.raises(ValueError, match="no option"):
        programs.command("dot", "-Tps:cairo")


def test_a_pdf_not_shaped_as_dot_writes_it_is_refused() -> None:
    with pytest.raises(RenderError):
        graphviz_run.on_paper(b"%PDF-1.5\n1 0 obj << >> endobj\n%%EOF\n", (595.28, 841.89))


@needs_dot
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_child_flow_box_holds_its_text(lang: str) -> None:
    """The words of a 3-D box stay on its front face: its depth, drawn inside the outline at the
    top and right, does not run through the first line."""
    faces = 0
    for flow_id in ("occupant_check", "key_person_control", "home_isolation_supply"):
        for page in golden_dot(flow_id, lang).split("\ndigraph "):
            if "shape=box3d" not in page:
                continue
            source = page if page.startswith("digraph") else "digraph " + page
            drawn = json.loads(graphviz_run.run_dot(source, "json"))
            for node in drawn["objects"]:
                if node.get("shape") != "box3d":
                    continue
                outline = next(op["points"] for op in node["_draw_"] if op["op"] == "P")
                left, bottom = min(x for x, _ in outline), min(y for _, y in outline)
                right, top = (p for p in next(op["points"] for op in node["_draw_"] if op["op"] == "L")[0])
                size = 0.0
                for op in node["_ldraw_"]:
                    size = op.get("size", size)
                    if op["op"] == "T":
                        (x, y), width = op["pt"], op["width"]
                        assert left < x and x + width <= right, (node["name"], op["text"])
                        assert bottom < y and y + 0.85 * size <= top, (node["name"], op["text"])
                faces += 1
    assert faces == 5  # occupant_check: refer_fever, refer_lead; KPC: open_supply, site_stay; supply: 1


@needs_dot
def test_a_big_flow_opens_with_its_overview() -> None:
    printed = laid_out("key_person_control", "zh")
    overview, *details = printed.pages
    assert overview.page.overview and overview.fit.readable and not details[0].page.overview
    flow = FLOWS["key_person_control"]
    boxes = {n.id: n for n in overview.page.nodes if n.kind == "group"}
    assert set(boxes) == {f"group__{g}" for g in flow.groups}  # each group one box
    fever = boxes["group__fever"]
    entries = "入口：异常发现、确诊病例报告、疑似病例报告、异常上报、发热门诊排查、回到哪一步"
    assert fever.title == "发热处置" and entries in fever.notes
    assert "结束：确诊住院" in fever.notes
    fever_pages = {p.page.number for p in details if p.page.subtitle.startswith("发热处置")}
    assert set(fever.pages) == fever_pages  # the box says where the group is drawn
    assert len(details) <= 6  # every group on one page
    for page in details:  # portrait unless a page needs it
        assert not page.fit.landscape or not fit(page.fit.natural, SMALLEST_PT).readable


@needs_dot
def test_small_parts_share_a_page_each_after_its_start() -> None:
    """Issue 10: pages with room to spare share a page, each part in its group's frame, named in
    the page's title; a part never comes before the part of its group that leads to it, and
    every step is printed exactly once (built-in flows, both languages)."""
    shared_pages = 0
    for flow_id, lang in [(f, lang) for f in sorted(FLOWS) for lang in ("zh", "en")]:
        flow, printed = FLOWS[flow_id], laid_out(flow_id, lang)
        details = printed.pages[1:] if printed.pages[0].page.overview else printed.pages
        seen: set[str] = set()
        for page in details:
            parts = page.page.subtitle.split(" · ")
            if len(parts) > 1:
                shared_pages += 1
                assert len(re.findall(r"subgraph cluster_(\w+)", page.dot)) == len(parts), page.page.subtitle
            for part in parts:
                name, _, number = part.rpartition(" ")
                if "/" in number and not number.startswith("1/"):
                    assert name in seen, f"{flow_id} {lang}: {part} before its start"
                seen.add(name if "/" in number else part)
        printed_steps = [n.id for p in details for n in p.page.nodes if n.id in flow.steps]
        on_overview = (
            [s for s in flow.steps if flow.steps[s].group is None]
            if len(details) < len(printed.pages)
            else []
        )
        assert sorted(printed_steps + on_overview) == sorted(flow.steps), (flow_id, lang)
    assert shared_pages >= 2


def test_groups_sharing_a_page_are_stacked_not_side_by_side() -> None:
    """Two groups with no way between them are, to dot, two drawings side by side: invisible
    arrows from every step of the first to the top of the second stack them (portrait stays
    portrait); a page of one group has none."""
    flow = FLOWS["key_person_control"]
    violation = [s for s, step in flow.steps.items() if step.group == "violation"]
    site = [s for s, step in flow.steps.items() if step.group == "site"]
    chart = build_chart(flow, "zh", [violation + site, violation])
    shared, alone = (page_dot(chart, page) for page in chart.pages)
    hidden = re.findall(r"\t(\w+) -> (\w+) \[minlen=2 style=invis weight=0\]", shared)
    assert {source for source, _ in hidden} == set(violation)
    assert {target for _, target in hidden} == {site[0]}
    assert "invis" not in alone and "invis" not in page_dot(chart, chart.pages[0], Layout(rankdir="LR"))


@needs_dot
def test_a_compact_legend_has_only_the_roles_on_its_page() -> None:
    chart = build_chart(FLOWS["supply_request"], "zh", split_by_group(FLOWS["supply_request"], "zh")[0])
    source = page_dot(chart, chart.pages[0])
    roles = {n.role_label for n in chart.pages[0].nodes if n.role}
    for entry in chart.legend:
        assert (f">{entry.label}</td>" in source) == (entry.label in roles)
    assert source.count("<table") == 2  # the title block, and one row of role colours


def test_an_interrupt_is_one_note_not_an_arrow_from_every_step() -> None:
    """A fever report is taken from some twenty steps: the overview draws it once, as a note
    saying where it is taken from, with one arrow to the fever branch (issue 10)."""
    flow = FLOWS["key_person_control"]
    pages, subtitles = split_by_group(flow, "zh")
    chart = build_chart(flow, "zh", [overview_steps(flow), *pages[1:]], subtitles=subtitles, overview=True)
    overview, *details = chart.pages
    notes = {n.id: n.title for n in overview.nodes if n.kind == "interrupt"}
    assert notes == {
        "interrupt__fever_reported": "任何一步（急诊就医中除外）：报告发热",
        "interrupt__taken_to_hospital": "居家观察、违规处置、期满解除中任何一步：120送医",
    }
    ways = [(e.source, e.target) for e in overview.edges if e.name in ("fever_reported", "taken_to_hospital")]
    assert ways == [
        ("interrupt__fever_reported", "group__fever"),
        ("interrupt__taken_to_hospital", "emergency_care"),
    ]
    observation = next(p for p in details if p.subtitle == "居家观察")
    texts = {n.title for n in observation.nodes if n.kind == "interrupt"}
    assert texts == {"本页任何一步：报告发热", "本页任何一步（迁出移交除外）：120送医"}
    for page in chart.pages:  # no step draws an arrow of its own for an interrupt shown as a note
        noted = {n.id.removeprefix("interrupt__") for n in page.nodes if n.kind == "interrupt"}
        assert not [e for e in page.edges if e.name in noted and e.kind != "interrupt"], page.subtitle
    english = build_chart(flow, "en", [overview_steps(flow)], overview=True).pages[0]
    assert "Any step (except In emergency care): Fever reported" in {n.title for n in english.nodes}


def test_a_case_that_took_an_interrupt_has_the_note_arrow_marked() -> None:
    flow = FLOWS["key_person_control"]
    chart = build_chart(flow, "zh", [overview_steps(flow)], overview=True)
    taken = (("missed_reading", "action", "fever_reported", "⑤ 02-03 08:00", "王*"),)
    source = page_dot(chart, chart.pages[0], highlight=Highlight(current="fever_found", taken=taken))
    [line] = [ln for ln in source.splitlines() if ln.strip().startswith("interrupt__fever_reported ->")]
    assert "⑤ 02-03 08:00 王*" in line and "penwidth=3" in line


def _label_lines(source: str) -> list[list[str]]:
    """Every label of a DOT text (nodes, arrows, the title block) as its printed lines."""
    labels = []
    for html in re.findall(r"label=<(.*?)>(?= |\]|$)", source, flags=re.M):
        cells = re.split(r"<br/>|</td>", html)
        labels.append([unescape(re.sub(r"<[^>]*>", "", cell)).strip() for cell in cells])
    for plain in re.findall(r'label="((?:[^"\\]|\\.)*)"', source, flags=re.S):
        labels.append([line.strip() for line in plain.replace("\\n", "\n").split("\n")])
    return [[line for line in lines if line] for lines in labels]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_no_line_breaks_inside_a_word_or_holds_one_character(flow_id: str, lang: str) -> None:
    """Issue 10: "疑似病例报 / 告" on the overview, "测体温问症状异 / 常" on a step."""
    source = golden_dot(flow_id, lang)
    assert len(_label_lines(source)) > len(FLOWS[flow_id].steps)  # every label is read
    for lines in _label_lines(source):
        if len(lines) > 1:
            assert all(_letters(line) > 1 for line in lines), lines
    flow = FLOWS[flow_id]
    names = [flow.text(step.label, lang) for step in flow.steps.values()]
    for html in re.findall(r"\tgroup__\w+ \[label=<(.*?)> ", source):
        text = unescape(re.sub(r"<[^>]*>", "", html.replace("<br/>", "\n")))
        said = "".join(text.split("\n"))
        broken = [n for n in names if n in said and not any(n in line for line in text.split("\n"))]
        assert not broken, (broken, text)


def _letters(line: str) -> int:
    return sum(1 for char in line if char.isalnum())


def _pdf_page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]


@needs_dot
def test_page_counts_as_they_stand(tmp_path: Path) -> None:
    """Key-person control in Chinese: the overview, then 11 group pages (placement, observation,
    fever and release each cut in two; the site stay); supply request on 2 pages. Counted in the
    PDF too."""
    kpc, supply = laid_out("key_person_control", "zh"), laid_out("supply_request", "zh")
    [kpc_pdf] = write_chart(kpc, "pdf", tmp_path, "kpc")
    [supply_pdf] = write_chart(supply, "pdf", tmp_path, "supply")
    assert kpc.pages[0].page.overview and _pdf_page_count(kpc_pdf) == len(kpc.pages) <= 12
    assert _pdf_page_count(supply_pdf) == len(supply.pages) <= 2


@needs_dot
def test_the_legend_takes_two_lines_where_the_roles_fit_beside_the_page_number() -> None:
    """Issue 10: a compact legend. On the overview the version, date and page share their line
    with the role colours; the shapes are the second line. No page's title block has more than
    one line of roles beyond that."""
    printed = laid_out("key_person_control", "zh")
    overview = printed.pages[0].dot
    legend_row = next(row for row in overview.split('<table border="0" cellspacing="2"')[1:])
    assert "第 1 页" in legend_row.split("</table>")[0] and "负责" in legend_row.split("</table>")[0]
    for page in printed.pages:
        assert page.dot.count('<table border="0" cellspacing="2"') <= 2, page.page.subtitle


@needs_dot
def test_key_person_control_prints_as_an_overview_and_at_most_6_group_pages() -> None:
    """Issue 10's target: each group whole on a page, the site stay's two steps beside the
    violation group."""
    kpc = laid_out("key_person_control", "zh")
    assert kpc.pages[0].page.overview and len(kpc.pages) <= 1 + 6


@needs_dot
def test_supply_request_prints_on_one_page() -> None:
    """Issue 10's target: its request-type question fans out seven ways; narrow boxes (the role
    and time limit on lines of their own) bring it inside a portrait page at 9 pt."""
    printed = laid_out("supply_request", "zh")
    assert len(printed.pages) == 1 and printed.readable and not printed.pages[0].fit.landscape
    assert re.search(
        r"<b>登记分类</b></font><br/>.*?网格员</font><br/><font point-size=\"10\">时限", printed.pages[0].dot
    )


@needs_dot
def test_the_english_key_person_control_opens_with_a_readable_overview() -> None:
    """English names are long: its overview's group boxes say their names and pages only (where
    the Chinese ones also list their entries and ends), and so print at 9 pt or more."""
    kpc = laid_out("key_person_control", "en")
    overview = kpc.pages[0]
    assert overview.page.overview and overview.fit.readable
    assert "Entered at" not in overview.dot and "→ page" in overview.dot
    assert "入口" in laid_out("key_person_control", "zh").pages[0].dot


def test_ways_between_the_same_two_boxes_are_one_arrow() -> None:
    """Issue 10: home observation's three failing checks and 发现违规 all lead to the violation
    check. Drawn alike they are one arrow, their names listed; a check failing (dashed) and an
    action (solid) stay two arrows, since the line says which is which."""
    flow = FLOWS["key_person_control"]
    chart = build_chart(flow, "zh", [["home_observation"]])
    source = page_dot(chart, chart.pages[0])
    arrows = re.findall(r"home_observation -> to__violation_verify \[(.*?)\]", source, re.S)
    dashed = next(a for a in arrows if "dashed" in a)
    label = unescape(dashed.split('label="')[1].split('"')[0]).replace("\n", "")
    assert label == "电话视频在位异常、上门在位核查异常、无技防上门核查异常"
    assert len(arrows) == 2 and "发现违规" in next(a for a in arrows if "dashed" not in a)


def test_low_boxes_put_a_diamonds_role_beside_its_question() -> None:
    """A page too big for its paper is tried with low boxes, then narrow ones, before it is cut:
    a diamond is twice as tall as its text, so low boxes put its role beside the question; narrow
    boxes also put a box's role and time limit on lines of their own, and closer together."""
    flow = FLOWS["key_person_control"]
    chart = build_chart(flow, "zh", [["recheck_result", "fever_found"]])
    usual, low, narrow = (page_dot(chart, chart.pages[0], Layout(boxes=b)) for b in BOXES)
    question = "<b>复核是否异常</b></font>"
    assert f'{question}<br/><font point-size="10">社区医生' in usual
    assert f'{question}  <font point-size="10">社区医生' in low
    assert f'{question}  <font point-size="10">社区医生' in narrow
    found = '<b>异常发现</b></font><br/><font point-size="10">包保干部'
    assert f"{found} · 时限 15 分钟" in usual and f"{found} · 时限 15 分钟" in low
    assert f'{found}</font><br/><font point-size="10">时限 15 分钟' in narrow
    assert "nodesep=0.18" in usual and "nodesep=0.12" in narrow


def test_the_organisation_goes_beside_a_short_title() -> None:
    """`--org` beside a title short enough to leave room for it (a line of the page saved),
    else beside the version and page."""
    flow = FLOWS["supply_request"]
    chart = build_chart(flow, "zh", [list(flow.steps)], organisation="前郭县疫情防控指挥部")
    source = page_dot(chart, chart.pages[0])
    assert '<b>生活需求</b></font>    <font point-size="10">前郭县疫情防控指挥部</font>' in source
    long_title = replace(chart, title="前郭尔罗斯蒙古族自治县新型冠状病毒肺炎疫情防控重点人员管控")
    source = page_dot(long_title, long_title.pages[0])
    assert "前郭县疫情防控指挥部  版本" in source
