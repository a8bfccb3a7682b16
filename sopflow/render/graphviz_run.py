"""Drawing with Graphviz's `dot` and placing its pages on exact A4/A3 with poppler; the programs
run through `programs.run`, which says what to install when one is missing."""

from __future__ import annotations

import json
import shutil
import tempfile
from functools import cache
from pathlib import Path

from sopflow.errors import RenderError
from sopflow.render.dot import FONT
from sopflow.render.output import write_file, write_with
from sopflow.render.programs import run

FORMATS = ("pdf", "svg", "png")


@cache
def check_font() -> None:
    """Charts are set in Noto Sans CJK SC; without it Chinese prints as empty boxes."""
    if FONT not in run("fc-list", FONT).decode("utf-8", "replace"):
        raise RenderError("render.no_font", font=FONT)


def run_dot(source: str, fmt: str) -> bytes:
    """`dot -T<fmt>` on `source`; RenderError with dot's own complaint if it fails."""
    check_font()
    return run("dot", f"-T{fmt}", stdin=source.encode("utf-8"))


def measure(source: str) -> tuple[float, float]:
    """The drawing's natural size in points, from dot's own layout."""
    layout = json.loads(run_dot(source, "json"))
    _, _, width, height = (float(v) for v in layout["bb"].split(","))
    return width, height


def write(source: str, fmt: str, path: Path) -> Path:
    """The drawing as `fmt` at `path`, written whole or not at all (dot runs first)."""
    if fmt not in FORMATS:
        raise RenderError("render.bad_format", format=fmt, formats=", ".join(FORMATS))
    return write_file(path, run_dot(source, fmt))


def write_pdf(pages: list[tuple[str, tuple[float, float]]], target: Path) -> Path:
    """One PDF with a page per (DOT source, paper size in points), each page exactly that paper
    with the drawing centred on it, written whole or not at all.

    Graphviz's PDF page is the drawing's own size, a few points off the paper at best; poppler's
    pdftocairo puts each page, unscaled and centred, on the exact paper, and pdfunite joins them."""
    drawn = [(run_dot(source, "pdf"), paper) for source, paper in pages]
    with tempfile.TemporaryDirectory(prefix="sopflow-") as scratch:
        parts = []
        for number, (pdf, (width, height)) in enumerate(drawn, start=1):
            raw, placed = Path(scratch) / f"{number}.dot.pdf", Path(scratch) / f"{number}.pdf"
            raw.write_bytes(pdf)
            # given portrait, pdftocairo turns the paper to the page's own orientation
            short, long = sorted((round(width), round(height)))
            size = ["-paperw", str(short), "-paperh", str(long)]
            run("pdftocairo", "-pdf", *size, "-noshrink", str(raw), str(placed))
            parts.append(placed)
        if len(parts) == 1:
            return write_with(target, lambda temporary: shutil.copyfile(parts[0], temporary))
        return write_with(target, lambda temporary: run("pdfunite", *map(str, parts), str(temporary)))
