"""Bytes that are not UTF-8 on the command line (a terminal in another encoding, a pasted binary)
or in a SOPFLOW_* variable: found before any command runs, and named by the option (or argument,
or variable) that holds them. Python hands such bytes over as lone surrogates (U+DC80-U+DCFF),
which no database, file or terminal takes."""

from __future__ import annotations

import os
from collections.abc import Sequence

import click

from sopflow.errors import CodedError

VARIABLES = {  # the variables sopflow reads, and the option each stands for
    "SOPFLOW_DB": "--db",
    "SOPFLOW_FLOWS": "--flows",
    "SOPFLOW_TIMEZONE": "--timezone",
    "SOPFLOW_ACTOR": "--actor",
    "SOPFLOW_ROLE": "--role",
    "SOPFLOW_LANG": "--lang",
    "SOPFLOW_NOW": "--now",
}


def check_utf8(root: click.Group, ctx: click.Context, tokens: Sequence[str]) -> None:
    """CodedError `cli.not_utf8` naming the first option, argument or variable that is not UTF-8."""
    for variable, option in VARIABLES.items():
        if _not_utf8(os.environ.get(variable, "")):
            raise CodedError("cli.not_utf8", what=f"{variable} ({option})")
    where = _first_bad(root, ctx, tokens)
    if where is not None:
        raise CodedError("cli.not_utf8", what=where)


def _first_bad(root: click.Group, ctx: click.Context, tokens: Sequence[str]) -> str | None:
    """Walk the tokens as click will parse them, down the command tree, keeping track of which
    option a value belongs to and which argument a word is."""
    command: click.Command = root
    position = 0
    value_of: str | None = None  # the option the next token is the value of
    for word in tokens:
        if value_of is not None:
            if _not_utf8(word):
                return value_of
            value_of = None
        elif word.startswith("-") and len(word) > 1:
            name, given, _value = word.partition("=")
            if _not_utf8(word):
                return name.encode("utf-8", "replace").decode("utf-8")
            option = _options(command).get(name)
            if option is not None and not option.is_flag and not option.count and not given:
                value_of = name
        elif isinstance(command, click.Group) and command.get_command(ctx, word) is not None:
            command, position = command.get_command(ctx, word), 0  # type: ignore[assignment]
        else:
            if _not_utf8(word):
                arguments = [p for p in command.params if isinstance(p, click.Argument)]
                return arguments[min(position, len(arguments) - 1)].human_readable_name if arguments else "?"
            position += 1
    return None


def _options(command: click.Command) -> dict[str, click.Option]:
    return {
        name: param
        for param in command.params
        if isinstance(param, click.Option)
        for name in (*param.opts, *param.secondary_opts)
    }


def _not_utf8(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)
