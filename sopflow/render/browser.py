"""Printing an HTML page to PDF, or taking a PNG of it, with a real browser: headless Chromium,
Debian's `chromium` package, run through `programs.run` like every program sopflow uses. What the
PDF shows is what a worker gets from Ctrl+P in a browser: the page sets its own paper with CSS
`@page`, no headers or footers, fonts embedded by Chromium's PDF writer. A missing chromium is an
error saying to install it."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sopflow.errors import RenderError
from sopflow.render.output import write_with
from sopflow.render.programs import run

BROWSER_TIMEOUT_S = 180  # a handbook with its charts inlined takes Chromium some 20 s on one core
# its own profile, so that a user's running browser is left alone; no sandbox, which needs
# privileges a container lacks
HEADLESS = ("--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars")


def chromium_args(page: Path, pdf: Path, profile: Path) -> list[str]:
    """Chromium's arguments to print `page` to `pdf` (pure, for the tests to read)."""
    return [
        *HEADLESS,
        "--no-pdf-header-footer",
        f"--user-data-dir={profile}",
        f"--print-to-pdf={pdf}",
        page.resolve().as_uri(),
    ]


def print_pdf(html: str, target: Path) -> None:
    """`html` printed to the PDF file `target` (a caller that must not leave half a file writes
    to a temporary one: see `write_pdf`)."""
    with tempfile.TemporaryDirectory(prefix="sopflow-print-") as folder:
        where = Path(folder)
        page = _page(where, html)
        out = where / "out.pdf"
        run("chromium", *chromium_args(page, out, where / "profile"), timeout=BROWSER_TIMEOUT_S)
        _moved(out, target)


def write_pdf(html: str, target: Path) -> Path:
    """`html` printed to PDF at `target`, whole or not at all."""
    return write_with(target, lambda temporary: print_pdf(html, temporary))


def screenshot(html: str, target: Path, width: int, height: int) -> None:
    """A PNG of `html` in a window of `width` × `height` CSS pixels."""
    with tempfile.TemporaryDirectory(prefix="sopflow-shot-") as folder:
        where = Path(folder)
        page = _page(where, html)
        out = where / "out.png"
        run(
            "chromium",
            *HEADLESS,
            f"--user-data-dir={where / 'profile'}",
            f"--window-size={width},{height}",
            "--default-background-color=ffffffff",
            f"--screenshot={out}",
            page.resolve().as_uri(),
            timeout=BROWSER_TIMEOUT_S,
        )
        _moved(out, target)


def _page(folder: Path, html: str) -> Path:
    page = folder / "page.html"
    page.write_text(html, "utf-8")
    return page


def _moved(out: Path, target: Path) -> None:
    if not out.is_file() or out.stat().st_size == 0:
        raise RenderError("program.failed", program="chromium", detail="no output")
    target.write_bytes(out.read_bytes())
