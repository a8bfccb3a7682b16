"""sopflow's command classes: every command takes the run's settings after its name too, and
says its help — its own text, its options', click's headings — in the user's language.

A command's and an option's `help` is a code of the catalogue (`help.case.advance`,
`help.opt.role`), said when the help page is made, in the language of the run (--lang,
SOPFLOW_LANG, the locale); click's own words come through `clickwords`.
"""

from __future__ import annotations

import copy
import importlib
import re
from collections.abc import MutableMapping
from typing import Any

import click

from sopflow.commands.clickwords import click_word
from sopflow.commands.columns import pad, width, wrap
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
    return re.split(r"(?<=[。！？])|(?<=[.!?])\s+(?=[A-Z])", text.strip(), maxsplit=1)[0]


class HelpFormatter(click.HelpFormatter):
    """click's help page, wrapped and lined up by display width (a Chinese character is two
    columns): click counts characters, which makes Chinese help twice as wide as the terminal."""

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        for paragraph in text.split("\n\n"):
            for line in wrap(" ".join(paragraph.split()), max(self.width - self.current_indent, 11)):
                self.write(f"{indent}{line}\n")

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max((width(first) for first, _ in rows), default=0), col_max) + col_spacing
        indent = " " * self.current_indent
        for first, second in rows:
            if not second:
                self.write(f"{indent}{first}\n")
                continue
            lines = wrap(" ".join(second.split()), max(self.width - first_col - self.current_indent - 2, 10))
            if width(first) <= first_col - col_spacing:
                self.write(f"{indent}{pad(first, first_col)}{lines[0]}\n")
            else:
                self.write(f"{indent}{first}\n{indent}{' ' * first_col}{lines[0]}\n")
            for line in lines[1:]:
                self.write(f"{indent}{' ' * first_col}{line}\n")


class SopflowContext(click.Context):
    formatter_class = HelpFormatter


class SopflowCommand(click.Command):
    """A command that also takes --db, --timezone, --lang and --flows after its name."""

    context_class = SopflowContext

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
    context_class = SopflowContext

    def add_lazy(self, name: str, target: str) -> None:
        """Register command `name`, found at `target` ("module:attribute") and imported only
        when it is run or listed: a single `case advance` then never loads the printers (Jinja2,
        graphviz) or the flow checker (networkx, jsonschema) that other commands need."""
        self.__dict__.setdefault("lazy", {})[name] = target

    def every_command(self) -> MutableMapping[str, click.Command]:
        """Every command of the group, the lazy ones imported: for what lists them all (tests
        of help texts and names, documentation)."""
        for name in self.__dict__.get("lazy", {}):
            self.get_command(click.Context(self), name)
        return self.commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.__dict__.get("lazy", {})})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.__dict__.get("lazy", {}).get(cmd_name)
        if cmd_name not in self.commands and target is not None:
            module, attribute = target.split(":")
            command = getattr(importlib.import_module(module), attribute)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

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
