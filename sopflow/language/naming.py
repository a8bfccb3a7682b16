"""What people type for a thing of a flow — a role, step, action, outcome, field, choice, or a
flow itself — turned into its id, in one place.

A name is the id, or the label in any language the flow declares, compared the way people type:
full-width or half-width (（其他） is (其他)), any letter case, and with or without a bracketed aside
when that leaves one thing (黄色 for 黄色（其他）). A name two things share is refused with both,
label and id, so that the user can type the id. A name that names nothing is given back unchanged:
the caller refuses it with what it expected, as before.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property

from sopflow.errors import LookupFailed
from sopflow.i18n import Listing, Named, Phrase, listing, named, pick
from sopflow.language.model import FieldSpec, Flow, StepKind, Text
from sopflow.language.names import suggest

Refusal = Callable[..., Exception]  # (code, **params) -> the error to raise: LookupFailed, CaseError...

_ASIDE = re.compile(r"[(\[【〔][^()\[\]【】〔〕]*[)\]】〕]")  # after NFKC, （ ） are ( )


def spoken(text: str) -> str:
    """A name as two spellings of it compare: NFKC (full-width letters and brackets half-width),
    no letter case, spaces squeezed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def without_asides(key: str) -> str:
    """A compared name without its bracketed asides: 黄色(其他) -> 黄色, 乡镇(街道)指挥部 -> 乡镇指挥部."""
    return " ".join(_ASIDE.sub("", key).split())


class Names:
    """The things of one kind (a flow's roles, say): found by id or label, named in messages."""

    def __init__(self, kind: str, things: Iterable[tuple[str, Text]]) -> None:
        self.kind = kind
        self.labels: dict[str, Text] = {}
        self._full: dict[str, set[str]] = {}
        self._short: dict[str, set[str]] = {}
        for thing_id, label in things:
            self.labels.setdefault(thing_id, label)
            for text in (thing_id, *label.values()):
                key = spoken(text)
                self._full.setdefault(key, set()).add(thing_id)
                self._short.setdefault(without_asides(key), set()).add(thing_id)

    def __contains__(self, thing_id: object) -> bool:
        return thing_id in self.labels

    def find(self, typed: str, *, refuse: Refusal = LookupFailed) -> str | None:
        """The id `typed` names; None if it names nothing; `refuse("name.ambiguous", ...)` raised
        if it names two things (the whole name first, then without asides)."""
        if typed in self.labels:
            return typed
        key = spoken(typed)
        if not key:
            return None
        for index, wanted in ((self._full, key), (self._short, without_asides(key))):
            found = index.get(wanted)
            if found and len(found) > 1:
                raise refuse(
                    "name.ambiguous",
                    typed=typed,
                    kind=Phrase(f"named.{self.kind}"),
                    matches=self.listing(sorted(found)),
                )
            if found:
                return next(iter(found))
        return None

    def id_of(self, typed: str, *, refuse: Refusal = LookupFailed) -> str:
        """The id `typed` names, or `typed` itself when it names nothing (for the caller to refuse)."""
        found = self.find(typed, refuse=refuse)
        return typed if found is None else found

    def text(self, thing_id: str, lang: str) -> str:
        """The thing's label in `lang` (else in its first language), or its id if it has none."""
        label = self.labels.get(thing_id)
        return pick(label, lang, next(iter(label))) if label else thing_id

    def named(self, thing_id: str) -> Named:
        """How a message names the thing: its label and its id."""
        return named(thing_id, self.labels.get(thing_id))

    def listing(self, thing_ids: Iterable[str] | None = None) -> Listing:
        """Things (all of this kind by default) as a message lists them, label and id."""
        return listing(self.named(i) for i in (self.labels if thing_ids is None else thing_ids))

    def suggestion(self, typed: str, among: Iterable[str] | None = None) -> Named | str:
        """The thing (of `among`, default all) whose id or label is closest to `typed`, or ''."""
        ids = list(self.labels if among is None else among)
        spellings = {spoken(t): i for i in ids for t in (i, *self.labels.get(i, {}).values())}
        for found in (
            [i for s, i in spellings.items() if s.startswith(spoken(typed))],  # home_obs
            [i for s, i in spellings.items() if spoken(typed) in s],  # doctor
        ):
            if len(set(found)) == 1:
                return self.named(found[0])
        closest = suggest(spoken(typed), spellings)
        if closest:
            return self.named(spellings[closest])
        sharing = _sharing_characters(typed, spellings)
        return self.named(sharing) if sharing else ""


class FlowNames:
    """The names of everything in one flow, each kind indexed when first needed."""

    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self._at: dict[str, Names] = {}

    @cached_property
    def roles(self) -> Names:
        return Names("role", self.flow.roles.items())

    @cached_property
    def steps(self) -> Names:
        return Names("step", ((s.id, s.label) for s in self.flow.steps.values()))

    @cached_property
    def fields(self) -> Names:
        return Names("field", ((f.id, f.label) for f in self.flow.fields.values()))

    @cached_property
    def outcomes(self) -> Names:
        """An outcome is called by the name of the end step that gives it (the first, if several)."""
        ends = [s for s in self.flow.steps.values() if s.kind is StepKind.END and s.outcome]
        return Names("outcome", ((s.outcome or "", s.label) for s in ends))

    @cached_property
    def actions(self) -> Names:
        """Every action and check of the flow, at any step."""
        return Names("action", (pair for step_id in self.flow.steps for pair in self._ways(step_id)))

    def actions_at(self, step_id: str) -> Names:
        """The actions and checks of one step: what can be typed there."""
        if step_id not in self._at:
            self._at[step_id] = Names("action", self._ways(step_id))
        return self._at[step_id]

    def action_id(self, step_id: str, typed: str, *, refuse: Refusal = LookupFailed) -> str:
        """The action or check `typed` names at the step; else, if it names one elsewhere in the
        flow, that one's id (to be refused as not possible here); else `typed`."""
        found = self.actions_at(step_id).find(typed, refuse=refuse)
        if found is not None:
            return found
        try:
            return self.actions.id_of(typed)
        except LookupFailed:  # names several elsewhere: none of them can be done here anyway
            return typed

    def choices(self, field_id: str) -> Names:
        return choice_names(self.flow.fields[field_id])

    def _ways(self, step_id: str) -> list[tuple[str, Text]]:
        step = self.flow.steps[step_id]
        return [(a.name, a.label) for a in step.actions] + [(c.name, c.label) for c in step.checks]


def choice_names(spec: FieldSpec) -> Names:
    """The choices of a choice field, by code and label."""
    return Names("choice", spec.choices.items())


def flow_names(flows: Sequence[Flow]) -> Names:
    """Flows by id and title."""
    return Names("flow", ((f.id, f.title) for f in flows))


def across(flows: Sequence[Flow], kind: str) -> Names:
    """The roles or steps (`kind`) of several flows together: one id is one thing in all of them
    (a step `fever_found` of two flows), two ids sharing a label are two things."""
    return Names(kind, (pair for flow in flows for pair in _things(FlowNames(flow), kind)))


def _things(names: FlowNames, kind: str) -> Iterable[tuple[str, Text]]:
    of_kind: Names = getattr(names, f"{kind}s")
    return of_kind.labels.items()


def _sharing_characters(typed: str, spellings: Mapping[str, str]) -> str | None:
    """For a short Chinese word (温度 for 体温, 电话号 for 联系电话): the one thing whose name
    shares the most of its characters, at least half of them; None if two share as many.
    Letter-by-letter closeness says little of two-character words."""
    chinese = {c for c in typed if "\u4e00" <= c <= "\u9fff"}
    if not chinese or len(typed) > 6:
        return None
    best: dict[str, int] = {}
    for spelling, thing in spellings.items():
        shared = len(chinese & set(spelling))
        best[thing] = max(best.get(thing, 0), shared)
    top = max(best.values(), default=0)
    winners = [thing for thing, shared in best.items() if shared == top]
    return winners[0] if top * 2 >= len(chinese) and len(winners) == 1 else None
