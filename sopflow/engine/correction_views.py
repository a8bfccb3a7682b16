"""Corrections and changes of hand in the reader's words: what an AMEND, REPLAY, TRANSFER, ASSIGN,
MERGE, MERGED, ADOPTED or CANCEL event did (values masked like the rest of a history), which
entries were corrected later, and the notes a person must act on after a correction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

from sopflow.cases.privacy import NO_KINDS, mask_actor, mask_place, mask_value, place_shown
from sopflow.cases.records import Case, Event, EventKind
from sopflow.i18n import say
from sopflow.language.model import FieldType, Flow


def corrections_of(history: Sequence[Event]) -> dict[int, list[int]]:
    """Entry -> the amendments that corrected it, in order."""
    found: dict[int, list[int]] = {}
    for event in history:
        if event.kind is EventKind.AMEND and event.why:
            found.setdefault(int(event.why["seq"]), []).append(event.seq)
    return found


def merged_into(case: Case) -> str | None:
    """The case this one was merged into, if it was (from its history)."""
    last = next((e for e in reversed(case.history) if e.kind is EventKind.MERGED), None)
    return last.name if last is not None and not case.active else None


def worker_shown(name: str | None, *, show_personal: bool) -> str | None:
    """The worker a case is assigned to: a staff name, masked like the names in a history."""
    return mask_actor(name, show_personal=show_personal) if name else None


def places_named(case: Case) -> set[str]:
    """The places a case's list or sheet shows: its own and those its transfers and adoptions
    name (to look up which are doors, `kinds` below)."""
    found = {case.place} if case.place else set()
    for event in case.history:
        if event.kind in (EventKind.TRANSFER, EventKind.ADOPTED) and event.why:
            found.update(v for k, v in event.why.items() if k in _PLACES[event.kind] and isinstance(v, str))
    return found


_PLACES = {EventKind.TRANSFER: ("from", "to"), EventKind.ADOPTED: ("place",)}


def summary(
    flow: Flow,
    event: Event,
    lang: str,
    tz: tzinfo,
    *,
    show_personal: bool,
    kinds: Mapping[str, str] = NO_KINDS,
) -> str | None:
    """What a correction or change of hand did, in one line (None for any other event). `kinds`:
    the registry's kind of the places named (a door is masked unless `show_personal`)."""
    why: Mapping[str, Any] = event.why or {}
    kind = event.kind
    sep = say("history.sep", lang)
    if kind is EventKind.AMEND:
        values = say("cond.list_sep", lang).join(
            say(
                "history.value",
                lang,
                field=_label(flow, name, lang),
                was=_value(flow, name, was, tz, show_personal),
                now=_value(flow, name, now, tz, show_personal),
            )
            for name, (was, now) in why.get("values", {}).items()
        )
        parts = [say("history.amend", lang, seq=why.get("seq", "?"), values=values)]
        if why.get("copies"):
            parts.append(say("history.copies", lang, cases=", ".join(why["copies"])))
        return sep.join(parts)
    if kind is EventKind.REPLAY:
        step = flow.steps.get(event.to_step or "")
        parts = [
            say(
                "history.replay",
                lang,
                start=why.get("from", "?"),
                step=flow.text(step.label, lang) if step else event.to_step,
            )
        ]
        if why.get("skipped"):
            parts.append(say("history.not_replayed", lang, seqs=", ".join(f"#{s}" for s in why["skipped"])))
        if why.get("children"):
            parts.append(say("history.opened", lang, cases=", ".join(why["children"])))
        if why.get("left"):
            parts.append(say("history.left", lang, cases=", ".join(why["left"])))
        return sep.join(parts)
    return _hands(flow, event, why, lang, show_personal=show_personal, kinds=kinds)


def _hands(  # noqa: PLR0911 - one sentence per kind of event
    flow: Flow,
    event: Event,
    why: Mapping[str, Any],
    lang: str,
    *,
    show_personal: bool,
    kinds: Mapping[str, str],
) -> str | None:
    kind, sep = event.kind, say("history.sep", lang)
    nobody = say("history.nobody", lang)
    carried = [say("history.carried", lang, cases=", ".join(why["children"]))] if why.get("children") else []
    if kind is EventKind.TRANSFER:
        was, now = (
            place_shown(why.get(k), kinds, show_personal=show_personal) or "-" for k in ("from", "to")
        )
        moved = say("history.transfer", lang, was=was, now=now)
        return sep.join([moved, *carried])
    if kind is EventKind.ASSIGN:
        was, now = (
            mask_actor(why[k], show_personal=show_personal) if why.get(k) else nobody for k in ("from", "to")
        )
        return say("history.assign", lang, was=was, now=now)
    if kind is EventKind.MERGE:
        parts = [say("history.merge", lang, case=why.get("case", event.name))]
        if event.changes:
            parts.append(say("history.filled", lang, fields=_labels(flow, event.changes, lang)))
        if why.get("differs"):
            parts.append(say("history.differs", lang, fields=_labels(flow, why["differs"], lang)))
        if why.get("children"):
            parts.append(say("history.adopted_children", lang, cases=", ".join(why["children"])))
        return sep.join(parts)
    if kind is EventKind.MERGED:
        return say("history.merged", lang, case=event.name)
    if kind is EventKind.ADOPTED:
        return say("history.adopted", lang, case=why.get("to", event.name), was=why.get("from") or nobody)
    if kind is EventKind.CANCEL:
        if why.get("with"):
            return say("history.cancel_with", lang, case=why["with"])
        return sep.join([say("history.cancel", lang), *carried])
    return None


def _label(flow: Flow, name: str, lang: str) -> str:
    spec = flow.fields.get(name)
    return (flow.text(spec.label, lang) if spec is not None else "") or name


def _labels(flow: Flow, names: Iterable[str], lang: str) -> str:
    return say("cond.list_sep", lang).join(_label(flow, n, lang) for n in names)


def masked_why(
    flow: Flow, event: Event, *, show_personal: bool, kinds: Mapping[str, str] = NO_KINDS
) -> dict[str, Any] | None:
    """A correction's `why` as a history shows it: corrected values, values a merge kept,
    workers' names and the doors a case moved between masked unless asked for."""
    if event.why is None:
        return None
    why = dict(event.why)
    if show_personal:
        return why

    def masked(pairs: Mapping[str, list[Any]]) -> dict[str, list[Any]]:
        return {n: [mask_value(flow.fields.get(n), v) for v in pair] for n, pair in pairs.items()}

    for key in ("values", "differs"):
        if isinstance(why.get(key), dict):
            why[key] = masked(why[key])
    if event.kind is EventKind.ASSIGN:
        why = {k: mask_actor(v, show_personal=False) if isinstance(v, str) else v for k, v in why.items()}
    for key in _PLACES.get(event.kind, ()):
        if isinstance(why.get(key), str):
            why[key] = mask_place(why[key], kinds)
    return why


def _value(flow: Flow, name: str, value: Any, tz: tzinfo, show_personal: bool) -> str:
    """A value as a history keeps it (JSON), as a person reads it: masked unless asked for, a
    date-time in local time."""
    spec = flow.fields.get(name)
    if value is None:
        return "-"
    shown = value if show_personal else mask_value(spec, value)
    if spec is not None and spec.type is FieldType.DATETIME and isinstance(shown, str):
        try:
            return datetime.fromisoformat(shown).astimezone(tz).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return shown
    return str(shown)


def notes(flow: Flow, case_id: str, events: Sequence[Event], lang: str) -> list[str]:
    """What a person must see to after a correction (printed after it): copies of a corrected
    value in child cases, child cases the re-play opened or left open, adopted child cases."""
    found = []
    for event in events:
        why: Mapping[str, Any] = event.why or {}
        if event.kind is EventKind.AMEND and why.get("copies"):
            copied = [n for n in why.get("values", {}) if any(n in s.copy for s in flow.steps.values())]
            found.append(
                say(
                    "note.copies",
                    lang,
                    cases=", ".join(why["copies"]),
                    fields=", ".join(copied or why.get("values", {})),
                    first=why["copies"][0],
                )
            )
        if event.kind is EventKind.REPLAY and why.get("children"):
            found.append(say("note.opened", lang, cases=", ".join(why["children"])))
        if event.kind is EventKind.REPLAY and why.get("left"):
            found.append(say("note.left", lang, cases=", ".join(why["left"]), first=why["left"][0]))
        if event.kind is EventKind.MERGE and why.get("children"):
            found.append(say("note.adopted", lang, case=case_id, cases=", ".join(why["children"])))
    return found
