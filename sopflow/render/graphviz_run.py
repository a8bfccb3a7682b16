"""Running Graphviz's `dot`: the only place sopflow starts a program. Says what to install if it
(or the Chinese font) is missing."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

from sopflow.errors import RenderError
from sopflow.render.dot import FONT
from sopflow.render.output import write_file, write_with

TIMEOUT_S = 120
FORMATS = ("pdf", "svg", "png")


@cache
def dot_binary() -> str:
    found = shutil.which("dot")
    if found is None:
        raise RenderError("render.no_dot")
    return found


@cache
def check_font() -> None:
    """Charts are set in Noto Sans CJK SC; without it Chinese prints as empty boxes."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        raise RenderError("render.no_font", font=FONT)
    listed = subprocess.run([fc_list, FONT], capture_output=True, text=True, timeout=30, check=False)  # noqa: S603
    if FONT not in listed.stdout:
        raise RenderError("render.no_font", font=FONT)


def run_dot(source: str, fmt: str) -> bytes:
    """`dot -T<fmt>` on `source`; RenderError with dot's own complaint if it fails."""
    check_font()
    done = subprocess.run(  # noqa: S603 - fixed binary, fixed flags
        [dot_binary(), f"-T{fmt}"],
        input=source.encode("utf-8"),
        capture_output=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RenderError("render.dot_failed", detail=detail[0] if detail else f"exit {done.returncode}")
    return done.stdout


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


def write_pdf(sources: list[str], target: Path) -> Path:
    """One PDF with a page per source (poppler's pdfunite joins them), written whole or not at all."""
    if len(sources) == 1:
        return write(sources[0], "pdf", target)
    tool = shutil.which("pdfunite")
    if tool is None:
        raise RenderError("render.no_pdfunite")
    pages = [run_dot(source, "pdf") for source in sources]
    with tempfile.TemporaryDirectory(prefix="sopflow-") as scratch:
        parts = [Path(scratch) / f"{n}.pdf" for n in range(1, len(pages) + 1)]
        for part, page in zip(parts, pages, strict=True):
            part.write_bytes(page)

        def unite(temporary: Path) -> None:
            command = [tool, *map(str, parts), str(temporary)]
            subprocess.run(command, check=True, timeout=TIMEOUT_S, capture_output=True)  # noqa: S603

        return write_with(target, unite)
