"""`sopflow flows`: list, show, check and walk flow definitions."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from sopflow.commands.base import SopflowGroup
from sopflow.commands.columns import table
from sopflow.commands.common import (
    catalog,
    check_lang,
    child_flows,
    chosen_lang,
    ids_option,
    json_option,
    lang_option,
    name,
    names,
    print_json,
    resolve_flow,
    usable_flows,
)
from sopflow.errors import FlowError, LookupFailed
from sopflow.i18n import aside, say
from sopflow.language.catalog import builtin_dir, load_flow
from sopflow.language.describe import FlowDetail, WayView, flow_detail, flow_summary, path_detail
from sopflow.language.model import Flow
from sopflow.language.naming import FlowNames
from sopflow.language.paths import TooManyPaths, count_paths, cover_paths, flow_paths


@click.group(cls=SopflowGroup, help="help.flows")
def flows() -> None:
    """List, show, check and walk flow definitions."""


@flows.command("list", help="help.flows.list")
@lang_option()
@json_option
@ids_option
def flows_list(lang: str | None, as_json: bool) -> None:
    """List the flows there are (your --flows folder first, then the built-in ones)."""
    lang = chosen_lang(lang)
    flows_there, problems = usable_flows(catalog())
    rows = [flow_summary(flow, lang) for flow in flows_there]
    if as_json:
        print_json(rows)
    else:
        cells = []
        for row in rows:
            builtin = Path(row["file"] or "").parent == builtin_dir()
            where = say("list.builtin", lang) if builtin else row["file"] or ""
            steps = f"{row['steps']} {say('list.steps', lang)}"
            cells.append(
                [name(row["title"], row["id"], lang), row["version"], steps, aside(where, lang).strip()]
            )
        for line in table(cells):
            click.echo(line)
    for problem in problems:
        click.echo(problem.format(lang), err=True)
    if problems:
        sys.exit(1)


@flows.command("show", help="help.flows.show")
@click.argument("flow")
@lang_option()
@json_option
@ids_option
def flows_show(flow: str, lang: str | None, as_json: bool) -> None:
    """Show a flow's steps, roles and deadlines. FLOW is an id, a name or a file."""
    lang = chosen_lang(lang)
    loaded = resolve_flow(flow)
    detail = flow_detail(loaded, check_lang(loaded, lang), child_flows())
    if as_json:
        print_json(detail)
        return
    click.echo(_show_text(detail, lang))


def _show_text(detail: FlowDetail, lang: str) -> str:
    lines = [f"{name(detail['title'], detail['id'], lang)}  (v{detail['version']})"]
    if detail["description"]:
        lines.append(detail["description"])
    lines.append("")
    lines.append(say("show.roles", lang))
    lines += [f"  {name(label, rid, lang)}" for rid, label in detail["roles"].items()]
    lines.append("")
    lines.append(say("show.steps", lang))
    for number, step in enumerate(detail["steps"], 1):
        facts = [say(f"kind.{step['kind']}", lang), name(step["role_label"], step["role"], lang)]
        if step["deadline"]:
            facts.append(say("show.deadline", lang, value=step["deadline_text"]))
        if step["outcome"]:
            facts.append(say("show.outcome", lang, value=name(step["outcome_label"], step["outcome"], lang)))
        lines.append(f"  {number:>2}. {name(step['label'], step['id'], lang)}  " + " · ".join(facts))
        for check in step["checks"]:
            lines.append(
                "      ↻ " + say("show.check", lang, label=check["label"], every=check["every_text"])
            )
        for way in step["ways"]:
            lines.append(f"      → {_way_text(way, lang)}")
    return "\n".join(lines)


def _way_text(way: WayView, lang: str) -> str:
    target = name(way["to_label"], way["to"], lang)
    if way["kind"] == "timer":  # "Period over 14 days after Basis date", "…：进入本步起 2 天后"
        code = "way.timer_from" if way["from_label"] else "way.timer"
        return say(
            code, lang, label=way["label"], after=way["after_text"], start=way["from_label"], to=target
        )
    if way["kind"] == "next":
        return target
    when = way.get("when_text")
    condition = "  " + aside(when, lang).strip() if when else ""
    if way.get("default"):
        condition = "  " + say("way.default", lang)
    label = name(way["label"], way["name"], lang) if way["kind"] in ("action", "escalate") else way["label"]
    roles = f"  {names(way['role_labels'], way['roles'], lang)}" if way.get("roles") else ""
    needs = ""
    if way.get("requires"):
        needs = say("view.needs", lang, fields=names(way["requires_labels"], way["requires"], lang))
    return f"{label} → {target}{condition}{roles}{needs}"


@flows.command("validate", help="help.flows.validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@lang_option()
@json_option
def flows_validate(paths: Sequence[Path], lang: str | None, as_json: bool) -> None:
    """Check flow files; list every problem. Exit 0 if clean, 1 if any file has errors."""
    lang = chosen_lang(lang)
    results: list[dict[str, Any]] = []
    for path in paths:
        try:
            flow = load_flow(path)
            problems = flow.warnings
            ok = True
        except FlowError as error:
            problems = error.problems
            ok = False
        results.append(
            {
                "file": str(path),
                "ok": ok,
                "problems": [
                    {
                        "file": p.location.file,
                        "line": p.location.line,
                        "column": p.location.column,
                        "severity": p.severity,
                        "code": p.code,
                        "message": p.message(lang),
                    }
                    for p in problems
                ],
                "lines": [p.format(lang) for p in problems],
            }
        )
    if as_json:
        print_json([{k: v for k, v in r.items() if k != "lines"} for r in results])
    else:
        for result in results:
            for line in result["lines"]:
                click.echo(line)
            if result["ok"]:
                click.echo(say("validate.ok", lang, file=result["file"]), err=bool(result["lines"]))
    if not all(r["ok"] for r in results):
        sys.exit(1)


@flows.command("paths", help="help.flows.paths")
@click.argument("flow")
@click.option("--outcome", "outcomes", multiple=True, help="help.opt.outcome")
@click.option("--cover", is_flag=True, help="help.opt.cover")
@lang_option()
@json_option
@ids_option
def flows_paths(flow: str, outcomes: tuple[str, ...], cover: bool, lang: str | None, as_json: bool) -> None:
    """Every distinct path from start to an end, going round a loop at most once (for drills)."""
    lang = chosen_lang(lang)
    loaded = resolve_flow(flow)
    check_lang(loaded, lang)
    known = FlowNames(loaded).outcomes
    try:
        outcomes = tuple(known.id_of(o) for o in outcomes)  # by id or name: 转发热处置
    except LookupFailed as ambiguous:
        raise click.BadParameter(ambiguous.message(lang), param_hint="--outcome") from None
    unknown = [o for o in outcomes if o not in loaded.outcomes]
    if unknown:
        listed = known.listing(loaded.outcomes).text(lang)
        raise click.BadParameter(
            say("paths.unknown_outcome", lang, outcome=unknown[0], outcomes=listed), param_hint="--outcome"
        )
    wanted = set(outcomes) or None
    if cover:  # built without listing every path: 40 decisions in a row have 2**40 of them
        found = cover_paths(loaded.graph, loaded.start, wanted)
    else:
        try:
            found = flow_paths(loaded.graph, loaded.start, outcomes=wanted)
        except TooManyPaths as exc:
            raise click.ClickException(_too_many(loaded, wanted, exc.limit, lang)) from None
    child = child_flows()
    rows = [path_detail(loaded, p, lang, child) for p in found]
    if as_json:
        print_json(rows)
        return
    for number, row in enumerate(rows, 1):
        click.echo(f"{number:>3}. [{name(row['outcome_label'], row['outcome'], lang)}] {row['text']}")
    reached = sorted({r["outcome"] for r in rows})
    listed = names([known.text(o, lang) for o in reached], reached, lang)
    click.echo(say("paths.summary", lang, count=len(rows), outcomes=listed))


def _too_many(flow: Flow, outcomes: set[str] | None, limit: int, lang: str) -> str:
    """How many paths there are (when that can be counted), and what to ask for instead."""
    known = FlowNames(flow).outcomes
    ending = (
        say("paths.ending", lang, outcomes=known.listing(sorted(outcomes)).text(lang)) if outcomes else ""
    )
    count = count_paths(flow.graph, flow.start, outcomes)
    if count is None:
        return say("paths.too_many", lang, limit=limit, ending=ending)
    return say("paths.too_many_counted", lang, count=f"{count:,}", limit=limit, ending=ending)
