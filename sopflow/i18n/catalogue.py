"""sopflow's own words: one catalogue, a TOML file per language, and one lookup (`say`).

`texts/en.toml` is the base; any other language is a file beside it, read only when asked for, and
falls back to English for a code it lacks. A new language is a new file here and nothing else.
"""

from __future__ import annotations

import os
import re
import string
import tomllib
from collections.abc import Mapping, Sequence
from datetime import timedelta
from functools import cached_property
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from sopflow.i18n.languages import SaidInLanguages

BASE_LANGUAGE = "en"


class UnknownText(LookupError):
    """A code that is in no catalogue file: a mistake in sopflow's code, never in a user's input."""


class Catalogue:
    """The texts of one folder of `<language>.toml` files."""

    def __init__(self, folder: Traversable | Path) -> None:
        self.folder = folder
        self._texts: dict[str, Mapping[str, str]] = {}

    @cached_property
    def languages(self) -> tuple[str, ...]:
        """The languages with a file, the base first."""
        found = sorted(entry.name[:-5] for entry in self.folder.iterdir() if entry.name.endswith(".toml"))
        return (BASE_LANGUAGE, *(lang for lang in found if lang != BASE_LANGUAGE))

    def texts(self, lang: str) -> Mapping[str, str]:
        """Every template of `lang` (empty for a language without a file)."""
        if lang not in self._texts:
            entry = self.folder / f"{lang}.toml"
            self._texts[lang] = tomllib.loads(entry.read_text("utf-8")) if lang in self.languages else {}
        return self._texts[lang]

    def template(self, code: str, lang: str, count: object = None) -> str:
        """The template of `code` in `lang`, else in English; its `.one` twin when `count` is 1
        and the same language has one ("1 case", not "1 cases"; Chinese needs no twin)."""
        for language in dict.fromkeys((lang, BASE_LANGUAGE)):
            texts = self.texts(language)
            if count == 1 and f"{code}.one" in texts:
                return texts[f"{code}.one"]
            if code in texts:
                return texts[code]
        raise UnknownText(f"no text '{code}' in {self.folder}")

    def has(self, code: str) -> bool:
        """Whether `code` is in the catalogue (every code is in the base language)."""
        return code in self.texts(BASE_LANGUAGE)

    def say(self, code: str, lang: str, /, **params: object) -> str:
        """The text of `code` in `lang`, filled with `params` (see `fill`)."""
        return self._fill(self.template(code, lang, params.get("count")), code, params, lang)

    def _fill(self, template: str, code: str, params: Mapping[str, object], lang: str) -> str:
        """Values that read differently by language (InLanguages, Named, Phrase, kinds of value, what a
        message is about) are said in `lang`; `{did_you_mean}` is filled from `suggestion`. A value
        the template names but was not given leaves the code and values, not a traceback."""
        values: dict[str, object] = {"code": code, "params": dict(params), **params}
        for key, value in params.items():
            if isinstance(value, Phrase):
                values[key] = self.say(value.code, lang, **value.params)
                template = _unquoted(template, key)
            elif isinstance(value, SaidInLanguages):  # InLanguages, a label with its id, a list
                values[key] = value.text(lang)
        suggestion = values.get("suggestion")
        values["did_you_mean"] = (
            self.template("did_you_mean", lang).format(suggestion=suggestion) if suggestion else ""
        )
        for key in ("expected_type", "actual_type"):
            if key in params:
                values[key] = self._kinds(params[key], lang)
        if "what" in params and self.has(f"what.{params['what']}"):
            values["what"] = self.say(f"what.{params['what']}", lang)
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            return f"{code}: {dict(params)}"

    def _kinds(self, value: object, lang: str) -> str:
        names: Sequence[object] = value if isinstance(value, tuple | list) else (value,)
        words = [self.say(f"value_kind.{n}", lang) if self.has(f"value_kind.{n}") else str(n) for n in names]
        return self.say("word.or", lang).join(words)

    def fields(self, code: str, lang: str) -> set[str]:
        """The names a template fills in (for tests that compare languages)."""
        return {name for _, name, _, _ in string.Formatter().parse(self.template(code, lang)) if name}


def _unquoted(template: str, key: str) -> str:
    """`template` with `{key}` unquoted, for a phrase put in where a value would be quoted: a
    case named by words ("本行的案件", "the new case") also stands for the word case before it,
    so that a message does not say 案件 '本行的案件'."""
    word = r"(?:案件 |[Cc]ase )?" if key == "case" else ""
    return re.sub(word + "'?\\{" + key + "\\}'?", "{" + key + "}", template)


CATALOGUE = Catalogue(resources.files("sopflow.i18n") / "texts")


def say(code: str, lang: str, /, **params: object) -> str:
    """sopflow's words for `code` in `lang`: the one lookup every message, command and page uses."""
    return CATALOGUE.say(code, lang, **params)


def ui_languages() -> tuple[str, ...]:
    """The languages sopflow's own words exist in (a flow may bring more for its own texts)."""
    return CATALOGUE.languages


class Phrase(str):
    """A part of a message made elsewhere (e.g. why a guard failed) that reads, inside the
    message it is put into, in that message's language; as a plain str it is the English text."""

    code: str
    params: Mapping[str, object]

    def __new__(cls, code: str, **params: object) -> Phrase:
        phrase = super().__new__(cls, say(code, BASE_LANGUAGE, **params))
        phrase.code, phrase.params = code, params
        return phrase


def duration_words(value: timedelta, lang: str) -> str:
    """A duration as people say it: '14 天', '1 天 12 小时'; '2 days', '1 hour 30 minutes'."""
    minutes_total = int(value.total_seconds()) // 60
    days, rest = divmod(minutes_total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [
        say(f"span.{unit}", lang, count=amount)
        for amount, unit in ((days, "days"), (hours, "hours"), (minutes, "minutes"))
        if amount
    ]
    return " ".join(parts) or say("span.zero", lang)


def aside(text: str, lang: str) -> str:
    """`text` in brackets after what it explains: full-width in Chinese, after a space in English."""
    return say("aside", lang, text=text)


def default_language() -> str:
    """The user's language: SOPFLOW_LANG, else the locale's language (zh_CN.UTF-8 gives zh) when
    sopflow's words exist in it, else English."""
    languages = ui_languages()
    explicit = os.environ.get("SOPFLOW_LANG", "").strip().lower()
    if explicit in languages:
        return explicit
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            lang = value.lower().replace("-", "_").split("_")[0].split(".")[0]
            return lang if lang in languages else BASE_LANGUAGE
    return BASE_LANGUAGE
