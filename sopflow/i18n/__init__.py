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
from sopflow.i18n.languages import InLanguages, SaidInLanguages, pick
from sopflow.i18n.named import Listing, Named, listing, named

__all__ = [
    "BASE_LANGUAGE",
    "CATALOGUE",
    "Catalogue",
    "InLanguages",
    "Listing",
    "Named",
    "Phrase",
    "SaidInLanguages",
    "UnknownText",
    "aside",
    "default_language",
    "duration_words",
    "listing",
    "named",
    "pick",
    "say",
    "ui_languages",
]
