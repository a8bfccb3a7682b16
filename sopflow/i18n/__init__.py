"""Languages: which one the user reads, and picking a text's translation with a fallback."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

SUPPORTED_UI_LANGUAGES = ("zh", "en")


def default_language() -> str:
    """The user's language: SOPFLOW_LANG, else the locale (zh_* gives Chinese), else English."""
    explicit = os.environ.get("SOPFLOW_LANG", "").strip().lower()
    if explicit in SUPPORTED_UI_LANGUAGES:
        return explicit
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def aside(text: str, lang: str) -> str:
    """`text` in brackets after what it explains: full-width in Chinese, after a space in English."""
    return f"（{text}）" if lang == "zh" else f" ({text})"


def pick(text: Mapping[str, str], lang: str, fallback: str) -> str:
    """The text in `lang`, else in the fallback (primary) language, else any translation."""
    if lang in text:
        return text[lang]
    if fallback in text:
        return text[fallback]
    return next(iter(text.values()), "")


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
