"""What every `sopflow` command shares: --lang, --json, times typed in, printing JSON, and the
Engine of this run."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click

from sopflow.cases.inputs import CLOCK_SKEW, EARLIEST_YEAR, LATEST_YEAR, local_text
from sopflow.engine.runtime import Clock, Engine, wall_clock
from sopflow.errors import CaseError, CodedError, FlowError, LookupFailed, Problem
from sopflow.i18n import default_language, say, ui_languages
from sopflow.language.catalog import FlowCatalog, default_catalog, load_flow
from sopflow.language.model import Flow
from sopflow.store.store import open_store

F = TypeVar("F", bound=Callable[..., Any])
LANG_KEY = "sopflow.lang"
LANG_HELP = (
    "Language of the output: zh, en, or another language the flow declares (default: SOPFLOW_LANG, "
    "else the locale)."
)


def remember_lang(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Errors, too, should come in the language the user asked for with --lang."""
    if value:
        ctx.meta[LANG_KEY] = value
    return value


class LanguageCode(click.ParamType[str, Any]):
    """Any short language code (zh, en, mn, zh-Hant): a flow may bring languages of its own.
    Whether the flow at hand has it is checked where the flow is known (`check_lang`)."""

    name = "language"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        code = str(value).strip()
        if not LANGUAGE_CODE.fullmatch(code):
            self.fail(say("option.bad_lang", usage_lang(ctx), value=value), param, ctx)
        return code


LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")  # as the flow format's `languages:`


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


def lang_option(help_text: str = LANG_HELP) -> Callable[[F], F]:
    """Eager, so that a mistake in any other option is told in this language too."""
    return click.option(
        "--lang",
        type=LanguageCode(),
        default=None,
        callback=remember_lang,
        is_eager=True,
        help=help_text,
    )


def usage_lang(ctx: click.Context | None) -> str:
    """The language of a usage error: --lang if it was given, else the user's."""
    ctx = ctx or click.get_current_context(silent=True)
    return (ctx.meta.get(LANG_KEY) if ctx is not None else None) or default_language()


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
    return click.option("--json", "as_json", is_flag=True, help="Print data as JSON.")(command)


def chosen_lang(lang: str | None) -> str:
    return lang or default_language()


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
        store = open_store(root.params.get("db"), existing=not writes, drill=bool(root.params.get("drill")))
        root.call_on_close(store.close)
        timezone = root.params.get("timezone") or "Asia/Shanghai"
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


def read_options(command: Any) -> Any:
    command = lang_option()(command)
    command = json_option(command)
    return click.option(
        "--show-personal", is_flag=True, help="Show names, ID numbers, phones and addresses unmasked."
    )(command)
