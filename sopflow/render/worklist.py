"""A worklist in its forms: a printable HTML page (one A4 page for a grid of 40 people), its PDF
(through chromium), and the check sheet as XLSX in the format `checks import` reads back
(docs: the checks sheet, docs/checks-sheet.md; its headers and slot words are part of the format, in
Chinese whatever the language of the rest). Takes the worklist view only."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sopflow.render.browser import print_pdf
from sopflow.render.output import write_file, write_with
from sopflow.sheets.write import write_rows

if TYPE_CHECKING:
    from sopflow.engine.worklist import Worklist

WORKLIST_FORMATS = ("pdf", "html", "xlsx")
# The check sheet's columns (zh header, id) and its two slots: the format shared with `checks import`.
CHECK_COLUMNS = (
    ("案件编号", "case"),
    ("姓名", "name"),
    ("住址", "address"),
    ("日期", "date"),
    ("时段", "slot"),
    ("时间", "time"),
    ("体温", "temperature"),
    ("症状", "symptoms"),
    ("记录人", "recorded_by"),
)
SLOTS = ("上午", "下午")


def write_worklist(view: Worklist, fmt: str, path: Path, lang: str) -> Path:
    if fmt == "xlsx":
        return write_with(path, lambda temp: _sheet(temp, view))
    page = worklist_html(view, lang)
    if fmt == "html":
        return write_file(path, page)
    return write_with(path, lambda temp: print_pdf(page, temp))


def check_sheet_rows(view: Worklist) -> list[list[object]]:
    """Two rows per person (上午, 下午), readings left empty for staff to type in."""
    return [
        [row["case"], row["name"], row["address"], view["date"], slot, "", "", "", ""]
        for row in view["checks"]
        for slot in SLOTS
    ]


def _sheet(temp: Path, view: Worklist) -> None:
    named = temp.with_name(temp.name + ".xlsx")  # write_rows picks the kind by the suffix
    write_rows(named, [zh for zh, _ in CHECK_COLUMNS], check_sheet_rows(view))
    named.replace(temp)


def worklist_html(view: Worklist, lang: str) -> str:
    from sopflow.render.html import render_page  # noqa: PLC0415 - Jinja only for a page (render/report.py)

    return render_page("worklist.html.j2", lang, view=view)
