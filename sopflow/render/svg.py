"""Charts as inline SVG for HTML pages: the XML prolog dropped, ids made unique per page."""

from __future__ import annotations

import re

_XML_HEAD = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_SVG_TAG = re.compile(r"<svg\b[^>]*>")
_GRAPH = re.compile(
    r'<g id="graph0" class="graph" transform="scale\(([-\d.]+) ([-\d.]+)\) rotate\(([-\d.]+)\) '
    r'translate\(([-\d.]+) ([-\d.]+)\)">'
)
_POLYGON = re.compile(r'<polygon\b[^>]*\bpoints="([^"]+)"')


def inline_svg(svg: bytes | str, prefix: str) -> str:
    """An SVG from `dot` made fit to sit inside HTML: no XML prolog or doctype, ids made unique
    with `prefix`, and a viewBox that does not match the printed size (Graphviz 2.43 with a graph
    `margin`) replaced by the drawing's own box, which the browser would otherwise shift and
    rescale. Sizes stay in points: the page prints at the size `lay_out` chose."""
    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    text = _fit_view_box(_XML_HEAD.sub("", text, count=1))
    text = re.sub(r'\bid="', f'id="{prefix}', text)
    # Graphviz names each node and arrow by its step ids in comments and <title>s (a tooltip, and
    # text a browser's PDF keeps): a printed page shows labels only
    text = re.sub(r"<!--.*?-->\n?|<title>.*?</title>\n?", "", text, flags=re.DOTALL)
    return re.sub(r"<svg\b", '<svg class="chart" role="img"', text, count=1)


def _fit_view_box(text: str) -> str:
    head = _SVG_TAG.search(text)
    if head is None or not _view_box_is_off(head.group(0)):
        return text
    graph = _GRAPH.search(text)
    polygon = _POLYGON.search(text, graph.end()) if graph else None
    if graph is None or polygon is None or float(graph.group(3)) != 0:
        return text
    sx, sy, _, tx, ty = (float(g) for g in graph.groups())
    points = [tuple(float(v) for v in p.split(",")) for p in polygon.group(1).split()]
    xs = [(x + tx) * sx for x, _ in points]
    ys = [(y + ty) * sy for _, y in points]
    x0, y0, width, height = min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)
    if width <= 0 or height <= 0:
        return text
    tag = head.group(0)
    tag = re.sub(r'\s(width|height|viewBox)="[^"]*"', "", tag)
    tag = tag.replace(
        "<svg",
        f'<svg width="{width:.2f}pt" height="{height:.2f}pt" '
        f'viewBox="{x0:.2f} {y0:.2f} {width:.2f} {height:.2f}"',
        1,
    )
    return text[: head.start()] + tag + text[head.end() :]


def _view_box_is_off(tag: str) -> bool:
    """True when the viewBox's shape differs from the printed size's: the drawing would be shifted
    and scaled (Graphviz 2.43 with a graph `margin`). A page set with `pad` comes out right."""
    sizes = dict(re.findall(r'\s(width|height)="([\d.]+)pt"', tag))
    box = re.search(r'\sviewBox="([-\d.]+) ([-\d.]+) ([\d.]+) ([\d.]+)"', tag)
    if box is None or set(sizes) != {"width", "height"}:
        return False
    box_w, box_h = float(box.group(3)), float(box.group(4))
    width, height = float(sizes["width"]), float(sizes["height"])
    if min(box_w, box_h, width, height) <= 0:
        return False
    return abs((width / height) / (box_w / box_h) - 1) > 0.01
