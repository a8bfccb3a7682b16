"""`sopflow import FLOW FILE` (a case per row) and `sopflow checks import FILE` (twice-daily
readings from the checks sheet): files staff fill in, taken in all or nothing; `sopflow export`:
the cases a list shows, as a sheet to report upward."""

from __future__ import annotations

from pathlib import Path

import click

from sopflow.commands.base import SopflowCommand, SopflowGroup
from sopflow.commands.common import (
    actor_role_options,
    check_lang_any,
    chosen_lang,
    current_engine,
    lang_option,
    warn_version_reused,
)
from sopflow.commands.filters import ListChoice, list_filter_options
from sopflow.commands.registry import FILE, import_file, import_options
from sopflow.i18n import say
from sopflow.intake.cases import CasesIntake
from sopflow.intake.checks import ChecksIntake
from sopflow.intake.export import export_header, export_rows
from sopflow.sheets.write import write_rows


@click.command("import", cls=SopflowCommand, help="help.import")
@click.argument("flow")
@import_options
@actor_role_options
def import_command(
    *,
    flow: str,
    file: Path,
    reject_file: Path | None,
    lang: str | None,
    as_json: bool,
    actor: str,
    role: str | None,
) -> None:
    """Start a case of FLOW per row of FILE (CSV or XLSX), each row checked as `case start` checks it."""
    engine = current_engine(writes=True)
    intake = CasesIntake(engine, flow, actor=actor, role=role, at=engine.clock())
    warn_version_reused(engine, flow, chosen_lang(lang))
    import_file(intake, file, reject_file, chosen_lang(lang), as_json)


@click.group("checks", cls=SopflowGroup, help="help.checks")
def checks_group() -> None:
    """Readings taken on many cases at once, entered from one sheet."""


@checks_group.command("import", help="help.checks.import")
@import_options
@actor_role_options
def checks_import(
    *, file: Path, reject_file: Path | None, lang: str | None, as_json: bool, actor: str, role: str | None
) -> None:
    """Record the readings of a checks sheet (案件编号, 日期, 时段 or 时间, 体温, 症状, 记录人)."""
    engine = current_engine(writes=True)
    intake = ChecksIntake(engine, actor=actor, role=role)
    import_file(intake, file, reject_file, chosen_lang(lang), as_json, skipped=lambda: intake.skipped)


@click.command("export", cls=SopflowCommand, help="help.export")
@click.option("-o", "--output", "output", type=FILE, required=True, help="help.opt.export_output")
@list_filter_options(limit=None)
@lang_option()
@click.option("--show-personal", is_flag=True, help="help.opt.show_personal")
def export_command(*, output: Path, choice: ListChoice, lang: str | None, show_personal: bool) -> None:
    """Write the cases a list would show to an XLSX or CSV file (one row per case)."""
    lang = check_lang_any(chosen_lang(lang))
    engine = current_engine()
    now = engine.clock()
    where = choice.filter(engine, now)
    rows = export_rows(engine, where, lang, now, show_personal=show_personal, overdue=choice.overdue)
    count = write_rows(output, export_header(lang), rows)
    if not count:
        choice.check_empty(engine.flows)
    click.echo(say("export.written", lang, count=count, file=str(output)))
