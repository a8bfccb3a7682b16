"""`sopflow alert list|close`: the open alerts (a signal a case could not take, or that found
nobody to take it) and closing one with a note — a thin layer over the Engine's alerts."""

from __future__ import annotations

import click

from sopflow.cases.alerts import Alert
from sopflow.commands.base import SopflowCommand, SopflowGroup
from sopflow.commands.columns import table
from sopflow.commands.common import (
    actor_role_options,
    check_lang_any,
    child_flows,
    chosen_lang,
    current_engine,
    ids_option,
    json_option,
    lang_option,
    names,
    print_json,
)
from sopflow.commands.filters import place_filter
from sopflow.engine.alert_views import AlertView, alert_view
from sopflow.engine.runtime import Engine
from sopflow.i18n import say


@click.group("alert", cls=SopflowGroup, help="help.alert")
def alert_group() -> None:
    """Open alerts: signals kept on a case until someone sees to them."""


@alert_group.command("list", cls=SopflowCommand, help="help.alert.list")
@click.option("--role", default=None, help="help.opt.due_role")
@click.option("--place", default=None, help="help.opt.due_place")
@lang_option()
@json_option
@ids_option
def alert_list(*, role: str | None, place: str | None, lang: str | None, as_json: bool) -> None:
    """Open alerts, oldest first: for a role, at a place and below it."""
    lang = check_lang_any(chosen_lang(lang))
    engine = current_engine()
    rows = alert_rows(engine, engine.alerts(role=role, place=place_filter(engine, place)), lang)
    if as_json:
        print_json(rows)
        return
    for line in alert_lines(rows, lang):
        click.echo(line)
    click.echo(say("alert.count", lang, count=len(rows)))


@alert_group.command("close", cls=SopflowCommand, help="help.alert.close")
@click.argument("alert_id")
@click.option("--note", required=True, help="help.opt.alert_note")
@actor_role_options
@lang_option()
@json_option
def alert_close(
    *, alert_id: str, note: str, actor: str, role: str | None, lang: str | None, as_json: bool
) -> None:
    """Close an open alert with a note saying what was done about it (--json: the alert closed,
    its case and the alerts still open there, for a script)."""
    lang = check_lang_any(chosen_lang(lang))
    engine = current_engine(writes=True)
    case = engine.close_alert(alert_id, actor=actor, role=role, note=note)
    if as_json:
        print_json({"closed": alert_id.strip(), "case": case.id, "open": [a.id for a in case.alerts]})
        return
    click.echo(say("alert.closed", lang, alert=alert_id.strip(), case=case.id, left=len(case.alerts)))


def alert_rows(engine: Engine, alerts: list[Alert], lang: str) -> list[AlertView]:
    rows = []
    others = child_flows()
    for alert in alerts:
        case = engine.case(alert.case_id)
        stepper = engine.stepper_for(case)
        step_role = stepper.flow.steps[case.step].role
        rows.append(alert_view(stepper.flow, alert, lang, engine.tz, roles=[step_role], other_flow=others))
    return rows


def alert_lines(rows: list[AlertView], lang: str) -> list[str]:
    """Alerts as lines: id, when, what, for whom; and under each, how to close it."""
    lines = []
    for row in rows:
        whom = say("alert.for", lang, roles=names(row["role_labels"], row["roles"], lang))
        lines += table([[row["id"], row["raised_at"], row["what"] + whom]])
        lines.append("    " + say("alert.how_to_close", lang, id=row["id"]))
    return lines
