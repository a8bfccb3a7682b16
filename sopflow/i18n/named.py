"""Things a message names, said in the message's own language: a label with its id ("网格员
grid_worker"), and lists of them ("网格员 grid_worker、社区医生 community_doctor").

A message is made before anyone knows which language it will be read in (a CaseError is raised in
the engine, printed by the CLI in the user's language), so these keep the texts of every language
and are put into words only when the message is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sopflow.i18n.catalogue import say
from sopflow.i18n.languages import InLanguages, pick


@dataclass(frozen=True)
class Named:
    """One thing by its label and its id: the label is what people know it by, the id what
    always works (and what a flow file says). `label` maps language to text (plain dict, so that
    an error carrying it pickles); without a label in any language the id alone is said."""

    id: str
    label: Mapping[str, str]

    def text(self, lang: str) -> str:
        label = pick(self.label, lang, next(iter(self.label), lang)) if self.label else ""
        if not label or label == self.id:
            return self.id
        return say("label.with_id", lang, label=label, id=self.id)

    def __str__(self) -> str:
        return self.text("en")


def named(thing_id: str, label: Mapping[str, str] | None) -> Named:
    """A Named with a plain copy of the label (a flow's labels are read-only mappings)."""
    return Named(thing_id, dict(label or {}))


@dataclass(frozen=True)
class Listing:
    """Several things (Named, InLanguages or plain text) joined as the language lists them."""

    items: tuple[Named | InLanguages | str, ...]

    def text(self, lang: str) -> str:
        if not self.items:
            return "-"
        return say("list.sep", lang).join(
            item if isinstance(item, str) else item.text(lang) for item in self.items
        )

    def __str__(self) -> str:
        return self.text("en")


def listing(items: Iterable[Named | InLanguages | str]) -> Listing:
    return Listing(tuple(items))
