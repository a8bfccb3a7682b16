"""`sopflow places` and `sopflow people`: importing the county's places and people from the
spreadsheets staff keep, listing places, and `sopflow find` for a person and their cases."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from sopflow.cases.privacy import mask_door, mask_text
from sopflow.commands.base import SopflowCommand, SopflowGroup
from sopflow.commands.columns import pad
from sopflow.commands.common import (
    chosen_lang,
    current_engine,
    json_option,
    lang_option,
    print_json,
    read_options,
)
from sopflow.i18n import say
from sopflow.intake.people import PeopleIntake
from sopflow.intake.places import PlacesIntake
from sopflow.intake.run import Intake, Outcome, run_import
from sopflow.sheets.read import Progress
from sopflow.store.registry import Registry, the_county

FILE = click.Path(exists=False, dir_okay=False, path_type=Path)


@contextmanager
def progress_bars() -> Iterator[Callable[[int, str], Progress]]:
    """A progress bar per pass on stderr when it is a terminal; nothing otherwise (a log, a pipe)."""
    bars: list[Any] = []

    def make(total: int, label: str) -> Progress:
        if not sys.stderr.isatty():
            return lambda _n: None
        for bar in bars:
            bar.render_finish()
        bar = click.progressbar(length=total or None, label=label, file=sys.stderr)
        bars.append(bar)
        return bar.update

    try:
        yield make
    finally:
        for bar in bars:
            bar.render_finish()


def import_file(
    intake: Intake[Any],
    file: Path,
    reject_file: Path | None,
    lang: str,
    as_json: bool,
    *,
    skipped: Callable[[], int] | None = None,
) -> None:
    """Import and print the summary; `skipped()`: rows left out as not filled in (checks sheets)."""
    engine = current_engine(writes=True)
    with progress_bars() as progress:
        outcome = run_import(
            engine.store, intake, file, lang=lang, reject_file=reject_file, progress=progress
        )
    _summary(outcome, lang, as_json, skipped() if skipped else None)


def _summary(outcome: Outcome, lang: str, as_json: bool, skipped: int | None) -> None:
    counts = outcome.counts
    if as_json:
        print_json(
            {
                "file": outcome.file,
                "new": counts.new,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
                "rejected": counts.rejected,
                **({"skipped": skipped} if skipped is not None else {}),
                "problems": [p.text(lang) for p in outcome.problems],
            }
        )
        return
    for problem in outcome.problems:
        click.echo(problem.text(lang), err=True)
    click.echo(
        say(
            "intake.summary",
            lang,
            file=outcome.file,
            new=counts.new,
            updated=counts.updated,
            unchanged=counts.unchanged,
            rejected=counts.rejected,
        )
    )
    if skipped:
        click.echo(say("intake.skipped", lang, count=skipped))
    if outcome.reject_file is not None and counts.rejected:
        click.echo(say("intake.rejects_written", lang, file=str(outcome.reject_file), count=counts.rejected))


def import_options(command: Any) -> Any:
    command = click.option("--reject-file", type=FILE, default=None, help="help.opt.reject_file")(command)
    command = json_option(command)
    command = lang_option()(command)
    return click.argument("file", type=FILE)(command)


@click.group("places", cls=SopflowGroup, help="help.places")
def places_group() -> None:
    """The county's places: towns, villages and communities down to every door."""


@places_group.command("import", help="help.places.import")
@import_options
def places_import(file: Path, reject_file: Path | None, lang: str | None, as_json: bool) -> None:
    """Import places from a CSV or XLSX file: a column per level (县, 乡镇, 村/社区, 网格, 小区/屯, 楼,
    单元, 层, 户), a row per place (usually per door)."""
    import_file(PlacesIntake(), file, reject_file, chosen_lang(lang), as_json)


@places_group.command("list", help="help.places.list")
@click.argument("under", required=False)
@lang_option()
@json_option
def places_list(under: str | None, lang: str | None, as_json: bool) -> None:
    """How many places of each kind, households and people the registry holds (under a place)."""
    lang = chosen_lang(lang)
    registry = Registry(current_engine().store)
    path = registry.resolve_place(under) if under else None
    counts = registry.counts(path)
    if as_json:
        print_json({"place": path, **counts})
        return
    if path:
        click.echo(path)
    for name, number in counts.items():
        click.echo(f"  {pad(say('count.' + name, lang), 11)} {number}")  # one column: it lines up


@click.group("people", cls=SopflowGroup, help="help.people")
def people_group() -> None:
    """The county's people: one record per person, however many lists name them."""


@people_group.command("import", help="help.people.import")
@import_options
def people_import(file: Path, reject_file: Path | None, lang: str | None, as_json: bool) -> None:
    """Import people from a CSV or XLSX file (姓名, 身份证号, 联系电话, 户编号, 住址 or the place columns)."""
    engine = current_engine(writes=True)
    with engine.store.reading() as conn:
        county = the_county(conn)
    today = engine.clock().astimezone(engine.tz).date()
    import_file(PeopleIntake(today, county), file, reject_file, chosen_lang(lang), as_json)


@click.command("find", cls=SopflowCommand, help="help.find")
@click.argument("text")
@click.option("--limit", type=int, default=50, show_default=True, help="help.opt.find_limit")
@read_options
def find_command(text: str, limit: int, lang: str | None, as_json: bool, show_personal: bool) -> None:
    """Find people by name (张, 张三), ID number or phone (2207…0045, 138…) and list their cases."""
    lang = chosen_lang(lang)
    found = Registry(current_engine().store).find(text, limit)

    def shown(value: object) -> str:
        if value is None:
            return "-"
        return str(value) if show_personal else mask_text(str(value))

    rows = [
        {
            "name": shown(person.name),
            "id_number": shown(person.id_number),
            "phone": shown(person.phone),
            "sex": person.sex,
            "birth_year": person.birth_date.year if person.birth_date else None,
            "household": person.household,
            "dwelling": person.dwelling
            if show_personal or not person.dwelling
            else mask_door(person.dwelling),
            "possible_duplicate_of": person.duplicate_of,
            "cases": cases,
        }
        for person, cases in found
    ]
    if as_json:
        print_json(rows)
        return
    for row, (_person, cases) in zip(rows, found, strict=True):
        where = row["dwelling"] or "-"
        click.echo(
            f"{pad(str(row['name']), 6)} {row['id_number']:<18} {row['phone']:<11} "
            f"{pad(_sex(row['sex'], lang), 6)} {where}"
        )
        if row["possible_duplicate_of"]:
            click.echo("    " + say("find.duplicate", lang))
        click.echo("    " + say("find.cases", lang, cases=", ".join(cases) or "-"))
    click.echo(say("find.count", lang, count=len(rows)))


def _sex(sex: object, lang: str) -> str:
    return say(f"sex.{sex}", lang) if sex else "-"
