"""`sopflow case ...`: start, advance, show, list and read cases — a thin layer over Engine."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import click

from sopflow.cases.arguments import MAX_LIMIT
from sopflow.cases.filter import CaseFilter
from sopflow.commands.common import (
    LOCAL_TIME,
    check_lang,
    check_lang_any,
    chosen_lang,
    current_engine,
    in_local_time,
    print_json,
    read_options,
    usage_lang,
)
from sopflow.commands.filters import check_filters, place_filter
from sopflow.engine.runtime import Engine
from sopflow.engine.views import (
    CaseDetail,
    EventView,
    OfferView,
    case_detail,
    case_summary,
    event_detail,
    shown_value,
)
from sopflow.i18n import aside, say
from sopflow.language.model import FieldSpec


def _parse_sets(pairs: Sequence[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(
                say("option.bad_set", usage_lang(None), value=pair), param_hint="'--set'"
            )
        values[name.strip()] = value
    return values


def actor_options(command: Any) -> Any:
    command = click.option(
        "--actor",
        envvar="SOPFLOW_ACTOR",
        default=lambda: os.environ.get("USER", "staff"),
        show_default="SOPFLOW_ACTOR or $USER",
        help="Who is doing this (a name).",
    )(command)
    command = click.option(
        "--role",
        envvar="SOPFLOW_ROLE",
        default=None,
        help="In which role (a role id of the flow; default SOPFLOW_ROLE).",
    )(command)
    command = click.option(
        "--at",
        type=LOCAL_TIME,
        default=None,
        help="When it happened, local time (default: now), e.g. for paper forms entered later.",
    )(command)
    command = click.option("--note", default=None, help="A note for the history.")(command)
    return click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="Case data, repeatable.")(
        command
    )


@click.group("case")
def case_group() -> None:
    """Start, advance, show and list cases (one person, household or visit in a flow)."""


@case_group.command("start")
@click.argument("flow")
@click.option(
    "--id", "case_id", default=None, help="The case id (e.g. a registration number); default: generated."
)
@click.option(
    "--place", default=None, help="Where the case belongs, e.g. 前郭镇/东风社区 (filters lists and due work)."
)
@actor_options
@read_options
def case_start(
    *,
    flow: str,
    case_id: str | None,
    place: str | None,
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
    engine = current_engine(writes=True)
    data = _parse_sets(sets)
    check_lang(engine.flows.load(flow), chosen_lang(lang))  # before anything is saved
    case = engine.start(
        flow,
        case_id,
        data,
        actor=actor,
        role=role,
        at=in_local_time(at, engine),
        place=place,
        note=note,
    )
    _show(engine, case.id, lang=lang, as_json=as_json, show_personal=show_personal)


@case_group.command("advance")
@click.argument("case_id")
@click.argument("action")
@click.option(
    "--seq",
    "expected_seq",
    type=int,
    default=None,
    help="Only if the case is still at this history number (as shown by case show).",
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
    data = _parse_sets(sets)
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
    _show(engine, case_id, lang=lang, as_json=as_json, show_personal=show_personal)


@case_group.command("show")
@click.argument("case_id")
@click.option(
    "--now", type=LOCAL_TIME, default=None, help="Judge deadlines at this local time (default: now)."
)
@read_options
def case_show(
    *, case_id: str, now: datetime | None, lang: str | None, as_json: bool, show_personal: bool
) -> None:
    """Where a case is, what to do now, who, by when, what comes next, and its history."""
    engine = current_engine()
    _show(
        engine,
        case_id,
        lang=lang,
        as_json=as_json,
        show_personal=show_personal,
        now=in_local_time(now, engine),
    )


def _show(
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
        engine.stepper_for(case), case, lang, engine.tz, now or engine.clock(), show_personal=show_personal
    )
    if as_json:
        print_json(detail)
    else:
        click.echo(_show_text(detail, lang, engine.stepper_for(case).flow.fields))


def _show_text(detail: CaseDetail, lang: str, fields: Mapping[str, FieldSpec]) -> str:
    lines = [say("view.head", lang, id=detail["id"], flow=detail["flow"], version=detail["flow_version"])]
    if detail["status"] == "ended":
        lines.append(say("view.ended", lang, step=detail["step_label"], outcome=detail["outcome"]))
    else:
        lines.append(
            say("view.at", lang, step=detail["step_label"], id=detail["step"], role=detail["role_label"])
        )
        if detail["instructions"]:
            lines.append("  " + detail["instructions"])
        for item in detail["due"]:
            mark = say("view.overdue", lang) if item["overdue"] else ""
            lines.append(say(f"view.due.{item['kind']}", lang, label=item["label"], at=item["due_at"]) + mark)
        lines.append(say("view.now", lang))
        for offer in detail["offers"]:
            lines.append("  " + _offer_text(offer, lang))
    if detail["data"]:
        lines.append(say("view.data", lang) + "  " + _values_text(detail["data"], fields))
    lines.append(say("view.history", lang))
    lines += ["  " + _event_text(e, lang, fields) for e in detail["history"]]
    return "\n".join(lines)


def _offer_text(offer: OfferView, lang: str) -> str:
    where = f" → {offer['to_label']}" if offer["to_label"] else say("view.stays", lang)
    needs = say("view.needs", lang, fields=", ".join(offer["requires"])) if offer["requires"] else ""
    text = f"{offer['name']:<22} {offer['label']}{where}  [{', '.join(offer['roles'])}]{needs}"
    if not offer["available"]:
        problem = offer["problem"]
        reason = (offer["reason"] or "") + (aside(problem, lang) if problem else "")
        text += say("view.not_now", lang, reason=reason)
    return text


def _values_text(values: Mapping[str, Any], fields: Mapping[str, FieldSpec], sep: str = ", ") -> str:
    return sep.join(f"{k}={shown_value(fields, k, v)}" for k, v in values.items())


def _event_text(event: EventView, lang: str, fields: Mapping[str, FieldSpec]) -> str:
    move = (
        f"{event['from_label'] or ''} → {event['to_label']}" if event["to"] else (event["from_label"] or "")
    )
    who = event["actor"] + (f" ({event['role']})" if event["role"] else "")
    extra = [f"{k}={shown_value(fields, k, new)}" for k, (_old, new) in event["changes"].items()]
    if event["why"] and event["why"].get("default"):
        tried = ", ".join(t["guard"] for t in event["why"].get("tried", []))
        extra.append(say("view.why_default", lang, tried=tried or "-"))
    if event["why"] and "guard" in event["why"]:
        extra.append(
            say(
                "view.why",
                lang,
                guard=event["why"]["guard"],
                values=_values_text(event["why"]["values"], fields),
            )
        )
    if event["note"]:
        extra.append("“" + event["note"].replace("\n", " ⏎ ") + "”")  # one line per entry
    tail = ("  " + "; ".join(extra)) if extra else ""
    return f"#{event['seq']:<3} {event['at']}  {event['kind']}:{event['name']}  {move}  {who}{tail}"


@case_group.command("list")
@click.option("--flow", "flow_id", default=None, help="Only cases of this flow.")
@click.option("--step", default=None, help="Only cases at this step.")
@click.option("--role", default=None, help="Only cases whose current step is this role's.")
@click.option(
    "--status", type=click.Choice(["active", "ended"]), default=None, help="Only active or ended cases."
)
@click.option(
    "--place", default=None, help="Only cases at this place or below it (前郭镇 includes 前郭镇/东风社区)."
)
@click.option("--overdue", is_flag=True, help="Only cases with something overdue now.")
@click.option(
    "--limit",
    type=click.IntRange(1, MAX_LIMIT),
    default=200,
    show_default=True,
    help="At most this many cases.",
)
@read_options
def case_list(
    *,
    flow_id: str | None,
    step: str | None,
    role: str | None,
    status: str | None,
    place: str | None,
    overdue: bool,
    limit: int,
    lang: str | None,
    as_json: bool,
    show_personal: bool,
) -> None:
    """List cases; personal data is masked unless --show-personal."""
    lang = check_lang_any(chosen_lang(lang))
    engine = current_engine()
    now = engine.clock()
    where = CaseFilter(
        flow_id=flow_id,
        step=step,
        role=role,
        status=status,
        place=place_filter(engine, place),
        due_before=now if overdue else None,
        limit=limit,
    )
    rows = []
    fields: list[Mapping[str, FieldSpec]] = []  # each row's flow's fields, to show its values
    for case in engine.cases(where):
        stepper = engine.stepper_for(case)
        row = case_summary(stepper, case, lang, engine.tz, show_personal=show_personal)
        if overdue and not any(i.overdue for i in _items(engine, case, now)):
            continue
        rows.append(row)
        fields.append(stepper.flow.fields)
    if not rows:
        check_filters(engine.flows, flow_id=flow_id, step=step, role=role)
    if as_json:
        print_json(rows)
        return
    for row, its_fields in zip(rows, fields, strict=True):
        state = row["outcome"] if row["status"] == "ended" else row["step_label"]
        click.echo(
            f"{row['id']:<20} {row['flow']:<22} {state:<16} {row['updated_at']}  "
            + _values_text(dict(list(row["data"].items())[:4]), its_fields)
        )
    click.echo(say("view.count", lang, count=len(rows)))


def _items(engine: Engine, case: Any, now: datetime) -> list[Any]:
    from sopflow.engine.schedule import due_items  # noqa: PLC0415 (only the --overdue filter needs it)

    return due_items(engine.stepper_for(case), case, now)


@case_group.command("history")
@click.argument("case_id")
@read_options
def case_history(*, case_id: str, lang: str | None, as_json: bool, show_personal: bool) -> None:
    """The full history of a case: who did what, when, and why decisions went as they did."""
    lang = chosen_lang(lang)
    engine = current_engine()
    case = engine.case(case_id)
    stepper = engine.stepper_for(case)
    check_lang(stepper.flow, lang)
    rows = [event_detail(stepper, e, lang, engine.tz, show_personal=show_personal) for e in case.history]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        click.echo(_event_text(row, lang, stepper.flow.fields))
