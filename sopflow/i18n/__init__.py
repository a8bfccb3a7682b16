"""sopflow's words in the user's language: one catalogue (texts/<language>.toml), one lookup."""

from sopflow.i18n.catalogue import (
    BASE_LANGUAGE,
    CATALOGUE,
    Catalogue,
    Phrase,
    UnknownText,
    aside,
    default_language,
    duration_words,
    say,
    ui_languages,
)
from sopflow.i18n.languages import InLanguages, pick

__all__ = [
    "BASE_LANGUAGE",
    "CATALOGUE",
    "Catalogue",
    "InLanguages",
    "Phrase",
    "UnknownText",
    "aside",
    "default_language",
    "duration_words",
    "pick",
    "say",
    "ui_languages",
]
