"""click's own words — the help page's headings, usage errors — in the user's language.

click looks its words up through gettext: each of its modules calls `_` (and `ngettext`) bound
when it was imported, in the default gettext domain, in the language the environment names. That
knows neither SOPFLOW_LANG nor --lang, and wants compiled .mo files. So for the length of one run
of the command line (`speaking`), the `_` and `ngettext` of click's modules look click's English
words up in sopflow's catalogue instead, under the codes below, in the language of the run; words
not listed stay click's English. Nothing else is touched, and everything is put back afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType

import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.termui
import click.types

from sopflow.i18n import CATALOGUE

# click's English (exactly as its source has it; tests/commands check that it still does) -> code.
CLICK_WORDS = {
    "Usage:": "click.usage",
    "Options": "click.options",
    "Commands": "click.commands",
    "Show this message and exit.": "click.help_option",
    "Show the version and exit.": "click.version_option",
    "default: {default}": "click.default",
    "env var: {var}": "click.env_var",
    "Aborted!": "click.aborted",
    "Error: {message}": "click.error",
    "Try '{command} {option}' for help.": "click.try_help",
    "No such option {name!r}.": "click.no_such_option",
    "Did you mean {possibility}?": "click.did_you_mean",
    "(Did you mean one of: {possibilities}?)": "click.did_you_mean_one_of",
    "No such command {name!r}.": "click.no_such_command",
    "Missing command.": "click.missing_command",
    "Missing argument": "click.missing_argument",
    "Missing option": "click.missing_option",
    "Missing parameter": "click.missing_parameter",
    "Invalid value for {param_hint}: {message}": "click.invalid_value_for",
    "Invalid value: {message}": "click.invalid_value",
    "Got unexpected extra argument ({args})": "click.extra_argument",
    "Got unexpected extra arguments ({args})": "click.extra_arguments",
    "Option {name!r} requires an argument.": "click.needs_argument",
    "Option {name!r} requires {nargs} arguments.": "click.needs_arguments",
    "Option {name!r} does not take a value.": "click.takes_no_value",
    "{value!r} is not one of {choices}.": "click.not_one_of",
    "{value!r} is not {choice}.": "click.not_choice",
    "{value!r} is not a valid {number_type}.": "click.not_a_number",
    "{value} is not in the range {range}.": "click.out_of_range",
    "{name} {filename!r} does not exist.": "click.path_missing",
    "{name} {filename!r} is a file.": "click.path_is_file",
    "{name} {filename!r} is a directory.": "click.path_is_folder",
    "{name} {filename!r} is not readable.": "click.path_unreadable",
    "{name} {filename!r} is not writable.": "click.path_unwritable",
}

MODULES: tuple[ModuleType, ...] = (
    click.core,
    click.decorators,
    click.exceptions,
    click.formatting,
    click.parser,
    click.termui,
    click.types,
)


def click_word(english: str, lang: str) -> str:
    """click's `english` in `lang` (its format fields kept for click to fill); as it is if it is
    not one sopflow says."""
    code = CLICK_WORDS.get(english)
    return CATALOGUE.template(code, lang) if code is not None else english


@contextmanager
def speaking(lang: Callable[[], str]) -> Iterator[None]:
    """click's words in `lang()` (asked each time: --lang may be read in the middle of a run)."""

    def gettext(message: str) -> str:
        return click_word(message, lang())

    def ngettext(singular: str, plural: str, count: int) -> str:
        return click_word(singular if count == 1 else plural, lang())

    saved = [(m, m.__dict__.get("_"), m.__dict__.get("ngettext")) for m in MODULES]
    try:
        for module, underscore, plural in saved:
            if underscore is not None:
                module._ = gettext  # type: ignore[attr-defined]
            if plural is not None:
                module.ngettext = ngettext  # type: ignore[attr-defined]
        yield
    finally:
        for module, underscore, plural in saved:
            if underscore is not None:
                module._ = underscore  # type: ignore[attr-defined]
            if plural is not None:
                module.ngettext = plural  # type: ignore[attr-defined]
