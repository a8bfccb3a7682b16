"""The `sopflow` command: parse arguments, call the library, print. Nothing else lives here."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from sopflow.commands.cases import case_group
from sopflow.commands.charts import case_chart_command, render_command
from sopflow.commands.common import (
    LANG_KEY,
    usage_lang,
)
from sopflow.commands.db import db_group
from sopflow.commands.flows import flows
from sopflow.commands.pages import case_sheet_command, handbook_command
from sopflow.commands.registry import find_command, people_group, places_group
from sopflow.commands.routine import due_command, tick_command, verify_command
from sopflow.commands.utf8 import check_utf8
from sopflow.errors import SopflowError
from sopflow.i18n import default_language, say
from sopflow.language.catalog import default_catalog

TOKENS_KEY = "sopflow.tokens"


class SopflowGroup(click.Group):
    """The one place where library errors become one-line messages and exit codes."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[TOKENS_KEY] = list(args)  # the command line as given, for check_utf8
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            check_utf8(self, ctx, ctx.meta.get(TOKENS_KEY, ()))
            return super().invoke(ctx)
        except SopflowError as error:
            self._fail(ctx, error)

    @staticmethod
    def _fail(ctx: click.Context, error: SopflowError) -> None:
        lang = ctx.meta.get(LANG_KEY) or default_language()
        click.echo(error.message(lang), err=True)
        ctx.exit(error.exit_code)


def _store_url(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """`--db county.db`: a plain path (no `://`) is a SQLite file."""
    if value and "://" not in value:
        return f"sqlite:///{Path(value).expanduser()}"
    return value


def _flows_folder(ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path | None:
    """A folder of flows that is not there (a typo, an unmounted share) is a usage error, not an
    empty folder: its flows would silently be the built-in ones."""
    if value is not None and not value.is_dir():
        raise click.BadParameter(say("option.no_folder", usage_lang(ctx), path=value))
    return value


def _timezone(ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """A time zone that does not exist (or none, --timezone "") is a usage error at once."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(say("engine.bad_timezone", usage_lang(ctx), timezone=value)) from None
    return value


@click.group(cls=SopflowGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--flows",
    "flows_dir",
    type=click.Path(path_type=Path),
    callback=_flows_folder,
    default=None,
    envvar="SOPFLOW_FLOWS",
    help="A folder of your own flow files, searched before the built-in ones.",
)
@click.option(
    "--db",
    default=None,
    envvar="SOPFLOW_DB",
    callback=_store_url,
    help="Case store: a SQLite file (county.db, default ./sopflow.db; or sqlite:///county.db) or "
    "postgresql://user@host/db.",
)
@click.option(
    "--timezone",
    default="Asia/Shanghai",
    envvar="SOPFLOW_TIMEZONE",
    show_default=True,
    callback=_timezone,
    help="Local time zone for showing and entering times (stored in UTC), e.g. Asia/Shanghai.",
)
@click.option(
    "--drill",
    is_flag=True,
    help="Make a new store a drill or training store, whose clock may be set ahead (SOPFLOW_NOW, "
    "tick --now). Only a store being made can be made one.",
)
@click.version_option(package_name="sopflow")
@click.pass_context
def cli(ctx: click.Context, flows_dir: Path | None, db: str | None, timezone: str, drill: bool) -> None:
    """sopflow: standard control procedures as flows you can check, step and print."""
    ctx.obj = default_catalog(flows_dir)


cli.add_command(flows)
case_group.add_command(case_chart_command)
case_group.add_command(case_sheet_command)
cli.add_command(handbook_command)
cli.add_command(render_command)
cli.add_command(case_group)
cli.add_command(due_command)
cli.add_command(tick_command)
cli.add_command(verify_command)
cli.add_command(db_group)
cli.add_command(places_group)
cli.add_command(people_group)
cli.add_command(find_command)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI (click turns usage errors into exit code 2; SopflowGroup handles ours)."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="sopflow")
    except BrokenPipeError:  # `sopflow flows paths X | head`
        sys.exit(0)


__all__ = ["cli", "main"]
