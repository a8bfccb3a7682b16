"""Drawing with Graphviz's `dot` and placing its pages on exact A4/A3 with poppler; the programs
run through `programs.run`, which says what to install when one is missing."""

from __future__ import annotations

import json
import re
import tempfile
from functools import cache
from pathlib import Path

from sopflow.errors import RenderError
from sopflow.render.dot import FONT
from sopflow.render.output import cannot_write, write_file, write_with
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

    Graphviz's PDF page is the drawing's own size in whole points, a point or so off the paper;
    its page box is set to the paper here (see `on_paper`), and poppler's pdfunite joins the
    pages. The drawing is never run through cairo a second time: cairo 1.16, embedding again the
    Noto Sans CJK subsets Graphviz embedded, takes some glyphs' advance widths wrongly from the
    font program, and Latin words then print spaced apart (`ver ified_discr epancies`)."""
    drawn = [on_paper(run_dot(source, "pdf"), paper) for source, paper in pages]
    if len(drawn) == 1:
        return write_file(target, drawn[0])
    scratch = Path(tempfile.gettempdir())
    try:  # the pages go to a scratch folder first: a full disk there is said like one at the target
        with tempfile.TemporaryDirectory(prefix="sopflow-") as folder:
            scratch = Path(folder)
            parts = []
            for number, pdf in enumerate(drawn, start=1):
                parts.append(scratch / f"{number}.pdf")
                parts[-1].write_bytes(pdf)
            return write_with(target, lambda temporary: run("pdfunite", *map(str, parts), str(temporary)))
    except OSError as error:
        raise cannot_write(scratch, error) from None


_MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]")
_START_XREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])")


def on_paper(pdf: bytes, paper: tuple[float, float]) -> bytes:
    """Graphviz's one-page PDF with its page made exactly `paper` (points, turned to the page's
    own orientation), the drawing centred on it, and nothing else changed: only the page box is
    rewritten (it may start below zero) and the byte offsets after it moved by as much.

    Graphviz's cairo writes a plain PDF (one page dictionary, a cross-reference table); anything
    else is refused rather than guessed at."""
    boxes = list(_MEDIA_BOX.finditer(pdf))
    end = _START_XREF.search(pdf)
    if len(boxes) != 1 or end is None or not pdf.startswith(b"xref", int(end.group(1))):
        raise RenderError("program.failed", program="dot", detail="unexpected PDF (no single page box)")
    box, xref = boxes[0], int(end.group(1))
    left, bottom, right, top = (float(v) for v in box.groups())
    width, height = right - left, top - bottom
    short, long = sorted(paper)
    paper_w, paper_h = (long, short) if width > height else (short, long)
    dx, dy = (paper_w - width) / 2, (paper_h - height) / 2
    corners = (left - dx, bottom - dy, left - dx + paper_w, bottom - dy + paper_h)
    new_box = b"/MediaBox [ " + b" ".join(b"%.4f" % v for v in corners) + b" ]"
    shift = len(new_box) - len(box.group(0))

    def moved(entry: re.Match[bytes]) -> bytes:
        offset, generation, kind = entry.groups()
        if kind == b"n" and int(offset) > box.start():
            offset = b"%010d" % (int(offset) + shift)
        return offset + b" " + generation + b" " + kind

    table = _XREF_ENTRY.sub(moved, pdf[xref : end.start()])
    return (
        pdf[: box.start()]
        + new_box
        + pdf[box.end() : xref]
        + table
        + b"startxref\n%d\n%%%%EOF\n" % (xref + shift)
    )
