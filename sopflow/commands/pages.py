"""`sopflow handbook` and `sopflow case sheet`: printable HTML pages, to print from a browser on A4.

The lead registers them: `cli.add_command(handbook_command)` and
`case_group.add_command(case_sheet_command)`.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import click

from sopflow.commands.base import SopflowCommand
from sopflow.commands.common import (
    LOCAL_TIME,
    check_lang,
    current_engine,
    in_local_time,
    lang_option,
    resolve_flow,
)
from sopflow.commands.settings import LANG_KEY
from sopflow.engine.sheet_views import case_sheet_view
from sopflow.i18n import say, ui_languages
from sopflow.language.catalog import FlowCatalog
from sopflow.render.browser import write_pdf
from sopflow.render.casesheet import case_sheet_html
from sopflow.render.handbook import handbook_html
from sopflow.render.output import output_folder, write_file


def _print_lang(lang: str | None) -> str:
    """Printed pages are in Chinese unless --lang or SOPFLOW_LANG says otherwise."""
    ctx = click.get_current_context(silent=True)
    lang = lang or (ctx.meta.get(LANG_KEY) if ctx is not None else None)
    if lang:
        return lang
    explicit = os.environ.get("SOPFLOW_LANG", "").strip().lower()
    return explicit if explicit in ui_languages() else "zh"


def _write(path: Path, html: str) -> None:
    """The page as HTML, or printed to PDF by headless Chromium when the file's name ends in .pdf."""
    if path.suffix.lower() == ".pdf":
        write_pdf(html, path)
    else:
        write_file(path, html)


@click.command("handbook", cls=SopflowCommand, help="help.handbook")
@click.argument("flow")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="help.opt.handbook_file",
)
@lang_option("help.opt.handbook_lang")
@click.option("--org", "organisation", default="", help="help.opt.handbook_org")
@click.option(
    "--date",
    "date_text",
    default=None,
    help="help.opt.handbook_date",
)
@click.option("--no-charts", is_flag=True, help="help.opt.no_charts")
def handbook_command(
    *,
    flow: str,
    output: Path,
    lang: str | None,
    organisation: str,
    date_text: str | None,
    no_charts: bool,
) -> None:
    """Write a printable handbook of FLOW (an id or a .yaml file): the chart pages, every step in
    plain words (who, what, by when, what next), the roles, the data and the settings."""
    lang = _print_lang(lang)
    output_folder(output.parent)
    loaded = resolve_flow(flow)
    check_lang(loaded, lang)
    catalog = click.get_current_context().find_object(FlowCatalog)
    html = handbook_html(
        loaded,
        lang,
        organisation=organisation,
        date=date_text if date_text is not None else datetime.now().astimezone().date().isoformat(),
        charts=not no_charts,
        catalog=catalog,
    )
    _write(output, html)
    pages = html.count('<section class="chart-page')
    if pages:
        click.echo(say("handbook.written", lang, file=output, count=pages))
    else:
        click.echo(say("cli.sheet_written", lang, file=output))


@click.command("sheet", cls=SopflowCommand, help="help.case.sheet")
@click.argument("case_id")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="help.opt.sheet_file",
)
@lang_option("help.opt.sheet_lang")
@click.option(
    "--show-personal",
    is_flag=True,
    help="help.opt.sheet_personal",
)
@click.option(
    "--now",
    type=LOCAL_TIME,
    default=None,
    metavar="'YYYY-MM-DD HH:MM'",
    help="help.opt.sheet_now",
)
def case_sheet_command(
    *, case_id: str, output: Path, lang: str | None, show_personal: bool, now: datetime | None
) -> None:
    """Write a one-page printable sheet for a case: who and where, the current step and who is
    responsible, what to do next and by when (overdue marked), and the history."""
    lang = _print_lang(lang)
    output_folder(output.parent)
    engine = current_engine()
    now = in_local_time(now, engine)
    check_lang(engine.stepper_for(engine.case(case_id)).flow, lang)
    view = case_sheet_view(engine, case_id, lang, now, show_personal=show_personal)
    html = case_sheet_html(view, lang)
    _write(output, html)
    click.echo(say("cli.sheet_written", lang, file=output))


__all__ = ["case_sheet_command", "handbook_command"]
