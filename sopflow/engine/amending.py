"""Amending an entry: a value entered earlier put right by an event of its own (the entry stays in
the history as it was made). If the corrected value would have sent the case another way — a
decision or an escalation taken on the old value, a timer counted from a corrected date — the
correction is refused, saying what would differ, unless the later steps are to be re-played:
then a REPLAY event moves the case to where the corrected history leads, and says what it
re-played. Pure: the Engine reads and saves (engine/correcting.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, tzinfo
from typing import Any, NamedTuple

from sopflow.cases.fielddata import to_json
from sopflow.cases.inputs import local_text
from sopflow.cases.records import CANCELLED, CORRECTIONS, MERGED, Case, Event, EventKind
from sopflow.engine.changes import Effect
from sopflow.engine.corrections import check_corrector
from sopflow.engine.rerun import (
    Mark,
    Rerun,
    effective_path,
    end_effects,
    new_children,
    rerun,
    shared_left,
    taken_again,
)
from sopflow.engine.stepper import Stepper
from sopflow.errors import CaseError
from sopflow.i18n import InLanguages, Phrase, ui_languages
from sopflow.language.model import Action, Branch, Check, Flow, Timer

ENTRIES = frozenset({EventKind.START, EventKind.ACTION, EventKind.CHECK})  # what people entered
Changes = dict[str, list[Any]]  # field -> [old, new], JSON data


class PathWouldChange(CaseError):
    """A correction that would have sent the case another way, refused (nothing is saved).
    `was` is the first step of the case's way that would go otherwise (None: the corrected
    history has a step more), `now` what the corrected history has there (None: nothing),
    `step_then` where the case would stand, `skipped` the entries it could not take."""

    def __init__(
        self,
        code: str,
        *,
        was: Mark | None,
        now: Mark | None,
        step_then: str,
        skipped: tuple[int, ...],
        **params: Any,
    ) -> None:
        self.was, self.now, self.step_then, self.skipped = was, now, step_then, skipped
        super().__init__(code, **params)


class Amendment(NamedTuple):
    """An amendment worked out: its events (AMEND, and REPLAY if re-played), the case after them,
    and what the re-play does to other cases (children it starts, an end it reaches)."""

    case: Case
    events: tuple[Event, ...]
    effects: tuple[Effect, ...] = ()


class Request(NamedTuple):
    """What the person asks: entry `seq`'s `values` (as typed) corrected, because `reason`."""

    seq: int
    values: Mapping[str, Any]
    reason: str
    actor: str
    role: str | None
    at: datetime
    replay: bool


def amend(
    stepper: Stepper,
    case: Case,
    history: Sequence[Event],
    asked: Request,
    *,
    tz: tzinfo,
    still_open: frozenset[str] = frozenset(),
) -> Amendment:
    """The amendment of `case` (read without its history; `history` is all of it). CaseError
    for a wrong entry number, field or value, or a role that may not correct; PathWouldChange if
    the way would change and `asked.replay` is False. `still_open`: the case's open children (a
    re-play names those it leaves behind)."""
    flow = stepper.flow
    entry = _entry(history, asked.seq, case.id)
    check_corrector(flow, case, asked.role, "amend", also=(entry.role,))
    entered = effective(history)
    corrected = {name: list(pair) for name, pair in entered[entry.seq].items()}
    before = data_at(history, entered, entry.seq)
    values: Changes = {}
    for given, raw in asked.values.items():
        name = stepper.entries.field_id(given)  # 体温 or temperature
        _check_taken(stepper, entry, name, case.id)
        parsed = stepper.entries.parse(case.id, {given: raw}, allowed=None, at=entry.at)[name]
        new = to_json(parsed)
        if before.get(name) == new:
            raise CaseError("amend.same_value", case=case.id, seq=entry.seq, field=name, value=str(raw))
        values[name] = [before.get(name), new]
        corrected[name] = [corrected.get(name, [before.get(name)])[0], new]
    if not values:
        raise CaseError("amend.no_values", case=case.id, seq=entry.seq)
    entered = {**entered, entry.seq: corrected}
    now = data_at(history, entered, None)
    changes = {
        name: [to_json(case.data.get(name)), now.get(name)]
        for name in values
        if to_json(case.data.get(name)) != now.get(name)
    }
    copies = _copies(flow, history, entry.seq, set(values))
    why = {"seq": entry.seq, "values": values, "copies": copies, "replayed": False}
    event = Event(
        case.seq + 1, asked.at, EventKind.AMEND, f"#{entry.seq}", asked.actor, asked.role,
        case.step, None, changes, asked.reason, why,
    )  # fmt: skip
    after = stepper.fold.apply(case, event)
    if not case.active and case.outcome in (CANCELLED, MERGED):
        return Amendment(after, (event,))  # ended by hand: its way is over, only its record changes
    inputs = taken_again(history)
    run = rerun(stepper, case, inputs, givens(flow, history, entered), history)
    if run.divergence is None:
        return Amendment(after, (event,))
    if not asked.replay:
        raise _refusal(stepper, case, entry.seq, run, history, tz=tz)
    event = event._replace(why={**why, "replayed": True})
    after = stepper.fold.apply(case, event)
    replay, effects = _replay(run, after, history, event, still_open)
    return Amendment(stepper.fold.apply(after, replay), (event, replay), tuple(effects))


def _entry(history: Sequence[Event], seq: int, case_id: str) -> Event:
    if not 1 <= seq <= len(history):
        raise CaseError("amend.no_such_entry", case=case_id, seq=seq, last=len(history))
    entry = history[seq - 1]
    if entry.kind is EventKind.AMEND or entry.kind in CORRECTIONS:
        raise CaseError("amend.is_correction", case=case_id, seq=seq, kind=str(entry.kind), name=entry.name)
    if entry.kind not in ENTRIES:
        source = max((e.seq for e in history[: seq - 1] if e.kind in ENTRIES), default=1)
        raise CaseError(
            "amend.not_an_entry", case=case_id, seq=seq, kind=str(entry.kind), name=entry.name, source=source
        )
    return entry


def _check_taken(stepper: Stepper, entry: Event, name: str, case_id: str) -> None:
    """A field the entry could take: any field at the start; else those of its action or check."""
    flow = stepper.flow
    if entry.kind is EventKind.START or name not in flow.fields:
        return  # an unknown field is refused when parsed, with a did-you-mean
    step = flow.steps.get(entry.from_step or "")
    ways: list[Action | Check] = [*step.actions, *step.checks] if step is not None else []
    takes = {f for way in ways if way.name == entry.name for f in (*way.requires, *way.accepts)}
    if name not in takes:
        raise CaseError(
            "amend.not_taken",
            case=case_id,
            seq=entry.seq,
            name=entry.name,
            field=stepper.names.fields.named(name),
            fields=stepper.names.fields.listing(sorted(takes)) if takes else "-",
        )


def effective(history: Sequence[Event]) -> dict[int, Changes]:
    """What each entry entered, with the corrections made to it since: seq -> changes."""
    entered = {e.seq: {k: list(v) for k, v in e.changes.items()} for e in history if e.kind in ENTRIES}
    for event in history:
        if event.kind is EventKind.AMEND and event.why:
            target = entered.setdefault(int(event.why["seq"]), {})
            for name, (was, new) in event.why["values"].items():
                target[name] = [target.get(name, [was])[0], new]
    return entered


def data_at(history: Sequence[Event], entered: Mapping[int, Changes], upto: int | None) -> dict[str, Any]:
    """The case's data (as JSON) after event `upto` (None: all of them), entries as corrected."""
    data: dict[str, Any] = {}
    for event in history:
        if upto is not None and event.seq > upto:
            break
        _apply(data, _changes_of(event, entered))
    return data


def _changes_of(event: Event, entered: Mapping[int, Changes]) -> Mapping[str, list[Any]]:
    if event.kind in ENTRIES:
        return entered.get(event.seq, {})
    return {} if event.kind is EventKind.AMEND else event.changes  # an amendment is in its entry


def _apply(data: dict[str, Any], changes: Mapping[str, list[Any]]) -> None:
    for name, (_old, new) in changes.items():
        if new is None:
            data.pop(name, None)
        else:
            data[name] = new


def givens(flow: Flow, history: Sequence[Event], entered: Mapping[int, Changes]) -> dict[int, dict[str, Any]]:
    """What each entry gave, as corrected: the values it changed, and the required ones it gave
    unchanged (the history keeps only changes; a required value was given, so it was the one
    the case had)."""
    data: dict[str, Any] = {}
    given: dict[int, dict[str, Any]] = {}
    for event in history:
        changes = _changes_of(event, entered)
        if event.kind in ENTRIES:
            values = {name: new for name, (_old, new) in changes.items() if new is not None}
            step = flow.steps.get(event.from_step or "")
            ways: list[Action | Check] = [*step.actions, *step.checks] if step is not None else []
            needed = next((w.requires for w in ways if w.name == event.name), ())
            values |= {name: data[name] for name in needed if name not in values and name in data}
            given[event.seq] = values
        _apply(data, changes)
    return given


def _copies(flow: Flow, history: Sequence[Event], seq: int, names: set[str]) -> list[str]:
    """Child cases started after the entry that were given a copy of a corrected field."""
    found = []
    for event in history[seq:]:
        step = flow.steps.get(event.from_step or "")
        if event.kind is EventKind.CHILD and event.child_id and step is not None and names & set(step.copy):
            found.append(event.child_id)
    return found


def _replay(
    run: Rerun, after: Case, history: Sequence[Event], amendment: Event, still_open: frozenset[str]
) -> tuple[Event, list[Effect]]:
    """The REPLAY event taking `after` (the case with the amendment) where the corrected history
    leads, and what that does to other cases: child cases it starts anew (numbered after the
    case's children) and the end it reaches, both as of now."""
    played, path, parted = run.case, effective_path(history), run.divergence or 0
    start = min(m.source for m in (*run.marks[parted : parted + 1], *path[parted : parted + 1]))
    fresh = new_children(run.effects, run.children)
    ids = dict(run.children) | {
        e.child_id: f"{after.id}.{len(after.children) + n}" for n, e in enumerate(fresh, 1)
    }
    kept = set(run.children.values())
    left = [m.child_id for m in path if m.kind == EventKind.CHILD and m.child_id not in kept]
    left += shared_left(run.effects, history)
    changes = {
        name: [to_json(after.data.get(name)), to_json(played.data.get(name))]
        for name in [*after.data, *(n for n in played.data if n not in after.data)]
        if to_json(after.data.get(name)) != to_json(played.data.get(name))
    }
    why = {
        "amend": amendment.seq,
        "from": start,
        "path": [
            m._replace(child_id=ids.get(m.child_id or "", m.child_id)).to_json()
            for m in run.marks
            if m.source >= start
        ],
        "skipped": [s.event.seq for s in run.skipped if s.event.seq >= start],
        "entered_at": played.entered_at.isoformat(),
        "last_checks": {name: at.isoformat() for name, at in played.last_checks.items()},
        "children": [ids[e.child_id] for e in fresh],
        "left": [c for c in left if c in still_open],
    }
    at = amendment.at
    event = Event(
        after.seq + 1, at, EventKind.REPLAY, amendment.name, amendment.actor, amendment.role,
        after.step, played.step, changes, None, why,
    )  # fmt: skip
    effects: list[Effect] = [replace(e, child_id=ids[e.child_id], at=at) for e in fresh]
    if not played.active and (after.active or after.step != played.step):
        effects += [replace(e, at=at) for e in end_effects(run.effects)]
    return event, effects


def _renumbered(mark: Mark, ids: Mapping[str, str]) -> Mark:
    """A mark of the re-play with its child case's real id."""
    return mark._replace(child_id=ids.get(mark.child_id or "", mark.child_id))


# -- saying what would differ ---------------------------------------------------------------------


def _refusal(
    stepper: Stepper, case: Case, seq: int, run: Rerun, history: Sequence[Event], *, tz: tzinfo
) -> PathWouldChange:
    flow, parted, path = stepper.flow, run.divergence or 0, effective_path(history)
    mine = run.marks[parted] if parted < len(run.marks) else None
    theirs = path[parted] if parted < len(path) else None
    skipped = tuple(s.event.seq for s in run.skipped if s.event.seq > seq)
    listed = ", ".join(f"#{n}" for n in skipped[:5]) + (", …" if len(skipped) > 5 else "")
    return PathWouldChange(
        "amend.path_changed",
        was=theirs,
        now=mine,
        step_then=run.case.step,
        skipped=skipped,
        case=case.id,
        seq=seq,
        difference=_difference(stepper, theirs, mine, run, tz),
        then=_step(flow, run.case.step),
        current=_step(flow, case.step),
        skipped_entries=Phrase("amend.skipped", count=len(skipped), seqs=listed) if skipped else "",
    )


def _difference(stepper: Stepper, theirs: Mark | None, mine: Mark | None, run: Rerun, tz: tzinfo) -> Phrase:
    """The first step of the case's way that the correction changes, in words."""
    flow, known = stepper.flow, theirs or mine
    seq = (known.seq or known.source) if known is not None else 0
    left = next((s for s in run.skipped if theirs is not None and s.event.seq == theirs.seq), None)
    timer = _timer_difference(stepper, theirs, mine, run.case, tz) if theirs is not None else None
    if theirs is not None and mine is not None and theirs.kind == mine.kind == EventKind.BRANCH:
        return Phrase(
            "amend.diff.branch",
            seq=seq,
            step=_step(flow, theirs.from_step),
            was=_step(flow, theirs.to_step),
            now=_step(flow, mine.to_step),
        )
    if theirs is not None and theirs.kind == EventKind.ESCALATE:
        check, to = _way(flow, theirs), _step(flow, theirs.to_step)
        return Phrase("amend.diff.no_escalation", seq=seq, check=check, to=to)
    if mine is not None and mine.kind == EventKind.ESCALATE:
        return Phrase("amend.diff.escalation", check=_way(flow, mine), to=_step(flow, mine.to_step))
    if timer is not None and theirs is not None:
        return Phrase("amend.diff.timer", seq=seq, timer=_way(flow, theirs), was=timer[0], now=timer[1])
    if left is not None and theirs is not None:
        return Phrase("amend.diff.not_possible", seq=seq, way=_way(flow, theirs), step=_step(flow, left.step))
    return Phrase("amend.diff.other", seq=seq, was=_words(flow, theirs), now=_words(flow, mine))


def _timer_difference(
    stepper: Stepper, theirs: Mark, mine: Mark | None, played: Case, tz: tzinfo
) -> tuple[str, str] | None:
    """When a timer ran out, and when it does with the correction (a date it counts from was
    corrected): as local times, or None if the difference is not a timer's."""
    if theirs.kind != EventKind.TIMER:
        return None
    was = local_text(datetime.fromisoformat(theirs.at or ""), tz)
    if mine is not None and mine.kind == EventKind.TIMER and mine.name == theirs.name:
        return was, local_text(datetime.fromisoformat(mine.at or ""), tz)
    later = _timer_due(stepper, theirs, played)
    return (was, local_text(later, tz)) if later is not None else None


def _timer_due(stepper: Stepper, mark: Mark | None, case: Case) -> datetime | None:
    """When a timer counted from a date field runs out with the corrected data (None: another
    kind of way, or a timer counted from entering its step)."""
    step = stepper.flow.steps.get(mark.from_step or "") if mark is not None else None
    if mark is None or step is None or mark.kind != EventKind.TIMER:
        return None
    timer = next((t for t in step.timers if t.name == mark.name and t.from_field), None)
    return stepper.timer_due(case, timer) if timer is not None else None


def _step(flow: Flow, step_id: str | None) -> InLanguages:
    step = flow.steps.get(step_id or "")
    if step is None:
        return InLanguages(dict.fromkeys(ui_languages(), step_id or "-"))
    return InLanguages({lang: flow.text(step.label, lang) for lang in ui_languages()})


def _way(flow: Flow, mark: Mark) -> InLanguages:
    """An action's, check's or timer's label at the step it was taken (its name if it has none)."""
    step = flow.steps.get(mark.from_step or "")
    ways: list[Action | Check | Timer | Branch] = (
        [*step.actions, *step.checks, *step.timers, *step.branches] if step is not None else []
    )
    label = next((w.label for w in ways if w.name == mark.name and w.label), None)
    return InLanguages({lang: flow.text(label, lang) if label else mark.name for lang in ui_languages()})


def _words(flow: Flow, mark: Mark | None) -> InLanguages:
    if mark is None:
        return InLanguages(dict.fromkeys(ui_languages(), "-"))
    way, to = _way(flow, mark), _step(flow, mark.to_step) if mark.to_step else None
    return InLanguages(
        {lang: way.text(lang) + (f" → {to.text(lang)}" if to is not None else "") for lang in ui_languages()}
    )
