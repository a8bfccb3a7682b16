"""`sopflow render` and `sopflow case chart`: printable charts, a thin layer over sopflow.render."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import click

from sopflow.commands.base import SopflowCommand
from sopflow.commands.common import (
    LOCAL_TIME,
    F,
    catalog,
    check_lang,
    chosen_lang,
    current_engine,
    in_local_time,
    lang_option,
    name,
    resolve_flow,
    usable_flows,
)
from sopflow.commands.filters import place_filter
from sopflow.engine import ledger
from sopflow.engine.runtime import Engine
from sopflow.errors import LookupFailed, Problem
from sopflow.i18n import say
from sopflow.language.model import Flow
from sopflow.render.chart import build_chart
from sopflow.render.dot import Highlight
from sopflow.render.mermaid import chart_mermaid
from sopflow.render.output import output_folder, write_file
from sopflow.render.printing import PrintedChart, PrintOptions, lay_out, write_chart
from sopflow.render.trace import case_highlight, pages_for_case

FORMATS = ("pdf", "svg", "png", "dot", "mermaid")


def paper_options(command: F) -> F:
    command = click.option(
        "--paper", type=click.Choice(["a4", "a3"]), default="a4", show_default=True, help="help.opt.paper"
    )(command)
    command = click.option(
        "--landscape/--portrait",
        default=None,
        help="help.opt.landscape",
    )(command)
    command = click.option("--org", "organisation", default="", help="help.opt.org")(command)
    return lang_option("help.opt.chart_lang")(command)


@click.command("render", cls=SopflowCommand, help="help.render")
@click.argument("flows", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="help.opt.all")
@click.option(
    "-f",
    "--format",
    "formats",
    type=click.Choice(FORMATS),
    multiple=True,
    default=("pdf",),
    show_default=True,
    help="help.opt.format",
)
@click.option(
    "-o",
    "--output",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="help.opt.output_folder",
)
@click.option("--date", default="", help="help.opt.date")
@click.option("--counts", is_flag=True, help="help.opt.counts")
@click.option("--place", default=None, help="help.opt.counts_place")
@paper_options
def render_command(
    *,
    flows: tuple[str, ...],
    everything: bool,
    formats: tuple[str, ...],
    folder: Path,
    date: str,
    paper: str,
    landscape: bool | None,
    organisation: str,
    lang: str | None,
    counts: bool,
    place: str | None,
) -> None:
    """Print flowcharts: FLOW ids or files, or --all. Text stays at 9 pt or more on paper; a big
    flow is split over several pages (the main line, then each branch)."""
    lang = chosen_lang(lang)
    if not flows and not everything:
        raise click.UsageError("name a FLOW or use --all")
    chosen: list[Flow] = [resolve_flow(f) for f in flows]
    for flow in chosen:
        check_lang(flow, lang)
    broken: list[Problem] = []
    if everything:  # every flow that loads; a broken file is told, and fails the run at the end
        usable, broken = usable_flows(catalog())
        chosen += [
            flow
            for flow in usable
            if flow.id not in {f.id for f in chosen} and _written_in(flow, lang)  # --all --lang mn
        ]
    options = PrintOptions(paper, landscape, organisation, date or _today())
    totals = _active_counts(place) if counts else None
    output_folder(folder)  # before any chart is laid out: a wrong place is said at once
    for flow in chosen:
        if totals is not None:
            these = {step: numbers for (flow_id, step), numbers in totals.items() if flow_id == flow.id}
            options = replace(options, highlight=Highlight(counts=these))
        written = []
        if "mermaid" in formats:  # Markdown has no paper: one diagram of the whole flow
            target = folder / f"{flow.id}.{lang}.md"
            mermaid = chart_mermaid(build_chart(flow, lang, organisation=organisation))
            written.append(write_file(target, mermaid))
        printed = lay_out(flow, lang, options)
        for fmt in (f for f in formats if f != "mermaid"):
            written += write_chart(printed, fmt, folder, f"{flow.id}.{lang}")
        smallest = min(p.fit.smallest_pt for p in printed.pages)
        called = name(flow.text(flow.title, lang), flow.id, lang)
        warn_too_big(printed, flow.id, lang)  # a warning names the flow by its id, as messages do
        click.echo(
            say(
                "render.done",
                lang,
                flow=called,
                count=len(printed.pages),
                points=f"{smallest:.1f}",
                files=", ".join(str(p) for p in written),
            )
        )
    for problem in broken:
        click.echo(problem.format(lang), err=True)
    if broken:
        sys.exit(1)


@click.command("chart", cls=SopflowCommand, help="help.case.chart")
@click.argument("case_id")
@click.option(
    "-o",
    "--output",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="help.opt.chart_file",
)
@click.option(
    "--now",
    type=LOCAL_TIME,
    default=None,
    help="help.opt.now_overdue",
)
@click.option("--show-personal", is_flag=True, help="help.opt.show_names")
@paper_options
def case_chart_command(
    *,
    case_id: str,
    target: Path,
    now: datetime | None,
    show_personal: bool,
    paper: str,
    landscape: bool | None,
    organisation: str,
    lang: str | None,
) -> None:
    """Draw a case on its flow's chart: where it is, the numbered way it came, what can be done now."""
    lang = chosen_lang(lang)
    fmt = target.suffix.lstrip(".").lower()
    if f".{fmt}" not in CASE_CHARTS:
        raise click.BadParameter(
            say("render.bad_suffix", lang, file=target.name, formats=say("list.sep", lang).join(CASE_CHARTS)),
            param_hint="'-o'",
        )
    output_folder(target.parent)
    engine = current_engine()
    case = engine.case(case_id)
    stepper = engine.stepper_for(case)
    check_lang(stepper.flow, lang)
    now = in_local_time(now, engine) or engine.clock()
    highlight = case_highlight(stepper, case, now, engine.tz, show_personal=show_personal)
    options = PrintOptions(paper, landscape, organisation, _today(), highlight, heading=case_id)
    printed = lay_out(_beside_its_file(stepper.flow, engine), lang, options)
    shown = pages_for_case(printed, case)
    written = write_chart(shown, fmt, target.parent, target.stem)
    warn_too_big(shown, case.flow_id, lang)
    click.echo(say("render.case_done", lang, case=case_id, files=", ".join(str(p) for p in written)))


CASE_CHARTS = (".pdf", ".svg", ".png", ".dot")


def _beside_its_file(flow: Flow, engine: Engine) -> Flow:
    """A case's flow as the store keeps it has no file; the chart names the flows it starts by
    their titles, found beside the flow's file (--flows), as for the flow's own chart."""
    path = engine.flows.path_of(flow.id)
    if not path or Path(flow.source_path).is_file():
        return flow
    return replace(flow, source_path=path)


def warn_too_big(printed: PrintedChart, flow: str, lang: str) -> None:
    """A page below 9 pt is never silent: say on stderr what does not fit, and how small it prints."""
    for item in printed.too_big:
        if item.step is None:
            element = say("render.too_big.title", lang)
        else:
            label = item.element if len(item.element) <= 24 else item.element[:23] + "…"
            element = say("render.too_big.step", lang, label=label, id=item.step)
        points = f"{item.smallest_pt:.1f}"
        click.echo(
            say("render.too_big", lang, flow=flow, page=item.page, element=element, points=points),
            err=True,
        )


def _active_counts(place: str | None) -> dict[tuple[str, str], tuple[int, int]]:
    """(flow, step) -> (active cases, overdue) in the store now (at `place` or below it)."""
    engine = current_engine()
    where = place_filter(engine, place)
    with engine.store.reading() as conn:
        return ledger.step_totals(ledger.active_counts(conn, engine.store, engine.clock(), place=where))


def _written_in(flow: Flow, lang: str) -> bool:
    try:
        check_lang(flow, lang)
    except LookupFailed:
        return False
    return True


def _today() -> str:
    from datetime import date  # noqa: PLC0415

    return date.today().isoformat()
