"""`sopflow case amend|move|assign|merge|cancel`: putting a case right and handing it on — a thin
layer over the Engine's corrections; each prints where the case now stands and the entries it
added to the history, then what a person must see to (copies of a corrected value, child cases
opened or left open)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import click

from sopflow.cases.records import Case
from sopflow.commands.base import SopflowCommand
from sopflow.commands.cases import case_heading, history_lines, parse_sets, show_case
from sopflow.commands.common import (
    LOCAL_TIME,
    actor_role_options,
    check_lang,
    chosen_lang,
    current_engine,
    in_local_time,
    read_options,
)
from sopflow.commands.settings import usage_lang
from sopflow.engine.correction_views import notes, places_named
from sopflow.engine.runtime import Engine
from sopflow.engine.views import case_detail
from sopflow.i18n import say


def who_options(command: Any) -> Any:
    """--actor, --role and --at, as for any entry."""
    command = actor_role_options(command)
    return click.option("--at", type=LOCAL_TIME, default=None, help="help.opt.at")(command)


def _reason_option(command: Any) -> Any:
    return click.option("--reason", default=None, help="help.opt.reason")(command)


def _engine(case_id: str, options: dict[str, Any]) -> Engine:
    """The Engine of this run, once the output language is known to suit the case's flow (checked
    before anything is saved)."""
    engine = current_engine()
    check_lang(engine.stepper_for(engine.case(case_id)).flow, chosen_lang(options["lang"]))
    return engine


def _done(engine: Engine, changed: Case, options: dict[str, Any]) -> None:
    """Where the case now stands and the entries the correction added to its history, then what a
    person must see to (the whole case with --json; `case show` prints it all)."""
    lang, show_personal = chosen_lang(options["lang"]), options["show_personal"]
    if options["as_json"]:
        show_case(engine, changed.id, lang=lang, as_json=True, show_personal=show_personal)
        return
    stepper = engine.stepper_for(changed)
    case = engine.case(changed.id)
    kinds = engine.place_kinds(places_named(case))
    detail = case_detail(
        stepper, case, lang, engine.tz, engine.clock(), show_personal=show_personal, kinds=kinds
    )
    for line in case_heading(detail, lang):
        click.echo(line)
    added = {event.seq for event in changed.history}
    for line in history_lines([e for e in detail["history"] if e["seq"] in added], lang):
        click.echo("  " + line)
    for line in notes(stepper.flow, changed.id, changed.history, lang):
        click.echo(line)


@click.command("amend", cls=SopflowCommand, help="help.case.amend")
@click.argument("case_id")
@click.argument("seq", type=int)
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="help.opt.amend_set")
@_reason_option
@click.option("--replay", is_flag=True, help="help.opt.replay")
@who_options
@read_options
def amend_command(
    *,
    case_id: str,
    seq: int,
    sets: Sequence[str],
    reason: str | None,
    replay: bool,
    actor: str,
    role: str | None,
    at: datetime | None,
    **options: Any,
) -> None:
    """Correct values that entry SEQ of a case entered (SEQ as `case history` numbers it). The
    entry stays in the history; the correction is added with who, when and --reason. If it would
    change what followed (a decision, an escalation), it is refused and says how, unless --replay."""
    engine = _engine(case_id, options)
    case = engine.amend(
        case_id,
        seq,
        parse_sets(sets),
        reason=reason or "",
        actor=actor,
        role=role,
        at=in_local_time(at, engine),
        replay=replay,
    )
    _done(engine, case, options)


@click.command("move", cls=SopflowCommand, help="help.case.move")
@click.argument("case_id")
@click.option("--place", default=None, help="help.opt.move_place")
@click.option("--note", default=None, help="help.opt.note")
@who_options
@read_options
def move_command(
    *,
    case_id: str,
    place: str | None,
    note: str | None,
    actor: str,
    role: str | None,
    at: datetime | None,
    **options: Any,
) -> None:
    """Hand a case to another place (the person lives in another community); its open child cases
    go with it."""
    engine = _engine(case_id, options)
    case = engine.move(case_id, place or "", actor=actor, role=role, note=note, at=in_local_time(at, engine))
    _done(engine, case, options)


@click.command("assign", cls=SopflowCommand, help="help.case.assign")
@click.argument("case_id")
@click.option("--to", "worker", default=None, help="help.opt.assign_to")
@click.option("--nobody", is_flag=True, help="help.opt.nobody")
@click.option("--note", default=None, help="help.opt.note")
@who_options
@read_options
def assign_command(
    *,
    case_id: str,
    worker: str | None,
    nobody: bool,
    note: str | None,
    actor: str,
    role: str | None,
    at: datetime | None,
    **options: Any,
) -> None:
    """Give a case to a named worker (`due --worker` and `case list --worker` find it)."""
    if (worker is None) != nobody:
        raise click.UsageError(say("option.assign_to", usage_lang(None)))
    engine = _engine(case_id, options)
    case = engine.assign(
        case_id, None if nobody else worker, actor=actor, role=role, note=note, at=in_local_time(at, engine)
    )
    _done(engine, case, options)


@click.command("merge", cls=SopflowCommand, help="help.case.merge")
@click.argument("keep_id")
@click.argument("duplicate_id")
@_reason_option
@who_options
@read_options
def merge_command(
    *,
    keep_id: str,
    duplicate_id: str,
    reason: str | None,
    actor: str,
    role: str | None,
    at: datetime | None,
    **options: Any,
) -> None:
    """Merge DUPLICATE_ID (a second lead about the same person) into KEEP_ID: the duplicate ends
    as merged and points to the case kept, which takes the data it lacks and its open child cases."""
    engine = _engine(keep_id, options)
    case = engine.merge(
        keep_id, duplicate_id, reason=reason or "", actor=actor, role=role, at=in_local_time(at, engine)
    )
    _done(engine, case, options)


@click.command("cancel", cls=SopflowCommand, help="help.case.cancel")
@click.argument("case_id")
@_reason_option
@who_options
@read_options
def cancel_command(
    *, case_id: str, reason: str | None, actor: str, role: str | None, at: datetime | None, **options: Any
) -> None:
    """End a case opened by mistake (outcome: cancelled), with the reason; its open child cases are
    cancelled with it."""
    engine = _engine(case_id, options)
    case = engine.cancel(case_id, reason=reason or "", actor=actor, role=role, at=in_local_time(at, engine))
    _done(engine, case, options)
