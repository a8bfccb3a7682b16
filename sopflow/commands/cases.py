"""`sopflow case ...`: start, advance, show, list and read cases — a thin layer over Engine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from sopflow.commands.alerts import alert_lines
from sopflow.commands.base import SopflowGroup
from sopflow.commands.columns import table
from sopflow.commands.common import (
    LOCAL_TIME,
    actor_role_options,
    catalog,
    check_lang,
    check_lang_any,
    child_flows,
    chosen_lang,
    current_engine,
    in_local_time,
    name,
    names,
    print_json,
    read_options,
    warn_version_reused,
)
from sopflow.commands.filters import ListChoice, list_filter_options
from sopflow.commands.settings import usage_lang
from sopflow.engine.correction_views import places_named
from sopflow.engine.runtime import Engine
from sopflow.engine.views import (
    CaseDetail,
    EventView,
    OfferView,
    case_detail,
    case_summary,
    history_detail,
)
from sopflow.errors import LookupFailed, SopflowError
from sopflow.i18n import aside, say
from sopflow.language.catalog import load_flow


def parse_sets(pairs: Sequence[str]) -> dict[str, str]:
    """--set 体温=37.5: a field (by id or name) and its value, the value exactly as typed."""
    values: dict[str, str] = {}
    for pair in pairs:
        field, sep, value = pair.partition("=")
        if not sep or not field.strip():
            raise click.BadParameter(
                say("option.bad_set", usage_lang(None), value=pair), param_hint="'--set'"
            )
        name = field.strip()
        if name in values and values[name] != value:  # which one did they mean? not the last silently
            raise click.BadParameter(
                say("option.set_twice", usage_lang(None), name=name, first=values[name], second=value),
                param_hint="'--set'",
            )
        values[name] = value
    return values


def actor_options(command: Any) -> Any:
    command = actor_role_options(command)
    command = click.option(
        "--at",
        type=LOCAL_TIME,
        default=None,
        help="help.opt.at",
    )(command)
    command = click.option("--note", default=None, help="help.opt.note")(command)
    return click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="help.opt.set")(command)


@click.group("case", cls=SopflowGroup, help="help.case")
def case_group() -> None:
    """Start, advance, show and list cases (one person, household or visit in a flow)."""


for _name, _target in {
    "chart": "sopflow.commands.charts:case_chart_command",
    "sheet": "sopflow.commands.pages:case_sheet_command",
    "amend": "sopflow.commands.corrections:amend_command",
    "move": "sopflow.commands.corrections:move_command",
    "assign": "sopflow.commands.corrections:assign_command",
    "merge": "sopflow.commands.corrections:merge_command",
    "cancel": "sopflow.commands.corrections:cancel_command",
}.items():
    case_group.add_lazy(_name, _target)


@case_group.command("start", help="help.case.start")
@click.argument("flow")
@click.option("--id", "case_id", default=None, help="help.opt.case_id")
@click.option("--place", default=None, help="help.opt.place")
@click.option("--at-step", "at_step", default=None, help="help.opt.at_step")
@actor_options
@read_options
def case_start(
    *,
    flow: str,
    case_id: str | None,
    place: str | None,
    at_step: str | None,
    sets: Sequence[str],
    actor: str,
    role: str | None,
    at: datetime | None,
    note: str | None,
    lang: str | None,
    as_json: bool,
    show_personal: bool,
) -> None:
    """Open a case of FLOW (an id) and print where it now is."""
    data = parse_sets(sets)
    if flow.endswith((".yaml", ".yml")) and flow not in catalog().ids():  # a file, where an id belongs
        _refuse_a_file(flow)
    check_lang(catalog().load(flow), chosen_lang(lang))  # before a new store is made, or anything saved
    engine = current_engine(writes=True)
    warn_version_reused(engine, flow, chosen_lang(lang))
    case = engine.start(
        flow,
        case_id,
        data,
        actor=actor,
        role=role,
        at=in_local_time(at, engine),
        place=place,
        note=note,
        at_step=at_step,
    )
    show_case(engine, case.id, lang=lang, as_json=as_json, show_personal=show_personal)


def _refuse_a_file(file: str) -> None:
    """`case start flows/x.yaml`: a case keeps its flow by id, found in --flows; say so."""
    path = Path(file)
    flow_id = path.stem
    with suppress(SopflowError):  # the file's own id when it loads; else its name as an example
        flow_id = load_flow(path).id
    raise LookupFailed("flow.file_for_id", file=file, stem=flow_id, folder=str(path.parent))


@case_group.command("advance", help="help.case.advance")
@click.argument("case_id")
@click.argument("action")
@click.option(
    "--seq",
    "expected_seq",
    type=int,
    default=None,
    help="help.opt.seq",
)
@actor_options
@read_options
def case_advance(
    *,
    case_id: str,
    action: str,
    expected_seq: int | None,
    sets: Sequence[str],
    actor: str,
    role: str | None,
    at: datetime | None,
    note: str | None,
    lang: str | None,
    as_json: bool,
    show_personal: bool,
) -> None:
    """Do ACTION (or record a check) on a case and print where it now is."""
    engine = current_engine(writes=True)
    data = parse_sets(sets)
    check_lang(engine.stepper_for(engine.case(case_id)).flow, chosen_lang(lang))  # before saving
    engine.fire(
        case_id,
        action,
        actor=actor,
        role=role,
        data=data,
        note=note,
        at=in_local_time(at, engine),
        expected_seq=expected_seq,
    )
    show_case(engine, case_id, lang=lang, as_json=as_json, show_personal=show_personal)


@case_group.command("show", help="help.case.show")
@click.argument("case_id")
@click.option("--now", type=LOCAL_TIME, default=None, help="help.opt.now_deadlines")
@read_options
def case_show(
    *, case_id: str, now: datetime | None, lang: str | None, as_json: bool, show_personal: bool
) -> None:
    """Where a case is, what to do now, who, by when, what comes next, and its history."""
    engine = current_engine()
    show_case(
        engine,
        case_id,
        lang=lang,
        as_json=as_json,
        show_personal=show_personal,
        now=in_local_time(now, engine),
    )


def show_case(
    engine: Engine,
    case_id: str,
    *,
    lang: str | None,
    as_json: bool,
    show_personal: bool,
    now: datetime | None = None,
) -> None:
    lang = chosen_lang(lang)
    case = engine.case(case_id)
    check_lang(engine.stepper_for(case).flow, lang)
    detail = case_detail(
        engine.stepper_for(case),
        case,
        lang,
        engine.tz,
        now or engine.clock(),
        show_personal=show_personal,
        child_flow=child_flows(),
        kinds=engine.place_kinds(places_named(case)),
    )
    if as_json:
        print_json(detail)
    else:
        click.echo(_show_text(detail, lang))


def case_heading(detail: CaseDetail, lang: str) -> list[str]:
    """The case, its flow by name, and where it stands: `case show`'s first lines, also printed
    after a correction."""
    flow = name(detail["flow_title"], detail["flow"], lang)
    lines = [say("view.head", lang, id=detail["id"], flow=flow, version=detail["flow_version"])]
    if detail["alerts"]:  # before anything else: a signal waits for someone to see to it
        lines.append(say("view.alerts", lang, count=len(detail["alerts"])))
        lines += ["  " + line for line in alert_lines(detail["alerts"], lang)]
    step = name(detail["step_label"], detail["step"], lang)
    if detail["status"] == "ended":
        outcome = name(detail["outcome_label"], detail["outcome"], lang)
        code = "view.ended_there" if outcome == step else "view.ended"
        lines.append(say(code, lang, step=step, outcome=outcome))
    else:
        lines.append(say("view.at", lang, step=step, role=name(detail["role_label"], detail["role"], lang)))
    return lines


def _show_text(detail: CaseDetail, lang: str) -> str:
    lines = case_heading(detail, lang)
    if detail["status"] != "ended":
        if detail["instructions"]:
            lines.append("  " + detail["instructions"])
        for item in detail["due"]:
            mark = say("view.overdue", lang) if item["overdue"] else ""
            lines.append(say(f"view.due.{item['kind']}", lang, label=item["label"], at=item["due_at"]) + mark)
        lines.append(say("view.now", lang))
        lines += ["  " + line for line in table([_offer_cells(o, lang) for o in detail["offers"]])]
    if detail["merged_into"]:
        lines.append(say("view.merged_into", lang, case=detail["merged_into"]))
    if detail["members"]:
        left = ", ".join(detail["members_left"]) or "-"
        lines.append(say("view.members", lang, ids=", ".join(detail["members"]), left=left))
    if detail["shares"]:
        lines.append(say("view.shares", lang, ids=", ".join(detail["shares"])))
    if detail["assigned_to"]:
        lines.append(say("view.assigned", lang, worker=detail["assigned_to"]))
    if detail["data"]:
        lines.append(
            say("view.data", lang) + "  " + _values(detail["data_labels"], detail["data_text"], lang)
        )
    if detail["checks"]:
        lines.append(say("view.checks", lang))
        lines += [
            "  " + say("view.check", lang, label=c["label"], recorded=c["recorded"], missed=c["missed"])
            for c in detail["checks"]
        ]
    lines.append(say("view.history", lang))
    lines += ["  " + line for line in history_lines(detail["history"], lang)]
    return "\n".join(lines)


def _offer_cells(offer: OfferView, lang: str) -> list[str]:
    """An offer as cells of the list of what can be done: what, where it leads, who, what it needs."""
    where = f"→ {name(offer['to_label'], offer['to'], lang)}" if offer["to"] else say("view.stays", lang)
    tail = ""
    needed = [
        (label, f)
        for label, f in zip(offer["requires_labels"], offer["requires"], strict=True)
        if f not in offer["held"]
    ]
    if needed:
        tail += say("view.needs", lang, fields=names([n for n, _ in needed], [f for _, f in needed], lang))
    if offer["held"]:
        labels = dict(zip(offer["requires"], offer["requires_labels"], strict=True))
        tail += say("view.held", lang, values=_values(labels, offer["held"], lang))
    if not offer["available"]:
        reason = (offer["reason_text"] or "") + (aside(offer["problem"], lang) if offer["problem"] else "")
        tail += say("view.not_now", lang, reason=reason)
    return [
        name(offer["label"], offer["name"], lang),
        where,
        names(offer["role_labels"], offer["roles"], lang),
        tail.strip(),
    ]


def _values(labels: Mapping[str, str], texts: Mapping[str, str], lang: str) -> str:
    """姓名=张*、电话=138****5678: values by their fields' names."""
    return say("list.sep", lang).join(f"{name(labels.get(k, k), k, lang)}={v}" for k, v in texts.items())


def history_lines(events: Sequence[EventView], lang: str) -> list[str]:
    """A history as lines whose columns (number, time, what, move, who) line up."""
    rows = []
    for event in events:
        move = (
            f"{event['from_label'] or ''} → {event['to_label']}"
            if event["to"]
            else (event["from_label"] or "")
        )
        who = event["actor_label"] + (
            aside(name(event["role_label"], event["role"], lang), lang) if event["role"] else ""
        )
        extra = []
        if event["changes"] and event["kind"] != "amend":  # an amendment says it in words
            extra.append(_values(event["change_labels"], event["changes_text"], lang))
        if event["summary"]:
            extra.append(event["summary"])
        if event["corrected_in"]:
            seqs = ", ".join(f"#{n}" for n in event["corrected_in"])
            extra.append(say("history.corrected_in", lang, seqs=seqs))
        if event["entered_late"]:
            extra.append(event["entered_late"])
        if event["why_text"]:
            extra.append(event["why_text"])
        if event["note"]:
            extra.append("“" + event["note"].replace("\n", " ⏎ ") + "”")  # one line per entry
        what = name(event["what"], event["name"], lang) if event["kind"] != "start" else event["what"]
        rows.append([f"#{event['seq']}", event["at"] or "", what, move.strip(), who, "; ".join(extra)])
    return table(rows)


@case_group.command("list", help="help.case.list")
@list_filter_options(limit=200)
@read_options
def case_list(*, choice: ListChoice, lang: str | None, as_json: bool, show_personal: bool) -> None:
    """List cases; personal data is masked unless --show-personal."""
    lang = check_lang_any(chosen_lang(lang))
    engine = current_engine()
    now = engine.clock()
    where = choice.filter(engine, now)
    rows = []
    found = engine.cases(where)
    kinds = engine.place_kinds(case.place for case in found)
    for case in found:
        stepper = engine.stepper_for(case)
        row = case_summary(stepper, case, lang, engine.tz, show_personal=show_personal, kinds=kinds)
        if choice.overdue and not case.alerts and not any(i.overdue for i in _items(engine, case, now)):
            continue
        rows.append(row)
    if not rows:
        choice.check_empty(engine.flows)
    if as_json:
        print_json(rows)
        return
    cells = []
    for row in rows:
        state = (
            name(row["outcome_label"], row["outcome"], lang)
            if row["status"] == "ended"
            else name(row["step_label"], row["step"], lang)
        )
        first = dict(list(row["data_text"].items())[:4])
        values = _values(row["data_labels"], first, lang)
        cells.append(
            [row["id"], name(row["flow_title"], row["flow"], lang), state, row["updated_at"] or "", values]
        )
    for line in table(cells):
        click.echo(line)
    click.echo(say("view.count", lang, count=len(rows)))


def _items(engine: Engine, case: Any, now: datetime) -> list[Any]:
    from sopflow.engine.schedule import due_items  # noqa: PLC0415 (only the --overdue filter needs it)

    return due_items(engine.stepper_for(case), case, now)


@case_group.command("history", help="help.case.history")
@click.argument("case_id")
@read_options
def case_history(*, case_id: str, lang: str | None, as_json: bool, show_personal: bool) -> None:
    """The full history of a case: who did what, when, and why decisions went as they did."""
    lang = chosen_lang(lang)
    engine = current_engine()
    case = engine.case(case_id)
    stepper = engine.stepper_for(case)
    check_lang(stepper.flow, lang)
    child = child_flows()
    kinds = engine.place_kinds(places_named(case))
    rows = history_detail(
        stepper, case.history, lang, engine.tz, show_personal=show_personal, child_flow=child, kinds=kinds
    )
    if as_json:
        print_json(rows)
        return
    for line in history_lines(rows, lang):
        click.echo(line)
