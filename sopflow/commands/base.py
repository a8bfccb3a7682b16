"""sopflow's command classes: every command takes the run's settings after its name too, and
says its help — its own text, its options', click's headings — in the user's language.

A command's and an option's `help` is a code of the catalogue (`help.case.advance`,
`help.opt.role`), said when the help page is made, in the language of the run (--lang,
SOPFLOW_LANG, the locale); click's own words come through `clickwords`.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import click

from sopflow.commands.clickwords import click_word
from sopflow.commands.settings import after_name_options, usage_lang
from sopflow.i18n import CATALOGUE, say


def help_text(text: str | None, lang: str) -> str:
    """A help text: a catalogue code said in `lang`, click's own English in `lang`, else as is."""
    if not text:
        return ""
    if CATALOGUE.has(text):
        return say(text, lang)
    return click_word(text, lang)


def first_sentence(text: str) -> str:
    """What a list of commands shows of a command's help: its first sentence."""
    return re.split(r"(?<=[。.!?！？])\s*", text.strip(), maxsplit=1)[0]


class SopflowCommand(click.Command):
    """A command that also takes --db, --timezone, --lang and --flows after its name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        have = {o for p in self.params for o in (p.name or "", *getattr(p, "opts", ()))}
        self.params.extend(after_name_options(have))

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        text = help_text(self.help, usage_lang(ctx))
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)

    def get_short_help_str(self, limit: int = 45) -> str:
        return first_sentence(help_text(self.short_help or self.help, usage_lang()))

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        format_options(self, ctx, formatter)


class SopflowGroup(click.Group):
    """A group whose commands are SopflowCommands (and whose groups are SopflowGroups)."""

    command_class = SopflowCommand
    group_class = type

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        SopflowCommand.format_help_text(self, ctx, formatter)  # type: ignore[arg-type]

    def get_short_help_str(self, limit: int = 45) -> str:
        return first_sentence(help_text(self.short_help or self.help, usage_lang()))

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        format_options(self, ctx, formatter)
        self.format_commands(ctx, formatter)


def format_options(command: click.Command, ctx: click.Context, formatter: click.HelpFormatter) -> None:
    """The options of a help page, each option's help in the language of the run."""
    lang = usage_lang(ctx)
    rows = []
    for param in command.get_params(ctx):
        if isinstance(param, click.Argument):
            continue
        said = copy.copy(param)
        if isinstance(said, click.Option):
            said.help = help_text(said.help, lang) or None
        record = said.get_help_record(ctx)
        if record is not None:
            rows.append(record)
    if rows:
        with formatter.section(click_word("Options", lang)):
            formatter.write_dl(rows)
