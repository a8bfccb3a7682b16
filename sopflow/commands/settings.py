"""The settings of a run — --db, --timezone, --lang, --flows — taken before the command's name or
after it (`sopflow case advance QG-1 已评估 --lang zh`), and the language of the run.

The root group reads them first (with their environment variables and defaults); every command
also takes them, and what is given there, later on the line, wins. They are kept in the context's
`meta`, which every context of a run shares.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from sopflow.i18n import default_language, say
from sopflow.language.catalog import default_catalog

LANG_KEY = "sopflow.lang"
SETTINGS_KEY = "sopflow.settings"
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")  # as the flow format's `languages:`
RUN_LANG: ContextVar[str | None] = ContextVar("sopflow_run_lang", default=None)


def usage_lang(ctx: click.Context | None = None) -> str:
    """The language of this run: --lang once read, else the --lang on the command line (a usage
    error can come before it is read), else SOPFLOW_LANG or the locale."""
    ctx = ctx or click.get_current_context(silent=True)
    given = ctx.meta.get(LANG_KEY) if ctx is not None else None
    return given or RUN_LANG.get() or default_language()


def lang_in(argv: Sequence[str]) -> str | None:
    """The language a command line asks for with --lang (the last one given), if it is a code."""
    found = None
    for i, arg in enumerate(argv):
        value = arg.partition("=")[2] if arg.startswith("--lang=") else None
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        if value is not None and LANGUAGE_CODE.fullmatch(value.strip()):
            found = value.strip()
    return found


def remember_lang(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Errors, too, should come in the language the user asked for with --lang."""
    if value:
        ctx.meta[LANG_KEY] = value
    return value


def store_url(value: str | None) -> str | None:
    """`--db county.db`: a plain path (no `://`) is a SQLite file."""
    if value and "://" not in value:
        return f"sqlite:///{Path(value).expanduser()}"
    return value


def checked_timezone(ctx: click.Context, value: str) -> str:
    """A time zone that does not exist (or none, --timezone "") is a usage error at once."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(say("engine.bad_timezone", usage_lang(ctx), timezone=value)) from None
    return value


def setting(name: str) -> Any:
    """The value of --db or --timezone for this run: as given after the command's name, else as
    the root group read it (before the name, from the environment, or the default)."""
    ctx = click.get_current_context()
    given: dict[str, Any] = ctx.meta.get(SETTINGS_KEY, {})
    return given[name] if name in given else ctx.find_root().params.get(name)


def _keep(name: str) -> Any:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if value is not None:
            if name == "db":
                value = store_url(value)
            elif name == "timezone":
                value = checked_timezone(ctx, value)
            ctx.meta.setdefault(SETTINGS_KEY, {})[name] = value

    return callback


def flows_folder(ctx: click.Context, value: Path | None) -> Path | None:
    """A folder of flows that is not there (a typo, an unmounted share) is a usage error, not an
    empty folder: its flows would silently be the built-in ones."""
    if value is not None and not value.is_dir():
        raise click.BadParameter(say("option.no_folder", usage_lang(ctx), path=value))
    return value


def _use_flows(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    """--flows after the command's name: this command's flows (its context's catalog)."""
    if flows_folder(ctx, value) is not None:
        ctx.obj = default_catalog(value)


class LanguageCode(click.ParamType[str, Any]):
    """Any short language code (zh, en, mn, zh-Hant): a flow may bring languages of its own.
    Whether the flow at hand has it is checked where the flow is known (`check_lang`)."""

    name = "language"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        code = str(value).strip()
        if not LANGUAGE_CODE.fullmatch(code):
            self.fail(say("option.bad_lang", usage_lang(ctx), value=value), param, ctx)
        return code


def after_name_options(have: set[str]) -> list[click.Option]:
    """The settings a command takes after its name, but those it has already (most have --lang)."""
    options = [
        click.Option(["--db"], default=None, expose_value=False, callback=_keep("db"), help="help.opt.db"),
        click.Option(
            ["--timezone"],
            default=None,
            expose_value=False,
            callback=_keep("timezone"),
            help="help.opt.timezone",
        ),
        click.Option(
            ["--flows", "flows_dir"],
            type=click.Path(path_type=Path),
            default=None,
            expose_value=False,
            callback=_use_flows,
            help="help.opt.flows",
        ),
        click.Option(
            ["--lang"],
            type=LanguageCode(),
            default=None,
            expose_value=False,
            is_eager=True,
            callback=remember_lang,
            help="help.opt.lang",
        ),
    ]
    return [o for o in options if o.name not in have and not (set(o.opts) & have)]
