"""The daily report in its forms: Markdown, rows for CSV and XLSX, and a printable HTML page (A4
landscape, with small bar charts drawn as inline SVG) that `browser.print_pdf` turns into PDF.
Takes the report view only (engine/dayreport.py)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from markupsafe import Markup, escape

from sopflow.i18n import say
from sopflow.render.browser import print_pdf
from sopflow.render.output import write_file, write_with
from sopflow.sheets.write import write_rows

if TYPE_CHECKING:
    from sopflow.engine.dayreport import DailyReport, ReportRow

FORMATS = ("md", "csv", "xlsx", "html", "pdf")
BARS = ("home", "new", "fever", "overdue")  # the columns drawn as bars, when the report has them


def write_report(report: DailyReport, fmt: str, path: Path, lang: str) -> Path:
    """Write the report to `path` in format `fmt` (one of FORMATS)."""
    if fmt == "md":
        return write_file(path, markdown(report, lang))
    if fmt in ("csv", "xlsx"):
        header, rows = sheet_rows(report, lang)
        return write_with(path, lambda temp: _sheet(temp, fmt, header, rows))
    page = html(report, lang)
    if fmt == "html":
        return write_file(path, page)
    return write_with(path, lambda temp: print_pdf(page, temp))


def _sheet(temp: Path, fmt: str, header: list[str], rows: list[list[object]]) -> None:
    named = temp.with_name(temp.name + "." + fmt)  # write_rows picks the kind by the suffix
    write_rows(named, header, rows)
    named.replace(temp)


def _change(value: int | None) -> str:
    if value is None:
        return ""
    return f"+{value}" if value > 0 else str(value)


def markdown(report: DailyReport, lang: str) -> str:
    """A Markdown table: each cell the number and, beside it, its change since the day before."""
    head = [say("report.place", lang), *(c["label"] for c in report["columns"])]
    lines = [
        f"# {report['title']}",
        "",
        say("report.heading", lang, date=report["date"], cutoff=report["cutoff"], place=report["place"]),
        "",
        "| " + " | ".join(head) + " |",
        "|" + "|".join(["---", *(["---:"] * len(report["columns"]))]) + "|",
    ]
    for row in [*report["rows"], report["total"]]:
        cells = [_md_cell(v, c) for v, c in zip(row["values"], row["changes"], strict=True)]
        name = f"**{row['place']}**" if row is report["total"] else row["place"]
        lines.append("| " + " | ".join([name.replace("|", "\\|"), *cells]) + " |")
    lines += ["", *(f"- {note}" for note in report["notes"]), ""]
    return "\n".join(lines)


def _md_cell(value: int, change: int | None) -> str:
    return f"{value} ({_change(change)})" if change else str(value)


def sheet_rows(report: DailyReport, lang: str) -> tuple[list[str], list[list[object]]]:
    """Header and rows for CSV and XLSX: a column per count, then one per change that is shown."""
    columns = report["columns"]
    changed = [i for i, c in enumerate(columns) if c["changes"]]
    header = [
        say("report.place", lang),
        say("report.path", lang),
        *(c["label"] for c in columns),
        *(say("report.change_of", lang, column=columns[i]["label"]) for i in changed),
    ]
    rows: list[list[object]] = [
        [row["place"], row["path"], *row["values"], *(row["changes"][i] or 0 for i in changed)]
        for row in [*report["rows"], report["total"]]
    ]
    return header, rows


class Bar(NamedTuple):
    label: str
    svg: Markup


def bars(report: DailyReport) -> list[Bar]:
    """Small horizontal bar charts (inline SVG): one per column of BARS, a bar per place."""
    charts = []
    for column_index, column in enumerate(report["columns"]):
        if column["id"] in BARS:
            charts.append(Bar(column["label"], _bar_svg(report["rows"], column_index)))
    return charts


def _bar_svg(rows: Sequence[ReportRow], index: int) -> Markup:
    """A bar per row; the widest is the largest number. Text is escaped (place names are typed)."""
    height, label_width, width = 14, 70, 150
    top = max([r["values"][index] for r in rows] + [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bars" width="{label_width + width + 30}" '
        f'height="{height * len(rows) + 4}" role="img">'
    ]
    for n, row in enumerate(rows):
        y = n * height + 2
        value = row["values"][index]
        length = round(width * value / top)
        parts.append(
            f'<text x="{label_width - 4}" y="{y + 10}" text-anchor="end" font-size="9">'
            f"{escape(row['place'][:8])}</text>"
            f'<rect x="{label_width}" y="{y + 2}" width="{length}" height="{height - 4}" fill="#555"/>'
            f'<text x="{label_width + length + 3}" y="{y + 10}" font-size="9">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - built here, every text in it escaped


def html(report: DailyReport, lang: str) -> str:
    """The printable page (autoescaped template report.html.j2)."""
    # Jinja and the chart code html.py brings are loaded only for a page: the Markdown, CSV and
    # XLSX reports of the evening are made without them (0.4 s of a command's 1 s)
    from sopflow.render.html import render_page  # noqa: PLC0415

    return render_page("report.html.j2", lang, report=report, bars=bars(report), change=_change)
