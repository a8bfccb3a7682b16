"""Printing an HTML page to PDF, or taking a PNG of it, with headless chromium (through
programs.run, like every program). The page sets its own paper with CSS `@page`; fonts are
embedded by chromium's PDF writer. A missing chromium is an error saying to install it."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sopflow.errors import RenderError
from sopflow.render.programs import run

HEADLESS = ("--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars")


def _page_file(folder: Path, html: str) -> str:
    page = folder / "page.html"
    page.write_text(html, "utf-8")
    return page.as_uri()


def print_pdf(html: str, target: Path) -> None:
    """`html` printed to the PDF file `target` (written whole, by the caller's write_with)."""
    with tempfile.TemporaryDirectory(prefix="sopflow-print-") as folder:
        where = Path(folder)
        out = where / "out.pdf"
        url = _page_file(where, html)
        run(
            "chromium",
            *HEADLESS,
            f"--user-data-dir={where / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            url,
        )
        _moved(out, target)


def screenshot(html: str, target: Path, width: int, height: int) -> None:
    """A PNG of `html` in a window of `width` × `height` CSS pixels."""
    with tempfile.TemporaryDirectory(prefix="sopflow-shot-") as folder:
        where = Path(folder)
        out = where / "out.png"
        url = _page_file(where, html)
        run(
            "chromium",
            *HEADLESS,
            f"--user-data-dir={where / 'profile'}",
            f"--window-size={width},{height}",
            "--default-background-color=ffffffff",
            f"--screenshot={out}",
            url,
        )
        _moved(out, target)


def _moved(out: Path, target: Path) -> None:
    if not out.is_file() or out.stat().st_size == 0:
        raise RenderError("program.failed", program="chromium", detail="no output")
    target.write_bytes(out.read_bytes())
