"""`sopflow building chart`: the elevation charts of a compound's buildings (or a hamlet's
houses), each door coloured by its people's cases."""

from __future__ import annotations

from pathlib import Path

import click

from sopflow.commands.base import SopflowCommand, SopflowGroup
from sopflow.commands.common import chosen_lang, current_engine, lang_option
from sopflow.commands.day import OUTPUT, day_of, format_of
from sopflow.commands.filters import place_filter
from sopflow.engine.buildings import building_chart
from sopflow.i18n import say
from sopflow.render.building import CHART_FORMATS, write_chart


@click.group("building", cls=SopflowGroup, help="help.building")
def building_group() -> None:
    """Buildings and their doors."""


@building_group.command("chart", cls=SopflowCommand, help="help.building.chart")
@click.argument("compound")
@click.option("--building", default=None, help="help.opt.building")
@click.option("--date", "date_text", default=None, help="help.opt.building_date")
@click.option("-o", "--output", type=OUTPUT, required=True, help="help.opt.building_file")
@click.option(
    "--settings",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="help.opt.building_settings",
)
@click.option("--show-personal", is_flag=True, help="help.opt.show_personal")
@lang_option()
def chart_command(
    *,
    compound: str,
    building: str | None,
    date_text: str | None,
    output: Path,
    settings: Path | None,
    show_personal: bool,
    lang: str | None,
) -> None:
    """Draw COMPOUND's buildings: floors by doors, each door coloured by its people's cases; one
    page per building and an overview of the counts."""
    lang = chosen_lang(lang)
    engine = current_engine()
    chosen = format_of(None, output, CHART_FORMATS)
    path = place_filter(engine, compound) or compound
    chart = building_chart(
        engine,
        path,
        day_of(date_text, engine),
        lang,
        building=building,
        settings=settings,
        show_personal=show_personal,
    )
    write_chart(chart, chosen, output, lang)
    click.echo(say("building.written", lang, file=str(output), count=len(chart["buildings"])))
