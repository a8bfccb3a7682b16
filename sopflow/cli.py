"""The `sopflow` command: parse arguments, call the library, print. Nothing else lives here."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from sopflow.commands.base import SopflowGroup
from sopflow.commands.clickwords import speaking
from sopflow.commands.common import lang_option
from sopflow.commands.settings import RUN_LANG, checked_timezone, flows_folder, lang_in, store_url, usage_lang
from sopflow.commands.utf8 import check_utf8
from sopflow.errors import SopflowError
from sopflow.language.catalog import default_catalog

TOKENS_KEY = "sopflow.tokens"


class RootGroup(SopflowGroup):
    """The one place where library errors become one-line messages and exit codes, and where a
    run is set to speak the user's language (click's own words too)."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **kwargs: Any) -> Any:
        argv = list(args) if args is not None else sys.argv[1:]
        token = RUN_LANG.set(lang_in(argv))
        try:
            with speaking(usage_lang):
                return super().main(argv, *rest, **kwargs)
        finally:
            RUN_LANG.reset(token)

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
        click.echo(error.message(usage_lang(ctx)), err=True)
        ctx.exit(error.exit_code)


def _store_url(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    return store_url(value)


def _flows_folder(ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path | None:
    return flows_folder(ctx, value)


def _timezone(ctx: click.Context, _param: click.Parameter, value: str) -> str:
    return checked_timezone(ctx, value)


@click.group(cls=RootGroup, context_settings={"help_option_names": ["-h", "--help"]}, help="help.sopflow")
@click.option(
    "--flows",
    "flows_dir",
    type=click.Path(path_type=Path),
    callback=_flows_folder,
    default=None,
    envvar="SOPFLOW_FLOWS",
    help="help.opt.flows",
)
@click.option("--db", default=None, envvar="SOPFLOW_DB", callback=_store_url, help="help.opt.db")
@click.option(
    "--timezone",
    default="Asia/Shanghai",
    envvar="SOPFLOW_TIMEZONE",
    show_default=True,
    callback=_timezone,
    help="help.opt.timezone",
)
@lang_option()
@click.option("--drill", is_flag=True, help="help.opt.drill")
@click.version_option(package_name="sopflow")
@click.pass_context
def cli(
    ctx: click.Context,
    *,
    flows_dir: Path | None,
    db: str | None,
    timezone: str,
    lang: str | None,
    drill: bool,
) -> None:
    """sopflow: standard control procedures as flows you can check, step and print."""
    ctx.obj = default_catalog(flows_dir)


# Each command is imported when it is run (or listed by --help): see SopflowGroup.add_lazy.
COMMANDS = {
    "flows": "sopflow.commands.flows:flows",
    "handbook": "sopflow.commands.pages:handbook_command",
    "render": "sopflow.commands.charts:render_command",
    "case": "sopflow.commands.cases:case_group",
    "due": "sopflow.commands.routine:due_command",
    "tick": "sopflow.commands.routine:tick_command",
    "verify": "sopflow.commands.routine:verify_command",
    "db": "sopflow.commands.db:db_group",
    "places": "sopflow.commands.registry:places_group",
    "people": "sopflow.commands.registry:people_group",
    "find": "sopflow.commands.registry:find_command",
    "import": "sopflow.commands.intake:import_command",
    "checks": "sopflow.commands.intake:checks_group",
    "export": "sopflow.commands.intake:export_command",
    "report": "sopflow.commands.day:report_group",
    "worklist": "sopflow.commands.day:worklist_command",
    "building": "sopflow.commands.buildings:building_group",
    "alert": "sopflow.commands.alerts:alert_group",
}
for _name, _target in COMMANDS.items():
    cli.add_lazy(_name, _target)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI (click turns usage errors into exit code 2; RootGroup handles ours)."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="sopflow")
    except BrokenPipeError:  # `sopflow flows paths X | head`
        sys.exit(0)


__all__ = ["cli", "main"]
