"""What every `sopflow` command shares: --lang, --json, --ids, times typed in, printing JSON,
names said with or without their ids, and the Engine of this run."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click

from sopflow.cases.inputs import CLOCK_SKEW, EARLIEST_YEAR, LATEST_YEAR, local_text
from sopflow.commands.settings import LanguageCode, remember_lang, setting, usage_lang
from sopflow.engine.casewords import ChildFlow
from sopflow.engine.runtime import Clock, Engine, wall_clock
from sopflow.errors import CaseError, CodedError, FlowError, LookupFailed, Problem
from sopflow.i18n import say, ui_languages
from sopflow.language.catalog import FlowCatalog, default_catalog, load_flow
from sopflow.language.model import Flow
from sopflow.store.flowversions import version_with_other_rules
from sopflow.store.store import open_store

F = TypeVar("F", bound=Callable[..., Any])
IDS_KEY = "sopflow.ids"


def check_lang(flow: Flow, lang: str) -> str:
    """`lang` if the flow can be read in it: sopflow's own languages (zh, en), or one the flow
    declares in `languages:`; else a one-line LookupFailed naming the flow's languages."""
    if lang not in ui_languages() and lang not in flow.languages:
        languages = ", ".join(dict.fromkeys((*flow.languages, *ui_languages())))
        raise LookupFailed("option.lang_not_in_flow", lang=lang, flow=flow.id, languages=languages)
    return lang


def check_lang_any(lang: str) -> str:
    """`lang` for a command about many cases (a list, due work, tick, verify): sopflow's own
    languages, or one a flow of the catalogue declares; else LookupFailed naming the languages
    there are (an unknown code would silently print in the default language)."""
    if lang in ui_languages():
        return lang
    flows = usable_flows(catalog())[0]
    if not any(lang in flow.languages for flow in flows):
        languages = ", ".join(dict.fromkeys((*ui_languages(), *(x for f in flows for x in f.languages))))
        raise LookupFailed("option.lang_unknown", lang=lang, languages=languages)
    return lang


def lang_option(help_text: str = "help.opt.lang") -> Callable[[F], F]:
    """Eager, so that a mistake in any other option is told in this language too."""
    return click.option(
        "--lang",
        type=LanguageCode(),
        default=None,
        callback=remember_lang,
        is_eager=True,
        help=help_text,
    )


class LocalTime(click.ParamType[datetime, Any]):
    """A time as staff write it, '2020-02-03 08:00': local time (--timezone) unless it names a
    zone. click's error names the option it was given to (--at, --now)."""

    name = "time"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(say("option.bad_time", usage_lang(ctx), value=value), param, ctx)
        if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
            self.fail(say("moment.out_of_range", usage_lang(ctx), at=value), param, ctx)
        return moment


LOCAL_TIME = LocalTime()


def in_local_time(moment: datetime | None, engine: Engine) -> datetime | None:
    """A time typed without a zone is in the engine's (--timezone) local time."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=engine.tz)


def json_option(command: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="help.opt.json")(command)


def _remember_ids(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta[IDS_KEY] = True
    return value


def ids_option(command: F) -> F:
    """--ids: show each name with its id (网格员 grid_worker), for flow authors and scripts."""
    return click.option(
        "--ids", is_flag=True, expose_value=False, callback=_remember_ids, help="help.opt.ids"
    )(command)


def chosen_lang(lang: str | None) -> str:
    """The language of the output: --lang of the command, else of the run."""
    return lang or usage_lang()


def name(label: str | None, thing_id: str | None, lang: str) -> str:
    """A thing as output shows it: its label; with --ids, its label and id (网格员 grid_worker)."""
    if not thing_id:
        return label or ""
    if not label or label == thing_id:
        return thing_id
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get(IDS_KEY):
        return say("label.with_id", lang, label=label, id=thing_id)
    return label


def names(labels: Iterable[str], ids: Iterable[str], lang: str) -> str:
    """Several things by `name`, as the language lists them (网格员、社区医生)."""
    return say("list.sep", lang).join(name(label, i, lang) for label, i in zip(labels, ids, strict=True))


def print_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def current_engine(*, writes: bool = False) -> Engine:
    """One Engine per command run, on the store of --db / SOPFLOW_DB. Only a command that `writes`
    makes a brand-new store; the others refuse a database without sopflow's tables."""
    ctx = click.get_current_context()
    root = ctx.find_root()
    settings: dict[str, Any] = root.meta.setdefault("sopflow", {})
    if "engine" not in settings:
        catalog = ctx.find_object(FlowCatalog) or default_catalog(None)
        store = open_store(setting("db"), existing=not writes, drill=bool(root.params.get("drill")))
        root.call_on_close(store.close)
        timezone = setting("timezone") or "Asia/Shanghai"
        clock = _clock(timezone, drill=store.drill)
        settings["engine"] = Engine(store, flows=catalog, timezone=timezone, clock=clock)
    engine: Engine = settings["engine"]
    return engine


def _clock(timezone: str, *, drill: bool) -> Clock:
    """The wall clock, or the moment SOPFLOW_NOW names (local time): a day played as if it were
    then (the README's walk-through, whose output must not change; entering a past day). Ahead
    of the wall clock it would run timers out early: refused, except in a drill store."""
    pretend = os.environ.get("SOPFLOW_NOW")
    if not pretend:
        return wall_clock
    try:
        moment = datetime.fromisoformat(pretend.strip())
    except ValueError:
        raise CodedError("cli.bad_now", value=pretend) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise CodedError("cli.bad_now", value=pretend)
    now = wall_clock()
    if moment > now + CLOCK_SKEW and not drill:
        raise CodedError("cli.now_ahead", value=pretend, now=local_text(now, ZoneInfo(timezone)))
    return lambda: moment


@contextmanager
def as_option(option: str, lang: str) -> Iterator[None]:
    """A moment the Engine refuses (ahead of the clock, outside 1900-2200) that came from
    `option`: a usage error naming the option."""
    try:
        yield
    except CaseError as error:
        if error.code not in ("clock.ahead", "moment.out_of_range"):
            raise
        raise click.BadParameter(error.message(lang), param_hint=f"'{option}'") from None


def warn_version_reused(engine: Engine, typed: str, lang: str) -> None:
    """Say (on stderr, going on) that the flow's file was edited under an old version label."""
    flow = engine.flows.load(typed)
    with engine.store.reading() as conn:
        if version_with_other_rules(conn, flow):
            click.echo(say("flow.version_reused", lang, flow=flow.id, version=flow.version), err=True)


def catalog() -> FlowCatalog:
    catalog = click.get_current_context().find_object(FlowCatalog)
    return catalog if catalog is not None else default_catalog(None)


def resolve_flow(reference: str) -> Flow:
    """A flow by file path (anything ending .yaml/.yml or an existing file) or by id."""
    path = Path(reference)
    try:
        is_file = path.is_file()
    except OSError:  # a name no file can have (too long): not a file, so an id
        is_file = False
    if path.suffix in (".yaml", ".yml") or is_file:
        return load_flow(path)
    return catalog().load(reference)


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


def child_flows() -> ChildFlow:
    """A flow by id from this run's flows (None if there is none, or it does not load): to name
    child flows and their outcomes."""
    flows = catalog()

    def child(flow_id: str) -> Flow | None:
        try:
            return flows.shallow(flow_id)
        except FlowError:
            return None

    return child


def read_options(command: Any) -> Any:
    command = lang_option()(command)
    command = json_option(command)
    command = ids_option(command)
    return click.option("--show-personal", is_flag=True, help="help.opt.show_personal")(command)


def actor_role_options(command: Any) -> Any:
    """--actor and --role: who makes an entry and in which role (every command that changes a case)."""
    command = click.option(
        "--actor",
        envvar="SOPFLOW_ACTOR",
        default=lambda: os.environ.get("USER", "staff"),
        show_default="SOPFLOW_ACTOR or $USER",
        help="help.opt.actor",
    )(command)
    return click.option("--role", envvar="SOPFLOW_ROLE", default=None, help="help.opt.role")(command)
