"""Running Graphviz's `dot`: the only place sopflow starts a program. Says what to install if it
(or the Chinese font) is missing."""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from pathlib import Path

from sopflow.errors import RenderError
from sopflow.render.dot import FONT

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
    if fmt not in FORMATS:
        raise RenderError("render.bad_format", format=fmt, formats=", ".join(FORMATS))
    path.write_bytes(run_dot(source, fmt))
    return path


def unite_pdfs(parts: list[Path], target: Path) -> Path:
    """One PDF with a page per chart page (poppler's pdfunite); parts kept if it is missing."""
    if len(parts) == 1:
        shutil.move(parts[0], target)
        return target
    tool = shutil.which("pdfunite")
    if tool is None:
        raise RenderError("render.no_pdfunite")
    subprocess.run([tool, *map(str, parts), str(target)], check=True, timeout=TIMEOUT_S)  # noqa: S603
    for part in parts:
        part.unlink()
    return target
