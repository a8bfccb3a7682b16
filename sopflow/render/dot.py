"""A chart page as Graphviz DOT text: shapes by step kind, role colours, a title block and legend.

Pure: builds text with the `graphviz` package and runs nothing. The sizes (font points, paper) are
what the readability check in `fit.py` reasons about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape

import graphviz

from sopflow.i18n import say
from sopflow.render.chart import Chart, ChartEdge, ChartNode, ChartPage
from sopflow.render.fit import MARGIN_PT, PAPERS
from sopflow.render.stacking import stacking_edges
from sopflow.render.text import shortened, width_pt, wrap_box, wrap_lines

FONT = "Noto Sans CJK SC"
TITLE_PT = 18
STEP_PT = 12
NOTE_PT = 10
EDGE_PT = 10
LEGEND_PT = 10
SMALLEST_PT = min(TITLE_PT, STEP_PT, NOTE_PT, EDGE_PT, LEGEND_PT)

# How wide usual labels wrap: 8 Chinese characters (about 15 letters) for a step's name, 12 for
# the lines under it, 7 for an arrow's label and a role in the legend, 16 for a group's name.
STEP_WRAP_PT = 8.9 * STEP_PT
NOTE_WRAP_PT = 12.9 * NOTE_PT
EDGE_WRAP_PT = 7.9 * EDGE_PT
LEGEND_WRAP_PT = 7.9 * LEGEND_PT
GROUP_WRAP_PT = 16.9 * STEP_PT
TABLE_ALLOWANCE_PT = 24  # the title block's cell spacing and padding, and the graph's own margin
LEGEND_CELL_PT = 8  # a legend cell's padding, border and spacing
CONNECTOR_LINES = 3
BOXES = ("usual", "low", "narrow")  # see Layout.boxes, in the order they are tried
DASHED = ("timer", "escalate", "outcome", "connector")  # edge kinds drawn dashed: not a person's action

SHAPES = {
    "task": {"shape": "box", "style": "rounded,filled"},
    # Room inside the outline: a diamond's corners, and a bold border, would otherwise touch the text.
    "decision": {"shape": "diamond", "style": "filled", "margin": "0.06,0.03"},
    "wait": {"shape": "box", "style": "filled", "peripheries": "2"},
    # a 3-D box's depth is drawn inside its outline, at the top and right: room for it
    "subflow": {"shape": "box3d", "style": "filled", "margin": "0.14,0.1"},
    "end": {"shape": "box", "style": "rounded,filled,bold", "penwidth": "2", "margin": "0.08,0.06"},
    "start": {"shape": "oval", "style": "filled", "fillcolor": "#333333", "fontcolor": "#ffffff"},
    "connector": {"shape": "box", "style": "rounded,dashed", "color": "#666666"},
    # an interrupt drawn once: a note with one arrow to where it leads (render/interrupts.py)
    "interrupt": {"shape": "note", "style": "filled", "fillcolor": "#fff6d5", "margin": "0.08,0.04"},
    # a group drawn as one box on an overview page: grey, dashed like a group's frame on its own page
    "group": {
        "shape": "box",
        "style": "rounded,filled,dashed",
        "fillcolor": "#eeeeee",
        "penwidth": "1.5",
        "margin": "0.1,0.05",
    },
}


@dataclass(frozen=True)
class Layout:
    """How the drawing runs (top-down or left-right) and where it goes on paper (see fit.py)."""

    size_in: tuple[float, float] | None = None
    pad_in: tuple[float, float] | None = None
    landscape: bool = False
    rankdir: str = "TB"
    paper: str = "a4"  # the title block and long labels wrap to its width
    # the boxes (BOXES): a page too big for its paper tries "low" ones, a diamond's role beside
    # its question, not under it (a diamond is twice as tall as its text, and a long chain runs
    # out of height first), a group's box on an overview with its name and pages only; then
    # "narrow" ones, low diamonds, each box's role and time limit on lines of their own and the
    # boxes closer together (a wide fan-out runs out of width first)
    boxes: str = "usual"

    @property
    def text_width_pt(self) -> float:
        """The widest a line of the title block may be: the paper's short side inside the margins,
        so that the title block fits across the page in either orientation without shrinking."""
        return PAPERS[self.paper][0] - 2 * MARGIN_PT - TABLE_ALLOWANCE_PT


@dataclass(frozen=True)
class Highlight:
    """A case drawn onto its chart: where it is, the way it came, what can be done now."""

    current: str | None = None
    # the ways the case went, each as (from step, kind, name, "① 02-01 10:30", who): kind and
    # name are those of the way out (ChartEdge.kind, .name), so that of two ways between the same
    # steps (群租, 逾期未办) only the one taken is marked; who is "system" for the software
    taken: tuple[tuple[str, str, str, str, str], ...] = ()
    available: tuple[str, ...] = ()  # targets of the actions available now
    overdue: bool = False
    # `render --counts`: step -> (active cases there, of them overdue), drawn in each step's box
    counts: Mapping[str, tuple[int, int]] = field(default_factory=dict)


def page_dot(
    chart: Chart, page: ChartPage, layout: Layout | None = None, highlight: Highlight | None = None
) -> str:
    """The DOT source of one page."""
    layout = layout or Layout()
    graph = graphviz.Digraph(name=f"{chart.flow_id}_{page.number}")
    graph.attr(
        rankdir=layout.rankdir,
        fontname=FONT,
        nodesep="0.12" if layout.boxes == "narrow" else "0.18",  # narrow boxes closer together too
        ranksep="0.2",
        newrank="true",
        # four times dot's usual effort at fewer crossings: fewer crossings, narrower pages (the
        # violation and site groups then share a portrait page: 508 pt across, not 623)
        mclimit="4",
        labelloc="t",
        labeljust="l",
        label=_title_block(chart, page, layout.text_width_pt),
        fontsize=str(LEGEND_PT),
        pad="0.1",
    )
    if layout.size_in is not None and layout.pad_in is not None:
        graph.attr(
            size=f"{layout.size_in[0]:.4f},{layout.size_in[1]:.4f}",
            pad=f"{layout.pad_in[0]:.4f},{layout.pad_in[1]:.4f}",
            margin="0",
        )
    # boxes as tall as their text (Graphviz would make every box at least half an inch tall)
    graph.attr("node", fontname=FONT, fontsize=str(STEP_PT), margin="0.08,0.04", penwidth="1", height="0.3")
    graph.attr("edge", fontname=FONT, fontsize=str(EDGE_PT), arrowsize="0.7", color="#444444")
    framed = _framed_groups(page)
    grouped: dict[str, list[ChartNode]] = {}
    for node in page.nodes:
        if node.group and node.group in framed:
            grouped.setdefault(node.group, []).append(node)
        else:
            graph.node(node.id, **_node_attrs(chart, node, highlight, layout))
    for group, nodes in grouped.items():
        with graph.subgraph(name=f"cluster_{group}") as cluster:
            cluster.attr(
                label=_group_label(page.groups[group], layout.text_width_pt),
                style="rounded,dashed",
                color="#888888",
                fontsize=str(STEP_PT),
                fontname=FONT,
            )
            for node in nodes:
                cluster.node(node.id, **_node_attrs(chart, node, highlight, layout))
    for ways in _arrows(page.edges, highlight, chart.lang):
        graph.edge(
            ways[0].source, ways[0].target, **_edge_attrs(ways, highlight, layout.text_width_pt, chart.lang)
        )
    if layout.rankdir == "TB":  # parts with no way between them one under another, not side by side
        for source_id, target_id in stacking_edges(page):
            graph.edge(source_id, target_id, style="invis", minlen="2", weight="0")
    source: str = graph.source
    return source


def _framed_groups(page: ChartPage) -> set[str]:
    """The groups drawn in a frame of their own: those of a page that holds more than one group,
    or a group and steps of none. A page holding one group's steps only is named after the group
    in its title, and the frame would only take room (about 30 pt of a page's height)."""
    steps = [n for n in page.nodes if n.is_step]
    if len(page.groups) == 1 and all(n.group in page.groups for n in steps):
        return set()
    return set(page.groups)


def _title_block(chart: Chart, page: ChartPage, width: float) -> str:
    """Title, organisation, version, date and page, the shapes and the role colours: every line
    wrapped to `width` points, so that a long title or organisation name never widens the page.
    The organisation goes beside a title short enough to leave room for it (a line saved), else
    beside the version and page, else on lines of its own."""
    lang = chart.lang
    facts = [say("chart.version", lang, version=chart.version)]
    if chart.date:
        facts.append(chart.date)
    facts.append(say("chart.page", lang, number=page.number, total=len(chart.pages)))
    heading = chart.title + (f" · {page.subtitle}" if page.subtitle else "")
    rows = [f'<font point-size="{TITLE_PT}"><b>{_lines(wrap_lines(heading, width, TITLE_PT))}</b></font>']
    first = "  ·  ".join(facts)
    organisation = chart.organisation
    if organisation and width_pt(heading, TITLE_PT) + width_pt(f"    {organisation}", LEGEND_PT) <= width:
        rows[0] += f'    <font point-size="{LEGEND_PT}">{escape(organisation)}</font>'  # beside a short title
        organisation = ""
    if organisation:  # beside the facts if it fits there, else on lines of its own above them
        beside = f"{organisation}  {first}"
        if len(wrap_lines(beside, width, LEGEND_PT)) == 1:
            first = beside
        else:
            rows.append(_lines(wrap_lines(organisation, width, LEGEND_PT)))
    facts = wrap_lines(first, width, LEGEND_PT)
    legend = _legend_rows(chart, page, width, lead=facts[0]) if len(facts) == 1 else []
    if len(legend) != 1:  # the roles do not all fit beside the facts: the facts on a line of their own
        rows.append(_lines(facts))
        legend = _legend_rows(chart, page, width)
    rows = [f'<tr><td align="left" balign="left">{row}</td></tr>' for row in rows]
    rows += [f'<tr><td align="left">{row}</td></tr>' for row in legend]
    shapes = _lines(wrap_lines(say("chart.shapes", lang), width, LEGEND_PT))
    rows.append(f'<tr><td align="left" balign="left">{shapes}</td></tr>')
    return f'<<table border="0" cellspacing="1" cellpadding="1">{"".join(rows)}</table>>'


def _legend_rows(chart: Chart, page: ChartPage, width: float, lead: str = "") -> list[str]:
    """The role colours of the roles on this page, as few rows of cells as fit across it (one
    for most pages), the first cell saying what they are; `lead` (the version, date and page)
    before them, the roles going on to the next row where they do not fit beside it."""
    used = {node.role for node in page.nodes}
    entries = [e for e in chart.legend if e.role in used]
    if not entries:
        return []
    what = say("chart.legend", chart.lang)
    cells = [(f"<td>{escape(lead)}</td>", width_pt(lead, LEGEND_PT))] if lead else []
    cells.append((f"<td>{escape(what)}</td>", width_pt(what, LEGEND_PT)))
    for entry in entries:
        lines = wrap_box(entry.label, LEGEND_PT, LEGEND_WRAP_PT, width / 2, keep=[entry.label])
        cell = f'<td bgcolor="{entry.colour}" border="1">{_lines(lines)}</td>'
        cells.append((cell, max(width_pt(line, LEGEND_PT) for line in lines)))
    rows: list[list[str]] = [[]]
    room = [width]  # what is left of each row: an empty cell takes it, so the others keep their width
    for cell, cell_pt in cells:
        if rows[-1] and cell_pt + LEGEND_CELL_PT > room[-1]:
            rows.append([])
            room.append(width)
        rows[-1].append(cell)
        room[-1] -= cell_pt + LEGEND_CELL_PT
    table = '<table border="0" cellspacing="2" cellpadding="1"><tr>{}<td width="{}"></td></tr></table>'
    return [table.format("".join(row), max(int(left), 1)) for row, left in zip(rows, room, strict=True)]


def _group_label(label: str, width: float) -> str:
    """A group's frame label, its lines flush left (Graphviz's `\\l` ends a left-justified line).
    Plain text even if written `<like this>` (see _plain)."""
    lines = wrap_box(label, STEP_PT, GROUP_WRAP_PT, width)
    return _plain(label if len(lines) <= 1 else "".join(line + "\\l" for line in lines))


def _plain(text: str) -> str:
    """Text Graphviz must print as it is: the graphviz package would pass a value written
    `<...>` on as an HTML-like label (markup drawn, or a syntax error from dot)."""
    plain: str = graphviz.nohtml(text)  # still a str, marked as not HTML
    return plain


def _node_attrs(chart: Chart, node: ChartNode, highlight: Highlight | None, layout: Layout) -> dict[str, str]:
    attrs = dict(SHAPES.get(node.kind, SHAPES["task"]))
    if node.is_step:
        attrs["fillcolor"] = chart.colour(node.role)
    counts = highlight.counts.get(node.id) if highlight else None
    attrs["label"] = _node_label(chart, node, layout.text_width_pt, counts, boxes=layout.boxes)
    if highlight is not None and highlight.current in (node.id, *node.members):
        attrs.update(penwidth="4", color="#d62728" if highlight.overdue else "#1f77b4")
    if highlight is not None and highlight.counts.get(node.id, (0, 0))[1]:
        attrs.update(penwidth="3", color="#d62728")  # overdue cases wait here
    return attrs


def _node_label(
    chart: Chart,
    node: ChartNode,
    width: float,
    counts: tuple[int, int] | None = None,
    *,
    boxes: str = "usual",
) -> str:
    if node.kind == "start":
        return _plain(node.title)
    if node.kind == "interrupt":  # one or two lines, a phrase never broken
        phrases = [part for part in re.split(r"[：（、]|: | \(|, ", node.title) if part]
        wrapped = wrap_box(node.title, NOTE_PT, NOTE_WRAP_PT, width, keep=phrases)
        return f'<<font point-size="{NOTE_PT}">{_lines(wrapped)}</font>>'
    # a diamond is twice as tall as its text: long text in one runs wide rather than tall
    aspect = 3.0 if node.kind == "decision" else 1.0
    if node.kind == "connector":  # a pointer to a step printed elsewhere: its name, shortened
        title = _lines(shortened(wrap_lines(node.title, STEP_WRAP_PT, STEP_PT), CONNECTOR_LINES))
    else:
        title = _lines(wrap_box(node.title, STEP_PT, STEP_WRAP_PT, width, aspect))
    lines = [f'<font point-size="{STEP_PT}"><b>{title}</b></font>'] if node.title else []
    who = node.role_label + (f" · {node.deadline}" if node.deadline else "")
    notes = [who, *node.notes]
    if boxes == "narrow" and node.deadline:
        notes = [node.role_label, node.deadline, *node.notes]
    if boxes != "usual" and node.kind == "decision" and lines and "<br/>" not in title:
        lines[0] += f'  <font point-size="{NOTE_PT}">{escape(who)}</font>'  # one line: half as tall
        notes = list(node.notes)
    if node.kind == "group" and boxes == "usual":  # wide and low: an overview runs out of height first
        for note in node.notes:  # a step's name it lists is never broken across lines
            wrapped = wrap_box(note, NOTE_PT, GROUP_WRAP_PT, width, keep=node.keep)
            lines.append(f'<font point-size="{NOTE_PT}">{_lines(wrapped)}</font>')
    if node.kind in ("connector", "group"):
        if node.pages:
            numbers = say("list.sep", chart.lang).join(map(str, node.pages))
            text = say("chart.from_page" if node.incoming else "chart.see_page", chart.lang, number=numbers)
            lines.append(f'<font point-size="{NOTE_PT}">{escape(text)}</font>')
        return "<" + "<br/>".join(lines) + ">"
    keep = [p for p in node.keep if width_pt(p, NOTE_PT) <= NOTE_WRAP_PT]  # none widens the box
    for note in notes:
        lines += [  # a line ending where the role and the time limit part needs no "·"
            f'<font point-size="{NOTE_PT}">{escape(part.removesuffix(" ·"))}</font>'
            for part in wrap_box(note, NOTE_PT, NOTE_WRAP_PT, width, aspect, keep=keep)
        ]
    if counts is not None and counts[0]:
        lines.append(_counts_line(chart.lang, *counts))
    return "<" + "<br/>".join(lines) + ">"


def _counts_line(lang: str, active: int, overdue: int) -> str:
    """The number of cases at a step, and in red how many of them are overdue."""
    text = (
        f'<font point-size="{STEP_PT}"><b>{escape(say("chart.active_count", lang, count=active))}</b></font>'
    )
    if overdue:
        late = escape(say("chart.overdue_count", lang, count=overdue))
        text += f' <font point-size="{STEP_PT}" color="#d62728"><b>{late}</b></font>'
    return text


def _lines(lines: list[str]) -> str:
    """Lines of text, escaped, with HTML-label line breaks."""
    return "<br/>".join(escape(line) for line in lines)


def _step_of(node_id: str) -> str:
    """The step a node stands for: connectors to or from another page stand for their step."""
    return node_id.split("__", 1)[1] if node_id.startswith(("to__", "from__")) else node_id


def _actor(actor: str, lang: str) -> str:
    return say("word.system", lang) if actor == "system" else actor


def _arrows(edges: Iterable[ChartEdge], highlight: Highlight | None, lang: str) -> list[list[ChartEdge]]:
    """The edges as arrows: ways between the same two boxes drawn alike (solid, or dashed for a
    timer or an exception) are one arrow, their labels listed, so that a step with four checks
    failing to the same step draws one arrow, not four side by side. A way a case took is an
    arrow of its own: only what was taken is marked."""
    arrows: dict[tuple[str, str, bool, str], list[ChartEdge]] = {}
    for edge in edges:
        taken = f"{edge.kind}:{edge.name}" if highlight and _marks(edge, highlight, lang) else ""
        arrows.setdefault((edge.source, edge.target, edge.kind in DASHED, taken), []).append(edge)
    return list(arrows.values())


def _edge_attrs(
    ways: list[ChartEdge], highlight: Highlight | None, width: float, lang: str
) -> dict[str, str]:
    edge = ways[0]
    attrs: dict[str, str] = {}
    named = say("list.sep", lang).join(dict.fromkeys(way.label for way in ways if way.label))
    labels = wrap_box(named, EDGE_PT, EDGE_WRAP_PT, width / 2, keep=_whole(ways)) if named else []
    if labels:
        attrs["label"] = _plain("\n".join(labels))
    if edge.kind in DASHED:
        attrs["style"] = "dashed"
    if edge.kind == "start":
        attrs["arrowsize"] = "0.6"
    if highlight is not None:
        taken = [mark for way in ways for mark in _marks(way, highlight, lang)]
        if taken:
            attrs.update(penwidth="3", color="#1f77b4", fontcolor="#1f77b4")
            attrs["label"] = _plain("\n".join([*labels, *taken]))
        elif (
            highlight.current in (edge.source, *edge.sources) and _step_of(edge.target) in highlight.available
        ):
            attrs.update(color="#2ca02c", fontcolor="#2ca02c", penwidth="2")
    return attrs


def _whole(ways: list[ChartEdge]) -> list[str]:
    """The labels of an arrow's ways that are kept on one line each: those short enough for one."""
    return [way.label for way in ways if len(ways) > 1 and width_pt(way.label, EDGE_PT) <= EDGE_WRAP_PT]


def _marks(edge: ChartEdge, highlight: Highlight, lang: str) -> list[str]:
    """The marks ("① 02-01 10:30 王芳") of the times the case went `edge`'s way."""
    ways = {(edge.source, edge.kind, edge.name)}  # a note stands for its ways from many steps
    ways |= {(source, "action", edge.name) for source in edge.sources}
    return [
        f"{mark} {_actor(actor, lang)}"
        for source, kind, name, mark, actor in highlight.taken
        if (source, kind, name) in ways
    ]
