"""The county's day on paper: `sopflow report daily` (the evening consultation's numbers) and
`sopflow worklist` (each worker's list and check sheet) — thin layers over the ledger's views
and the renderers."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import click

from sopflow.commands.base import SopflowCommand, SopflowGroup
from sopflow.commands.common import chosen_lang, current_engine, json_option, lang_option, print_json
from sopflow.commands.filters import check_filters, place_filter
from sopflow.commands.settings import usage_lang
from sopflow.engine.dayreport import daily_report
from sopflow.engine.runtime import Engine
from sopflow.engine.worklist import worklist_view
from sopflow.i18n import say
from sopflow.render.report import FORMATS, write_report
from sopflow.render.worklist import WORKLIST_FORMATS, write_worklist

OUTPUT = click.Path(dir_okay=False, path_type=Path)


def day_of(text: str | None, engine: Engine, option: str = "--date") -> date:
    """The local date given (2020-02-05 or 2020/2/5), or today's."""
    if text is None:
        return engine.clock().astimezone(engine.tz).date()
    try:
        year, month, day = (int(part) for part in text.strip().replace("/", "-").split("-"))
        return date(year, month, day)
    except ValueError:
        raise click.BadParameter(
            say("option.bad_date", usage_lang(), value=text), param_hint=f"'{option}'"
        ) from None


def time_of(text: str, option: str = "--cutoff") -> time:
    try:
        hours, minutes = (int(part) for part in text.strip().split(":"))
        return time(hours, minutes)
    except ValueError:
        raise click.BadParameter(
            say("option.bad_clock", usage_lang(), value=text), param_hint=f"'{option}'"
        ) from None


def format_of(fmt: str | None, output: Path | None, formats: tuple[str, ...]) -> str:
    """The format asked for, else the output file's suffix; refused if it is none of `formats`."""
    chosen = fmt or (output.suffix.lstrip(".").lower() if output is not None else "md")
    if chosen in formats:
        return chosen
    if fmt is None and output is not None:  # the format was read from the file's name: say so
        raise click.BadParameter(
            say(
                "render.bad_suffix",
                usage_lang(),
                file=output.name,
                formats=say("list.sep", usage_lang()).join(f".{f}" for f in formats),
            ),
            param_hint="'-o'",
        )
    raise click.BadParameter(
        say("render.bad_format", usage_lang(), format=chosen, formats=", ".join(formats)),
        param_hint="'-f'",
    )


@click.group("report", cls=SopflowGroup, help="help.report")
def report_group() -> None:
    """Reports for meetings and for reporting upward."""


@report_group.command("daily", cls=SopflowCommand, help="help.report.daily")
@click.option("--date", "date_text", default=None, help="help.opt.report_date")
@click.option("--cutoff", default="17:00", show_default=True, help="help.opt.cutoff")
@click.option(
    "--by",
    type=click.Choice(["town", "village", "grid"]),
    default="town",
    show_default=True,
    help="help.opt.report_by",
)
@click.option("--place", default=None, help="help.opt.report_place")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(FORMATS), default=None, help="help.opt.report_format"
)
@click.option("-o", "--output", type=OUTPUT, default=None, help="help.opt.report_file")
@click.option(
    "--settings",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="help.opt.report_settings",
)
@lang_option()
@json_option
def daily_command(
    *,
    date_text: str | None,
    cutoff: str,
    by: str,
    place: str | None,
    fmt: str | None,
    output: Path | None,
    settings: Path | None,
    lang: str | None,
    as_json: bool,
) -> None:
    """The daily consultation report: per place, who is under control, what happened today and
    what is overdue, with the change since yesterday and a county total."""
    lang = chosen_lang(lang)
    engine = current_engine()
    chosen = format_of(fmt, output, FORMATS)
    report = daily_report(
        engine,
        day_of(date_text, engine),
        time_of(cutoff),
        lang,
        by=by,
        place=place_filter(engine, place),
        settings=settings,
    )
    if as_json:
        print_json(report)
        return
    if output is None:
        if chosen != "md":
            raise click.UsageError(say("report.needs_output", lang, format=chosen))
        from sopflow.render.report import markdown  # noqa: PLC0415 - the one format printed

        click.echo(markdown(report, lang), nl=False)
        return
    write_report(report, chosen, output, lang)
    click.echo(say("cli.sheet_written", lang, file=str(output)))


@click.command("worklist", cls=SopflowCommand, help="help.worklist")
@click.option("--worker", default=None, help="help.opt.worklist_worker")
@click.option("--role", default=None, help="help.opt.worklist_role")
@click.option("--place", default=None, help="help.opt.worklist_place")
@click.option("--date", "date_text", default=None, help="help.opt.worklist_date")
@click.option("-o", "--output", type=OUTPUT, required=True, help="help.opt.worklist_file")
@click.option("--show-personal", is_flag=True, help="help.opt.show_personal")
@lang_option()
def worklist_command(
    *,
    worker: str | None,
    role: str | None,
    place: str | None,
    date_text: str | None,
    output: Path,
    show_personal: bool,
    lang: str | None,
) -> None:
    """A worker's list for the day (or a role's at a place): overdue first, what to do and where,
    and the twice-daily checks as a table to fill in and read back with `checks import`."""
    lang = chosen_lang(lang)
    if (worker is None) == (role is None):
        raise click.UsageError(say("worklist.who", lang))
    chosen = format_of(None, output, WORKLIST_FORMATS)
    engine = current_engine()
    if role is not None:  # a role no flow has would print an empty list, as if nothing were due
        check_filters(engine.flows, role=role)
    day = day_of(date_text, engine)
    view = worklist_view(
        engine,
        day,
        lang,
        worker=worker,
        role=role,
        place=place_filter(engine, place),
        show_personal=show_personal,
    )
    write_worklist(view, chosen, output, lang)
    click.echo(
        say("worklist.written", lang, file=str(output), items=len(view["items"]), people=len(view["checks"]))
    )
