"""A printed page (handbook, case sheet) as PDF, printed by a real browser: headless Chromium,
Debian's `chromium` package, run through `programs.run` like every program sopflow uses. What the
PDF shows is what a worker gets from Ctrl+P in a browser, A4, the pages' own margins, no headers."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sopflow.render.output import write_with
from sopflow.render.programs import run

BROWSER_TIMEOUT_S = 180  # a handbook with its charts inlined takes Chromium some 20 s on one core


def chromium_args(page: Path, pdf: Path, profile: Path) -> list[str]:
    """Chromium's arguments to print `page` to `pdf` (pure; a profile of its own so that a user's
    running browser is left alone; no sandbox, which needs privileges a container lacks)."""
    return [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-pdf-header-footer",
        f"--user-data-dir={profile}",
        f"--print-to-pdf={pdf}",
        page.resolve().as_uri(),
    ]


def print_pdf(html: str, target: Path) -> Path:
    """Write `html` printed to PDF at `target`, whole or not at all."""

    def produce(temporary: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="sopflow-print-") as folder:
            page = Path(folder) / "page.html"
            page.write_text(html, "utf-8")
            pdf = Path(folder) / "page.pdf"
            run("chromium", *chromium_args(page, pdf, Path(folder) / "profile"), timeout=BROWSER_TIMEOUT_S)
            temporary.write_bytes(pdf.read_bytes())

    return write_with(target, produce)
