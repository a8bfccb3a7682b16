"""Parts of a page drawn one under another.

A page that holds two groups (pages packed together, printing.py) is, to `dot`, one drawing
whose parts share only a few connectors; it lays them side by side, which turns a page that
would fit portrait into a wide one. Invisible arrows from each step of a part to the first step
of the next, two ranks long (room for the connectors under the part), stack them instead, in
the page's order.
"""

from __future__ import annotations

from itertools import pairwise

from sopflow.render.chart import ChartPage


def stacking_edges(page: ChartPage) -> list[tuple[str, str]]:
    """(from, to) of the invisible arrows that put each group of `page` under the one before it
    (nothing for a page of one group)."""
    parts: dict[str | None, list[str]] = {}
    for node in page.nodes:
        if node.is_step:
            parts.setdefault(node.group, []).append(node.id)
    entered = {edge.target for edge in page.edges if edge.source != edge.target}
    links = []
    for upper, lower in pairwise(parts.values()):
        top = next((step for step in lower if step not in entered), lower[0])
        links += [(step, top) for step in upper]
    return links
