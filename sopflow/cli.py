"""The `sopflow` command: parse arguments, call the library, print. Nothing else lives here."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from sopflow.cli_cases import case_group, due_command, tick_command, verify_command
from sopflow.cli_common import (
    LANG_KEY,
    check_lang,
    chosen_lang,
    json_option,
    lang_option,
    print_json,
    usage_lang,
)
from sopflow.cli_print import case_sheet_command, handbook_command
from sopflow.cli_render import case_chart_command, render_command
from sopflow.engine.catalog import FlowCatalog, builtin_dir, default_catalog
from sopflow.engine.describe import flow_detail, flow_summary, path_detail
from sopflow.engine.loader import load_flow
from sopflow.engine.model import Flow
from sopflow.engine.paths import TooManyPaths, count_paths, cover_paths, flow_paths
from sopflow.errors import FlowError, Problem, SopflowError
from sopflow.i18n import default_language
from sopflow.messages import render_message
from sopflow.ui import ui


class SopflowGroup(click.Group):
    """The one place where library errors become one-line messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
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


def _timezone(ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """A time zone that does not exist (or none, --timezone "") is a usage error at once."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(
            render_message("engine.bad_timezone", {"timezone": value}, usage_lang(ctx))
        ) from None
    return value


@click.group(cls=SopflowGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--flows",
    "flows_dir",
    type=click.Path(file_okay=False, path_type=Path),
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
@click.version_option(package_name="sopflow")
@click.pass_context
def cli(ctx: click.Context, flows_dir: Path | None, db: str | None, timezone: str) -> None:
    """sopflow: standard control procedures as flows you can check, step and print."""
    ctx.obj = default_catalog(flows_dir)


@cli.group()
def flows() -> None:
    """List, show, check and walk flow definitions."""


def _catalog() -> FlowCatalog:
    catalog = click.get_current_context().find_object(FlowCatalog)
    return catalog if catalog is not None else default_catalog(None)


def resolve_flow(reference: str) -> Flow:
    """A flow by file path (anything ending .yaml/.yml or an existing file) or by id."""
    path = Path(reference)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        return load_flow(path)
    return _catalog().load(reference)


@flows.command("list")
@lang_option()
@json_option
def flows_list(lang: str | None, as_json: bool) -> None:
    """List the flows there are (your --flows folder first, then the built-in ones)."""
    lang = chosen_lang(lang)
    flows_there, problems = usable_flows(_catalog())
    rows = [flow_summary(flow, lang) for flow in flows_there]
    if as_json:
        print_json(rows)
    else:
        for row in rows:
            builtin = Path(row["file"]).parent == builtin_dir()
            where = ui("list.builtin", lang) if builtin else row["file"]
            click.echo(
                f"{row['id']:<24} {row['version']:<12} {row['steps']:>3} {ui('list.steps', lang)}  "
                f"{row['title']}  ({where})"
            )
    for problem in problems:
        click.echo(problem.format(lang), err=True)
    if problems:
        sys.exit(1)


def usable_flows(catalog: FlowCatalog) -> tuple[list[Flow], list[Problem]]:
    """Every flow that loads, by id, and the errors of the files that do not (a broken draft, two
    files with one id): one bad file must not hide the others."""
    found: list[Flow] = []
    problems: list[Problem] = []
    for flow_id in sorted(catalog.ids()):
        try:
            found.append(catalog.load(flow_id))
        except FlowError as error:
            problems += error.errors
    for file in catalog.unnamed():
        try:
            load_flow(file)
        except FlowError as error:
            problems += error.errors
    return found, problems


@flows.command("show")
@click.argument("flow")
@lang_option()
@json_option
def flows_show(flow: str, lang: str | None, as_json: bool) -> None:
    """Show a flow's steps, roles and deadlines. FLOW is an id or a file."""
    lang = chosen_lang(lang)
    loaded = resolve_flow(flow)
    detail = flow_detail(loaded, check_lang(loaded, lang))
    if as_json:
        print_json(detail)
        return
    click.echo(_show_text(detail, lang))


def _show_text(detail: dict[str, Any], lang: str) -> str:
    lines = [f"{detail['title']}  ({detail['id']} v{detail['version']})"]
    if detail["description"]:
        lines.append(detail["description"])
    lines.append("")
    lines.append(ui("show.roles", lang))
    lines += [f"  {rid:<22} {name}" for rid, name in detail["roles"].items()]
    lines.append("")
    lines.append(ui("show.steps", lang))
    for number, step in enumerate(detail["steps"], 1):
        facts = [ui(f"kind.{step['kind']}", lang), step["role_label"]]
        if step["deadline"]:
            facts.append(ui("show.deadline", lang, value=step["deadline_text"]))
        if step["outcome"]:
            facts.append(ui("show.outcome", lang, value=step["outcome"]))
        lines.append(f"  {number:>2}. {step['label']} [{step['id']}]  " + " · ".join(facts))
        for check in step["checks"]:
            lines.append("      ↻ " + ui("show.check", lang, label=check["label"], every=check["every_text"]))
        for way in step["ways"]:
            lines.append(f"      → {_way_text(way, lang)}")
    return "\n".join(lines)


def _way_text(way: dict[str, Any], lang: str) -> str:
    target = f"{way['to_label']} [{way['to']}]"
    if way["kind"] == "timer":  # "Period over 14 days after Basis date", "…：进入本步起 2 天后"
        code = "way.timer_from" if way["from_label"] else "way.timer"
        return ui(code, lang, label=way["label"], after=way["after_text"], start=way["from_label"], to=target)
    if way["kind"] == "next":
        return target
    condition = f"  ({way['when']})" if way.get("when") else ""
    if way.get("default"):
        condition = "  " + ui("way.default", lang)
    typed = f" [{way['name']}]" if way["kind"] in ("action", "escalate") else ""
    roles = f"  {', '.join(way['roles'])}" if way.get("roles") else ""
    needs = ui("case.needs", lang, fields=", ".join(way["requires"])) if way.get("requires") else ""
    return f"{way['label']}{typed} → {target}{condition}{roles}{needs}"


@flows.command("validate")
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
                click.echo(ui("validate.ok", lang, file=result["file"]), err=bool(result["lines"]))
    if not all(r["ok"] for r in results):
        sys.exit(1)


@flows.command("paths")
@click.argument("flow")
@click.option("--outcome", "outcomes", multiple=True, help="Only paths ending with this outcome.")
@click.option(
    "--cover", is_flag=True, help="Only a few paths that together take every way out of every step."
)
@lang_option()
@json_option
def flows_paths(flow: str, outcomes: tuple[str, ...], cover: bool, lang: str | None, as_json: bool) -> None:
    """Every distinct path from start to an end, going round a loop at most once (for drills)."""
    lang = chosen_lang(lang)
    loaded = resolve_flow(flow)
    check_lang(loaded, lang)
    unknown = [o for o in outcomes if o not in loaded.outcomes]
    if unknown:
        raise click.BadParameter(
            ui("paths.unknown_outcome", lang, outcome=unknown[0], outcomes=", ".join(loaded.outcomes)),
            param_hint="--outcome",
        )
    wanted = set(outcomes) or None
    if cover:  # built without listing every path: 40 decisions in a row have 2**40 of them
        found = cover_paths(loaded.graph, loaded.start, wanted)
    else:
        try:
            found = flow_paths(loaded.graph, loaded.start, outcomes=wanted)
        except TooManyPaths as exc:
            raise click.ClickException(_too_many(loaded, wanted, exc.limit, lang)) from None
    rows = [path_detail(loaded, p, lang) for p in found]
    if as_json:
        print_json(rows)
        return
    for number, row in enumerate(rows, 1):
        click.echo(f"{number:>3}. [{row['outcome']}] {row['text']}")
    reached = sorted({r["outcome"] for r in rows})
    click.echo(ui("paths.summary", lang, count=len(rows), outcomes=", ".join(reached)))


def _too_many(flow: Flow, outcomes: set[str] | None, limit: int, lang: str) -> str:
    """How many paths there are (when that can be counted), and what to ask for instead."""
    ending = ui("paths.ending", lang, outcomes=", ".join(sorted(outcomes))) if outcomes else ""
    count = count_paths(flow.graph, flow.start, outcomes)
    if count is None:
        return ui("paths.too_many", lang, limit=limit, ending=ending)
    return ui("paths.too_many_counted", lang, count=f"{count:,}", limit=limit, ending=ending)


case_group.add_command(case_chart_command)
case_group.add_command(case_sheet_command)
cli.add_command(handbook_command)
cli.add_command(render_command)
cli.add_command(case_group)
cli.add_command(due_command)
cli.add_command(tick_command)
cli.add_command(verify_command)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI (click turns usage errors into exit code 2; SopflowGroup handles ours)."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="sopflow")
    except BrokenPipeError:  # `sopflow flows paths X | head`
        sys.exit(0)


__all__ = ["cli", "main"]
