"""A chart as Mermaid flowchart text, for Markdown pages (wikis, GitLab, GitHub)."""

from __future__ import annotations

from sopflow.render.chart import Chart, ChartNode, ChartPage

_SHAPES = {
    "task": ('["', '"]'),
    "decision": ('{"', '"}'),
    "wait": ('[["', '"]]'),
    "subflow": ('[["', '"]]'),
    "end": ('(["', '"])'),
    "start": ('(("', '"))'),
    "connector": ('>"', '"]'),
    "interrupt": ('[/"', '"/]'),  # a note: taken from every step it names
}


def chart_mermaid(chart: Chart) -> str:
    """Markdown: a heading and a ```mermaid block per page."""
    parts = [f"# {chart.title} ({chart.version})\n"]
    for page in chart.pages:
        if len(chart.pages) > 1:
            parts.append(f"## {page.number}. {page.subtitle}\n")
        parts.append("```mermaid\n" + page_mermaid(chart, page) + "```\n")
    return "\n".join(parts)


def page_mermaid(chart: Chart, page: ChartPage) -> str:
    lines = ["flowchart TD"]
    grouped: dict[str, list[ChartNode]] = {}
    for node in page.nodes:
        if node.group and node.group in page.groups:
            grouped.setdefault(node.group, []).append(node)
        else:
            lines.append("    " + _node(node))
    for group, nodes in grouped.items():
        lines.append(f'    subgraph {group}["{_text(page.groups[group])}"]')
        lines += ["        " + _node(n) for n in nodes]
        lines.append("    end")
    for edge in page.edges:
        arrow = "-.->" if edge.kind in ("timer", "escalate", "outcome", "connector") else "-->"
        label = f'|"{_text(edge.label)}"|' if edge.label else ""
        lines.append(f"    {_id(edge.source)} {arrow}{label} {_id(edge.target)}")
    for number, entry in enumerate(chart.legend):
        lines.append(f"    classDef role{number} fill:{entry.colour},stroke:#555")
        members = [_id(n.id) for n in page.nodes if n.role == entry.role]
        if members:
            lines.append(f"    class {','.join(members)} role{number}")
    return "\n".join(lines) + "\n"


def _node(node: ChartNode) -> str:
    opening, closing = _SHAPES.get(node.kind, _SHAPES["task"])
    who = node.role_label + (f" · {node.deadline}" if node.deadline else "")
    text = "<br/>".join(_text(t) for t in (node.title, who, *node.notes) if t)
    return f"{_id(node.id)}{opening}{text}{closing}"


def _id(node_id: str) -> str:
    return "n_" + node_id.replace("__", "_")


def _text(value: str) -> str:
    """Mermaid text inside quotes: quotes and angle brackets as entities."""
    return value.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
