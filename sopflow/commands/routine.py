"""`sopflow due`, `tick` and `verify`: the day's work across cases, time moving them on, and the
store checked against the flows — a thin layer over Engine."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import click

from sopflow.commands.base import SopflowCommand
from sopflow.commands.columns import table
from sopflow.commands.common import (
    LOCAL_TIME,
    as_option,
    check_lang_any,
    chosen_lang,
    current_engine,
    ids_option,
    in_local_time,
    json_option,
    lang_option,
    name,
    names,
    print_json,
    read_options,
)
from sopflow.commands.filters import check_filters, place_filter
from sopflow.engine.discrepancies import DiscrepancyRow, discrepancy_rows, discrepancy_text
from sopflow.engine.due_views import due_detail, moved_detail
from sopflow.engine.runtime import Engine
from sopflow.engine.stepper import Stepper
from sopflow.errors import StoreError
from sopflow.i18n import say
from sopflow.language.durations import parse_duration
from sopflow.language.model import FieldSpec


@click.command("due", cls=SopflowCommand, help="help.due")
@click.option("--flow", "flow_id", default=None, help="help.opt.flow_filter")
@click.option("--role", default=None, help="help.opt.due_role")
@click.option("--place", default=None, help="help.opt.due_place")
@click.option("--worker", default=None, help="help.opt.worker")
@click.option("--within", default="2h", show_default=True, help="help.opt.within")
@click.option("--now", type=LOCAL_TIME, default=None, help="help.opt.as_at")
@lang_option()
@json_option
@ids_option
@click.option("--show-personal", is_flag=True, help="help.opt.show_personal")
def due_command(
    *,
    flow_id: str | None,
    role: str | None,
    place: str | None,
    worker: str | None,
    within: str,
    now: datetime | None,
    lang: str | None,
    as_json: bool,
    show_personal: bool,
) -> None:
    """What is overdue or due soon: deadlines, twice-daily checks, timers. Overdue first."""
    lang = check_lang_any(chosen_lang(lang))
    span = parse_duration(within)
    if span is None:
        raise click.BadParameter(say("option.bad_duration", lang, value=within), param_hint="'--within'")
    engine = current_engine()
    now = in_local_time(now, engine) or engine.clock()
    if flow_id is not None:
        flow_id = engine.flows.flow_id(flow_id)  # by id or name
    with as_option("--now", lang):
        found = engine.due(now, role=role, place=place_filter(engine, place), within=span, worker=worker)
    items = [i for i in found if flow_id in (None, i.flow_id)]
    if not items:
        check_filters(engine.flows, flow_id=flow_id, role=role)
    rows = []
    kinds = engine.place_kinds(item.place for item in items)
    for item in items:
        case = engine.case(item.case_id)
        rows.append(
            due_detail(
                engine.stepper_for(case), item, lang, engine.tz, show_personal=show_personal, kinds=kinds
            )
        )
    if as_json:
        print_json(rows)
        return
    cells = []
    for row in rows:
        mark = say("view.overdue", lang).strip() if row["overdue"] else ""
        what = say("due.kind." + row["kind"], lang)
        if row["kind"] != "deadline":
            what += say("word.colon", lang) + row["label"]
        roles = names(row["role_labels"], row["roles"], lang)
        cells.append(
            [row["due_at"] or "", row["case"], name(row["step_label"], row["step"], lang), what, roles, mark]
        )
    for line in table(cells):
        click.echo(line)
    click.echo(say("due.count", lang, count=len(rows), overdue=sum(r["overdue"] for r in rows)))


@click.command("tick", cls=SopflowCommand, help="help.tick")
@click.option("--now", type=LOCAL_TIME, default=None, help="help.opt.as_at")
@lang_option()
@json_option
@ids_option
def tick_command(*, now: datetime | None, lang: str | None, as_json: bool) -> None:
    """Run out the timers that are due (e.g. the 14-day observation); run it from cron every few minutes."""
    lang = check_lang_any(chosen_lang(lang))
    engine = current_engine(writes=True)
    now = in_local_time(now, engine) or engine.clock()
    with as_option("--now", lang):
        moved = engine.tick(now)
    rows = [moved_detail(engine.stepper_for(c), c, lang, engine.tz, now) for c in moved]
    if as_json:
        print_json(rows)
    else:
        for row in rows:
            outcome = name(row["outcome_label"], row["outcome"], lang)
            status = say(f"status.{row['status']}", lang, outcome=outcome)
            step = name(row["step_label"], row["step"], lang)
            click.echo(say("tick.moved", lang, case=row["case"], step=step, status=status))
        click.echo(say("tick.count", lang, count=len(rows)))


def _stepper_or_none(engine: Engine, case_id: str) -> Stepper | None:
    """The rules of a case `verify` reported, to show its values; None for a case that cannot be
    read (its row holds only the reason, no values)."""
    try:
        return engine.stepper_for(engine.case(case_id))
    except StoreError:
        return None


@click.command("verify", cls=SopflowCommand, help="help.verify")
@read_options
def verify_command(*, lang: str | None, as_json: bool, show_personal: bool) -> None:
    """Replay every case's history against its flow version; exit 1 if any stored state differs.
    Differing personal data is masked unless --show-personal."""
    lang = check_lang_any(chosen_lang(lang))
    engine = current_engine()
    rows: list[DiscrepancyRow] = []
    fields: list[Mapping[str, FieldSpec]] = []  # each row's flow's fields, to show its values
    differing = engine.verify()
    kinds = engine.place_kinds(v for f in differing if f.field == "place" for v in (f.stored, f.replayed))
    for found in differing:
        stepper = _stepper_or_none(engine, found.case_id)
        these = discrepancy_rows(
            stepper, found, engine.tz, show_personal=show_personal, lang=lang, kinds=kinds
        )
        rows += these
        fields += [stepper.flow.fields if stepper else {}] * len(these)
    if as_json:
        print_json(rows)
    else:
        for row, its_fields in zip(rows, fields, strict=True):
            stored, replayed = (
                discrepancy_text(its_fields, row["field"], row[k]) for k in ("stored", "replayed")
            )
            click.echo(
                say(
                    "verify.line",
                    lang,
                    case=row["case"],
                    field=name(row["field_label"], row["field"], lang),
                    stored=stored,
                    replayed=replayed,
                )
            )
        click.echo(say("verify.done", lang, count=len(rows)))
    if rows:
        raise SystemExit(1)
