"""`sopflow import FLOW FILE` (a case per row) and `sopflow checks import FILE` (twice-daily
readings from the checks sheet): files staff fill in, taken in all or nothing."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from sopflow.commands.base import SopflowCommand, SopflowGroup
from sopflow.commands.common import chosen_lang, current_engine
from sopflow.commands.registry import import_file, import_options
from sopflow.intake.cases import CasesIntake
from sopflow.intake.checks import ChecksIntake


def who_options(command: Any) -> Any:
    """--actor and --role: who imports, in which role (the flow's opener, or the reading's)."""
    command = click.option("--role", envvar="SOPFLOW_ROLE", default=None, help="help.opt.role")(command)
    return click.option(
        "--actor",
        envvar="SOPFLOW_ACTOR",
        default=lambda: os.environ.get("USER", "staff"),
        show_default="SOPFLOW_ACTOR or $USER",
        help="help.opt.actor",
    )(command)


@click.command("import", cls=SopflowCommand, help="help.import")
@click.argument("flow")
@import_options
@who_options
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
    import_file(intake, file, reject_file, chosen_lang(lang), as_json)


@click.group("checks", cls=SopflowGroup, help="help.checks")
def checks_group() -> None:
    """Readings taken on many cases at once, entered from one sheet."""


@checks_group.command("import", help="help.checks.import")
@import_options
@who_options
def checks_import(
    *, file: Path, reject_file: Path | None, lang: str | None, as_json: bool, actor: str, role: str | None
) -> None:
    """Record the readings of a checks sheet (案件编号, 日期, 时段 or 时间, 体温, 症状, 记录人)."""
    engine = current_engine(writes=True)
    intake = ChecksIntake(engine, actor=actor, role=role)
    import_file(intake, file, reject_file, chosen_lang(lang), as_json, skipped=lambda: intake.skipped)
