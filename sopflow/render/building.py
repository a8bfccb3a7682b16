"""Building elevation charts drawn as SVG: one page per building (floors top to bottom, doors
left to right grouped by unit, each door a coloured cell), and an overview page of every
building's counts. SVG written here rather than by Graphviz: an elevation is a fixed grid whose
rows and columns must line up and fill a page, which a graph layout does not promise; the SVG's
geometry is known exactly (so tests read it), and chromium prints it to PDF or PNG.
Takes the chart view only (engine/buildings.py)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from xml.sax.saxutils import escape, quoteattr

from sopflow.i18n import say
from sopflow.render.browser import print_pdf, screenshot
from sopflow.render.output import write_file, write_with

if TYPE_CHECKING:
    from sopflow.engine.buildings import Building, BuildingChart, Cell, LegendEntry

CHART_FORMATS = ("pdf", "svg", "png")
FONT = "Noto Sans CJK SC, Noto Sans SC, sans-serif"
MARGIN, LABEL_W, UNIT_GAP, HEAD_H, FOOT_H = 10.0, 12.0, 3.0, 30.0, 16.0
MAX_CELL_W, MAX_CELL_H = 45.0, 24.0
PX_PER_MM = 96 / 25.4


class Box(NamedTuple):
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Grid:
    """Where a building's units start, how many door columns each has, and the cells' width."""

    starts: list[float]
    widths: list[int]
    cell_w: float


@dataclass(frozen=True)
class Page:
    width: float  # mm
    height: float
    paper: str  # "A4" / "A3"
    content: str  # what is drawn on it, in mm

    @property
    def svg(self) -> str:
        """The page as an SVG element (without the XML declaration), sized in mm."""
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}mm" height="{self.height}mm" '
            f'viewBox="0 0 {self.width} {self.height}">{self.content}</svg>'
        )


def paper_for(floors: int, columns: int) -> tuple[str, float, float]:
    """A4 for what fits it at a readable size, else A3; landscape when wider than tall."""
    wide = columns > floors * 1.5
    big = floors > 14 or columns > 10
    width, height = (297.0, 420.0) if big else (210.0, 297.0)
    if wide:
        width, height = height, width
    return ("A3" if big else "A4"), width, height


def pages(chart: BuildingChart, lang: str) -> list[Page]:
    """The overview page (when the compound has more than one building), then one per building."""
    drawn = [building_page(chart, building, lang) for building in chart["buildings"]]
    if len(chart["buildings"]) > 1:
        drawn.insert(0, overview_page(chart, lang))
    return drawn


def _text(x: float, y: float, text: str, size: float, **attrs: str) -> str:
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(v)}" for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:.2f}"{extra}>{escape(text)}</text>'


def _rect(box: Box, fill: str) -> str:
    return (
        f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" '
        f'fill={quoteattr(fill)} stroke="#333" stroke-width="0.25"/>'
    )


def _content(width: float, height: float, body: list[str]) -> str:
    return (
        f'<g font-family={quoteattr(FONT)}><rect width="{width}" height="{height}" fill="#fff"/>'
        f"{''.join(body)}</g>"
    )


def text_width(text: str, size: float) -> float:
    """About how wide `text` is at `size` (mm): a Chinese character a full em, others half."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.56 for c in text)


def _legend(
    chart: BuildingChart, counts: dict[str, int], y: float, size: float, right: float
) -> tuple[list[str], float]:
    """The legend: a swatch, the label and how many doors have it, wrapped to the page's width;
    with the baseline of its last line (what is drawn under it starts below that)."""
    body, x = [], MARGIN
    by_colour: dict[str, int] = {}
    for entry in chart["legend"]:
        by_colour[entry["colour"] + entry["label"]] = by_colour.get(entry["colour"] + entry["label"], 0)
    for rule_id, number in counts.items():
        for entry in chart["legend"]:
            if entry["id"] == rule_id:
                by_colour[entry["colour"] + entry["label"]] += number
    seen: set[str] = set()
    for entry in chart["legend"]:
        key = entry["colour"] + entry["label"]
        if key in seen:
            continue
        seen.add(key)
        label = f"{entry['label']} {by_colour.get(key, 0)}"
        step = size * 1.8 + text_width(label, size) + size * 1.5
        if x + step > right:
            x, y = MARGIN, y + size * 1.6
        body.append(_rect(Box(x, y - size, size * 1.4, size * 1.1), entry["colour"]))
        body.append(_text(x + size * 1.8, y, label, size))
        x += step
    return body, y


def building_page(chart: BuildingChart, building: Building, lang: str) -> Page:
    """One building on one page, its grid filling what the title, legend and counts leave."""
    floors = building["floors"]
    widths = [max((len(f["units"][u]) for f in floors), default=0) for u in range(len(building["units"]))]
    columns = max(sum(widths), 1)
    paper, width, height = paper_for(len(floors), columns)
    inner_w = width - 2 * MARGIN - LABEL_W - UNIT_GAP * (len(widths) - 1)
    legend, legend_end = _legend(chart, building["counts"], MARGIN + 14, 3.4, width - MARGIN)
    top = max(HEAD_H, legend_end + 8)  # a legend on two lines pushes the grid down, never over it
    inner_h = height - top - FOOT_H - MARGIN
    cell_w = min(inner_w / columns, MAX_CELL_W)
    cell_h = min(inner_h / max(len(floors), 1), MAX_CELL_H)
    size = min(cell_h * 0.28, cell_w / 6.5, 4.5)
    title = say(
        "building.page", lang, compound=chart["compound"], building=building["name"], date=chart["date"]
    )
    body = [_text(MARGIN, MARGIN + 6, title, 6.0, font_weight="bold")]
    if chart["masked"]:
        body.append(_text(width - MARGIN, MARGIN + 6, say("sheet.masked", lang), 3.0, text_anchor="end"))
    body += legend
    x0 = MARGIN + LABEL_W
    starts, x = [], x0
    for unit_index, unit in enumerate(building["units"]):
        starts.append(x)
        if unit:
            body.append(_text(x + widths[unit_index] * cell_w / 2, top - 2, unit, 3.6, text_anchor="middle"))
        x += widths[unit_index] * cell_w + UNIT_GAP
    for row, floor in enumerate(floors):
        y = top + row * cell_h
        if floor["name"]:
            body.append(
                _text(
                    MARGIN + LABEL_W - 2,
                    y + cell_h * 0.62,
                    floor["name"],
                    min(size * 1.1, 3.6),
                    text_anchor="end",
                )
            )
        for unit_index, cells in enumerate(floor["units"]):
            for column, cell in enumerate(cells):
                box = Box(starts[unit_index] + column * cell_w, y, cell_w, cell_h)
                body += _door(chart, cell, box, size, lang, house=building["hamlet"])
    grid = Grid(starts, widths, cell_w)
    body += _unit_counts(chart, building, grid, top + len(floors) * cell_h + 6)
    return Page(width, height, paper, _content(width, height, body))


def _fill(chart: BuildingChart, colour_id: str) -> str:
    return next((e["colour"] for e in chart["legend"] if e["id"] == colour_id), "#fff")


def _door(chart: BuildingChart, cell: Cell, box: Box, size: float, lang: str, *, house: bool) -> list[str]:
    """One door: its colour, its number, and the day of isolation or a masked name."""
    x, y, w, h = box
    pad = 0.6
    body = []
    if house:  # a village house: a roof over its cell
        body.append(
            f'<polygon points="{x + pad:.1f},{y + h * 0.3:.1f} {x + w / 2:.1f},{y + pad:.1f} '
            f'{x + w - pad:.1f},{y + h * 0.3:.1f}" fill="#ddd" stroke="#333" stroke-width="0.25"/>'
        )
        y, h = y + h * 0.3, h * 0.7
    body.append(_rect(Box(x + pad, y + pad, w - 2 * pad, h - 2 * pad), _fill(chart, cell["colour"])))
    body.append(_text(x + pad + 0.8, y + pad + size * 1.05, cell["door"], size, font_weight="bold"))
    if cell["people"]:
        people = say("building.people", lang, count=cell["people"])
        body.append(_text(x + w - pad - 0.8, y + pad + size * 1.05, people, size * 0.85, text_anchor="end"))
    if cell["text"]:
        body.append(_text(x + w / 2, y + h - pad - size * 0.45, cell["text"], size, text_anchor="middle"))
    return body


def _unit_counts(chart: BuildingChart, building: Building, grid: Grid, top: float) -> list[str]:
    """Under each unit: how many doors of each colour (only colours it has)."""
    body = []
    for unit_index, counts in enumerate(building["unit_counts"]):
        x, y = grid.starts[unit_index], top
        end = x + grid.widths[unit_index] * grid.cell_w
        for colour_id, number in sorted(counts.items(), key=lambda kv: _order(chart, kv[0])):
            body.append(_rect(Box(x, y - 2.6, 3.0, 3.0), _fill(chart, colour_id)))
            body.append(_text(x + 3.8, y, str(number), 3.0))
            x += 10
            if x > end - 8:
                x, y = grid.starts[unit_index], y + 4.5
    return body


def _order(chart: BuildingChart, colour_id: str) -> int:
    return next((i for i, e in enumerate(chart["legend"]) if e["id"] == colour_id), 99)


def overview_page(chart: BuildingChart, lang: str) -> Page:
    """Every building's counts by colour: a table of swatches and numbers, with totals."""
    width, height = 297.0, 210.0
    entries: list[LegendEntry] = []
    for entry in chart["legend"]:
        if all(e["colour"] + e["label"] != entry["colour"] + entry["label"] for e in entries):
            entries.append(entry)
    body = [
        _text(
            MARGIN,
            MARGIN + 6,
            say("building.overview", lang, compound=chart["compound"], date=chart["date"]),
            6.0,
            font_weight="bold",
        )
    ]
    col_w = min((width - 2 * MARGIN - 40) / max(len(entries) + 1, 1), 32)
    y = MARGIN + 20
    row_h = min(9.0, (height - y - MARGIN) / (len(chart["buildings"]) + 2))
    for index, entry in enumerate(entries):
        x = MARGIN + 40 + index * col_w
        body.append(_rect(Box(x, y - 8, col_w - 2, 9), entry["colour"]))
        body.append(_text(x + col_w / 2 - 1, y - 2, entry["label"][:9], 2.8, text_anchor="middle"))
    body.append(
        _text(
            MARGIN + 40 + len(entries) * col_w + col_w / 2,
            y - 2,
            say("report.total", lang),
            3.2,
            text_anchor="middle",
        )
    )
    totals = [0] * (len(entries) + 1)
    rows = [*chart["buildings"], None]
    for row_index, building in enumerate(rows):
        ry = y + (row_index + 1) * row_h
        name = building["name"] if building else say("report.total", lang)
        body.append(_text(MARGIN, ry, name, 3.6, font_weight="bold" if building is None else "normal"))
        numbers = totals if building is None else _by_entry(chart, entries, building["counts"])
        for index, number in enumerate(numbers):
            x = MARGIN + 40 + index * col_w + col_w / 2 - 1
            body.append(_text(x, ry, str(number), 3.6, text_anchor="middle"))
            if building is not None:
                totals[index] += number
    return Page(width, height, "A4", _content(width, height, body))


def _by_entry(chart: BuildingChart, entries: list[LegendEntry], counts: dict[str, int]) -> list[int]:
    numbers = []
    for entry in entries:
        key = entry["colour"] + entry["label"]
        ids = [e["id"] for e in chart["legend"] if e["colour"] + e["label"] == key]
        numbers.append(sum(counts.get(i, 0) for i in ids))
    return [*numbers, sum(numbers)]


def chart_html(drawn: list[Page]) -> str:
    """The pages in one printable HTML page, each on its own sheet of its paper."""
    sizes = {f"{p.paper}-{p.width:.0f}": p for p in drawn}
    css = "".join(
        f"@page p{name} {{ size: {p.width}mm {p.height}mm; margin: 0; }} .p{name} {{ page: p{name}; }}"
        for name, p in sizes.items()
    )
    sheets = "".join(f'<div class="sheet p{p.paper}-{p.width:.0f}">{p.svg}</div>' for p in drawn)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><style>'
        f"body {{ margin: 0; }} .sheet {{ break-after: page; }} .sheet svg {{ display: block; }} {css}"
        f"</style></head><body>{sheets}</body></html>"
    )


def stacked_svg(drawn: list[Page]) -> str:
    """All pages one under the other in one SVG (for .svg and .png)."""
    width = max(p.width for p in drawn)
    height = sum(p.height for p in drawn) + 5 * (len(drawn) - 1)
    parts, y = [], 0.0
    for page in drawn:
        parts.append(f'<g transform="translate(0 {y})">{page.content}</g>')
        y += page.height + 5
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}mm" height="{height}mm" '
        f'viewBox="0 0 {width} {height}">{"".join(parts)}</svg>'
    )


def write_chart(chart: BuildingChart, fmt: str, path: Path, lang: str) -> Path:
    drawn = pages(chart, lang)
    if fmt == "svg":
        return write_file(path, '<?xml version="1.0" encoding="utf-8"?>\n' + stacked_svg(drawn))
    if fmt == "png":
        svg = stacked_svg(drawn)
        width = round(max(p.width for p in drawn) * PX_PER_MM)
        height = round((sum(p.height for p in drawn) + 5 * (len(drawn) - 1)) * PX_PER_MM)
        page = f'<!DOCTYPE html><html><body style="margin:0">{svg}</body></html>'
        return write_with(path, lambda temp: screenshot(page, temp, width, height))
    return write_with(path, lambda temp: print_pdf(chart_html(drawn), temp))
