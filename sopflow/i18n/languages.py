"""Texts in several languages: picking a translation with a fallback, and values that read
differently by the language of the message they are put into."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


def pick(text: Mapping[str, str], lang: str, fallback: str) -> str:
    """The text in `lang`, else in the fallback (primary) language, else any translation."""
    if lang in text:
        return text[lang]
    if fallback in text:
        return text[fallback]
    return next(iter(text.values()), "")


@runtime_checkable
class SaidInLanguages(Protocol):
    """A value that reads differently by the language of the message it is put into."""

    def text(self, lang: str) -> str: ...


@dataclass(frozen=True)
class InLanguages:
    """A value put into a message that itself reads differently by language (a role's label, say):
    the message picks the text of the language it is shown in. `texts` maps language to text."""

    texts: Mapping[str, str]
    fallback: str = "en"

    def text(self, lang: str) -> str:
        return pick(self.texts, lang, self.fallback)

    def __str__(self) -> str:
        return self.text(self.fallback)
