"""Help in the user's language: every command's and option's help is a code of the catalogue
(so it exists in Chinese and English), and click's own words that sopflow says are still the ones
click's source has (an upgrade that changes them would otherwise go back to English silently)."""

from __future__ import annotations

import ast
from collections.abc import Iterator, MutableMapping
from pathlib import Path

import click
import pytest

from sopflow.cli import cli
from sopflow.commands.base import SopflowGroup
from sopflow.commands.clickwords import CLICK_WORDS, MODULES, speaking
from sopflow.i18n import CATALOGUE


def _click_messages() -> set[str]:
    """Every text click's source passes to gettext (`_` and `ngettext`)."""
    found: set[str] = set()
    for file in Path(click.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(file.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "ngettext")
            ):
                found |= {
                    a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
                }
    return found


def test_the_click_words_sopflow_says_are_clicks() -> None:
    assert set(CLICK_WORDS) <= _click_messages()
    for english, code in CLICK_WORDS.items():
        assert CATALOGUE.template(code, "en") == english
        assert CATALOGUE.template(code, "zh") != english


def test_click_is_left_as_it_was_after_a_run() -> None:
    before = [(m, m.__dict__.get("_")) for m in MODULES]
    with speaking(lambda: "zh"):
        assert click.exceptions._("Missing command.") == "缺少命令。"  # type: ignore[attr-defined]
    assert [(m, m.__dict__.get("_")) for m in MODULES] == before
    assert click.exceptions._("Missing command.") == "Missing command."  # type: ignore[attr-defined]


def _every(group: click.Group) -> MutableMapping[str, click.Command]:
    """The group's commands, those imported only when run (SopflowGroup.add_lazy) too."""
    return group.every_command() if isinstance(group, SopflowGroup) else group.commands


def _commands(group: click.Group) -> Iterator[click.Command]:
    yield group
    for command in _every(group).values():
        if isinstance(command, click.Group):
            yield from _commands(command)
        else:
            yield command


@pytest.mark.parametrize("command", list(_commands(cli)), ids=lambda c: c.name or "sopflow")
def test_every_command_and_option_has_its_help_in_the_catalogue(command: click.Command) -> None:
    assert command.help is not None and CATALOGUE.has(command.help), command.name
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden and param.name != "version":
            assert param.help is not None and CATALOGUE.has(param.help), (command.name, param.name)
