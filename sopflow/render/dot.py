"""A chart page as Graphviz DOT text: shapes by step kind, role colours, a title block and legend.

Pure: builds text with the `graphviz` package and runs nothing. The sizes (font points, paper) are
what the readability check in `fit.py` reasons about.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import graphviz

from sopflow.render.chart import Chart, ChartEdge, ChartNode, ChartPage
from sopflow.ui import ui

FONT = "Noto Sans CJK SC"
TITLE_PT = 18
STEP_PT = 12
NOTE_PT = 10
EDGE_PT = 10
LEGEND_PT = 10
SMALLEST_PT = min(TITLE_PT, STEP_PT, NOTE_PT, EDGE_PT, LEGEND_PT)

SHAPES = {
    "task": {"shape": "box", "style": "rounded,filled"},
    "decision": {"shape": "diamond", "style": "filled", "margin": "0.02"},
    "wait": {"shape": "box", "style": "filled", "peripheries": "2"},
    "subflow": {"shape": "box3d", "style": "filled"},
    "end": {"shape": "box", "style": "rounded,filled,bold", "penwidth": "2"},
    "start": {"shape": "oval", "style": "filled", "fillcolor": "#333333", "fontcolor": "#ffffff"},
    "connector": {"shape": "box", "style": "rounded,dashed", "color": "#666666"},
}


@dataclass(frozen=True)
class Layout:
    """How the drawing runs (top-down or left-right) and where it goes on paper (see fit.py)."""

    size_in: tuple[float, float] | None = None
    pad_in: tuple[float, float] | None = None
    landscape: bool = False
    rankdir: str = "TB"


@dataclass(frozen=True)
class Highlight:
    """A case drawn onto its chart: where it is, the way it came, what can be done now."""

    current: str | None = None
    taken: tuple[tuple[str, str, str], ...] = ()  # (from, to, "① 02-01 王芳")
    available: tuple[str, ...] = ()  # targets of the actions available now
    overdue: bool = False


def page_dot(
    chart: Chart, page: ChartPage, layout: Layout | None = None, highlight: Highlight | None = None
) -> str:
    """The DOT source of one page."""
    layout = layout or Layout()
    graph = graphviz.Digraph(name=f"{chart.flow_id}_{page.number}")
    graph.attr(
        rankdir=layout.rankdir,
        fontname=FONT,
        nodesep="0.18",
        ranksep="0.28",
        newrank="true",
        labelloc="t",
        labeljust="l",
        label=_title_block(chart, page),
        fontsize=str(LEGEND_PT),
        pad="0.1",
    )
    if layout.size_in is not None and layout.pad_in is not None:
        graph.attr(
            size=f"{layout.size_in[0]:.4f},{layout.size_in[1]:.4f}",
            pad=f"{layout.pad_in[0]:.4f},{layout.pad_in[1]:.4f}",
            margin="0",
        )
    graph.attr("node", fontname=FONT, fontsize=str(STEP_PT), margin="0.08,0.04", penwidth="1")
    graph.attr("edge", fontname=FONT, fontsize=str(EDGE_PT), arrowsize="0.7", color="#444444")
    grouped: dict[str, list[ChartNode]] = {}
    for node in page.nodes:
        if node.group and node.group in page.groups:
            grouped.setdefault(node.group, []).append(node)
        else:
            graph.node(node.id, **_node_attrs(chart, node, highlight))
    for group, nodes in grouped.items():
        with graph.subgraph(name=f"cluster_{group}") as cluster:
            cluster.attr(
                label=page.groups[group],
                style="rounded,dashed",
                color="#888888",
                fontsize=str(STEP_PT),
                fontname=FONT,
            )
            for node in nodes:
                cluster.node(node.id, **_node_attrs(chart, node, highlight))
    for edge in page.edges:
        graph.edge(edge.source, edge.target, **_edge_attrs(edge, highlight))
    source: str = graph.source
    return source


def _title_block(chart: Chart, page: ChartPage) -> str:
    lang = chart.lang
    facts = [ui("chart.version", lang, version=chart.version)]
    if chart.date:
        facts.append(chart.date)
    facts.append(ui("chart.page", lang, number=page.number, total=len(chart.pages)))
    heading = escape(chart.title + (f" · {page.subtitle}" if page.subtitle else ""))
    rows = [
        f'<tr><td align="left" colspan="8"><font point-size="{TITLE_PT}"><b>{heading}</b></font></td></tr>'
    ]
    first = escape(chart.organisation + "  " if chart.organisation else "") + escape("  ·  ".join(facts))
    rows.append(f'<tr><td align="left" colspan="8">{first}</td></tr>')
    for line in ui("chart.shapes", lang).split("|"):
        rows.append(f'<tr><td align="left" colspan="8">{escape(line.strip())}</td></tr>')
    rows.append(f'<tr><td align="left" colspan="8">{escape(ui("chart.legend", lang))}</td></tr>')
    cells = [f'<td bgcolor="{e.colour}" border="1">{_lines(e.label, 14)}</td>' for e in chart.legend]
    per_row = 4
    rows += [f"<tr>{''.join(cells[i : i + per_row])}</tr>" for i in range(0, len(cells), per_row)]
    return f'<<table border="0" cellspacing="3" cellpadding="2">{"".join(rows)}</table>>'


def _node_attrs(chart: Chart, node: ChartNode, highlight: Highlight | None) -> dict[str, str]:
    attrs = dict(SHAPES.get(node.kind, SHAPES["task"]))
    if node.kind not in ("start", "connector"):
        attrs["fillcolor"] = chart.colour(node.role)
    attrs["label"] = _node_label(chart, node)
    if highlight is not None and node.id == highlight.current:
        attrs.update(penwidth="4", color="#d62728" if highlight.overdue else "#1f77b4")
    return attrs


def _node_label(chart: Chart, node: ChartNode) -> str:
    if node.kind == "start":
        return node.title
    title = "<br/>".join(escape(part) for part in wrap(node.title, 16).split("\n"))
    lines = [f'<font point-size="{STEP_PT}"><b>{title}</b></font>'] if node.title else []
    if node.kind == "connector":
        if node.pages:
            numbers = (
                "、".join(str(n) for n in node.pages)
                if chart.lang == "zh"
                else ", ".join(map(str, node.pages))
            )
            text = ui("chart.from_page" if node.incoming else "chart.see_page", chart.lang, number=numbers)
            lines.append(f'<font point-size="{NOTE_PT}">{escape(text)}</font>')
        return "<" + "<br/>".join(lines) + ">"
    who = node.role_label + (f" · {node.deadline}" if node.deadline else "")
    for note in (who, *node.notes):
        lines += [
            f'<font point-size="{NOTE_PT}">{escape(part)}</font>' for part in wrap(note, 24).split("\n")
        ]
    return "<" + "<br/>".join(lines) + ">"


def _lines(text: str, width: int) -> str:
    """Text wrapped to `width` columns, escaped, with HTML-label line breaks."""
    return "<br/>".join(escape(part) for part in wrap(text, width).split("\n"))


def _step_of(node_id: str) -> str:
    """The step a node stands for: connectors to or from another page stand for their step."""
    return node_id.split("__", 1)[1] if node_id.startswith(("to__", "from__")) else node_id


def wrap(text: str, width: int) -> str:
    """Break a label into lines of about `width` columns (a Chinese character counts as two),
    at spaces where there are any, so that boxes stay narrow."""
    lines: list[str] = []
    current = ""
    for word in _words(text):
        if current and _columns(current + word) > width:
            lines.append(current.rstrip())
            current = word.lstrip()
        else:
            current += word
    lines.append(current.rstrip())
    return "\n".join(line for line in lines if line)


def _words(text: str) -> list[str]:
    words: list[str] = []
    for char in text:
        if (
            _columns(char) == 2
            or not words
            or char == " "
            or words[-1].endswith(" ")
            or _columns(words[-1][-1]) == 2
        ):
            words.append(char)
        else:
            words[-1] += char
    return words


def _columns(text: str) -> int:
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _edge_attrs(edge: ChartEdge, highlight: Highlight | None) -> dict[str, str]:
    attrs: dict[str, str] = {}
    if edge.label:
        attrs["label"] = wrap(edge.label, 14)
    if edge.kind in ("timer", "escalate", "outcome", "connector"):
        attrs["style"] = "dashed"
    if edge.kind == "start":
        attrs["arrowsize"] = "0.6"
    if highlight is not None:
        ends = (_step_of(edge.source), _step_of(edge.target))
        taken = [mark for source, target, mark in highlight.taken if (source, target) == ends]
        if taken:
            attrs.update(penwidth="3", color="#1f77b4", fontcolor="#1f77b4")
            attrs["label"] = (edge.label + "\n" if edge.label else "") + "\n".join(taken)
        elif highlight.current == edge.source and ends[1] in highlight.available:
            attrs.update(color="#2ca02c", fontcolor="#2ca02c", penwidth="2")
    return attrs
