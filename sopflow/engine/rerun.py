"""A case's history played again with corrected entries: where it would have gone, and the first
place where that differs from where it went. Pure: the Stepper's own rules, no store.

The entries people made (the start, actions, checks) and what came from outside (timers running
out, child cases ending, signals, merges) are taken again, in order and at their own times, with
their values as corrected; decisions, escalations and child cases follow by the flow's rules as
they did the first time. An entry no longer possible where the corrected case stands is skipped
(and said). Comparing the steps of both ways — by kind, name and the steps between, and the time
a timer ran out — tells whether a correction changes the path. Past re-plays count as the way the
case went (`effective_path`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, NamedTuple

from sopflow.cases.records import Case, Event, EventKind
from sopflow.engine.changes import Effect, NotifyParent, Result, SendSignal, StartChild
from sopflow.engine.stepper import Stepper
from sopflow.errors import CaseError

# What a person or the world did: taken again. Everything else on the path follows from these.
INPUTS = frozenset(
    {
        EventKind.START,
        EventKind.ACTION,
        EventKind.CHECK,
        EventKind.TIMER,
        EventKind.OUTCOME,
        EventKind.CHILD_ENDED,
        EventKind.SIGNAL,
        EventKind.MERGE,
    }
)
# The way a case goes: inputs and what followed them by the rules.
PATH = INPUTS | {EventKind.BRANCH, EventKind.ESCALATE, EventKind.NEXT, EventKind.CHILD, EventKind.CONDITION}


def taken_again(history: Sequence[Event]) -> list[Event]:
    """The inputs of a history: an OUTCOME that follows its child's CHILD_ENDED (C11) came of it,
    and comes again when the end is played again."""
    ended = {e.child_id for e in history if e.kind is EventKind.CHILD_ENDED}
    return [
        e for e in history if e.kind in INPUTS and not (e.kind is EventKind.OUTCOME and e.child_id in ended)
    ]


class Mark(NamedTuple):
    """One step of a case's way, as compared: `source` is the entry it came from (an input's
    own number, or the input a decision followed), `seq` the event's number (None for one
    that only a re-play recorded)."""

    source: int
    seq: int | None
    kind: str
    name: str
    from_step: str | None
    to_step: str | None
    child_id: str | None
    at: str | None  # when a timer ran out (a correction of a date moves it); None otherwise

    def same_way(self, other: Mark) -> bool:
        return (self.kind, self.name, self.from_step, self.to_step, self.at) == (
            other.kind,
            other.name,
            other.from_step,
            other.to_step,
            other.at,
        )

    def to_json(self) -> list[Any]:
        return [self.source, self.kind, self.name, self.from_step, self.to_step, self.child_id, self.at]


def mark_of(event: Event, source: int, seq: int | None) -> Mark:
    at = event.at.isoformat() if event.kind is EventKind.TIMER else None
    return Mark(source, seq, str(event.kind), event.name, event.from_step, event.to_step, event.child_id, at)


def marks_from_json(values: Sequence[Sequence[Any]]) -> list[Mark]:
    return [Mark(v[0], None, v[1], v[2], v[3], v[4], v[5], v[6]) for v in values]


def effective_path(history: Sequence[Event]) -> list[Mark]:
    """The way the case went as its history now says: each re-play (a REPLAY event) stands for
    the way it replaced, from the entry it re-played from."""
    marks: list[Mark] = []
    source = 0
    for event in history:
        if event.kind is EventKind.REPLAY:
            why = event.why or {}
            start = int(why.get("from", 0))
            marks = [m for m in marks if m.source < start] + marks_from_json(why.get("path", ()))
        elif event.kind in PATH and not (event.why and "one_per" in event.why):
            # a shared case started (C4) is noted after the move, by the runtime: not on the way
            if event.kind in INPUTS:
                source = event.seq
            marks.append(mark_of(event, source, event.seq))
    return marks


class Skipped(NamedTuple):
    """An entry the re-play could not take, and the step the corrected case was at then."""

    event: Event
    step: str


class Rerun(NamedTuple):
    """The corrected history played again."""

    case: Case  # the case as the corrected history leaves it
    marks: tuple[Mark, ...]  # its way (child ids as the re-play numbered them)
    skipped: tuple[Skipped, ...]  # entries it could not take where the case then stood
    effects: tuple[Effect, ...]  # what it does to other cases, as the re-play numbered them
    children: Mapping[str, str]  # child id in the re-play -> the real child case it is
    divergence: int | None  # index into `marks` (and the effective path) where the ways part


def rerun(
    stepper: Stepper,
    case: Case,
    inputs: Sequence[Event],
    given: Mapping[int, Mapping[str, Any]],
    history: Sequence[Event],
) -> Rerun:
    """Play `inputs` (the case's inputs, entries carrying their corrected values; `given[seq]`
    the values each entry gave, as parsed values) again from the start, and compare the way
    with the one `history` records."""
    played: Case | None = None
    marks: list[Mark] = []
    skipped: list[Skipped] = []
    effects: list[Effect] = []
    started = [m for m in effective_path(history) if m.kind == EventKind.CHILD]
    real_of: dict[str, str] = {}  # child id in the re-play -> the real one, while they agree
    player = _Player(stepper, case, real_of)
    agree = True
    for event in inputs:
        try:
            result = player.take(played, event, given.get(event.seq, {}))
        except CaseError:
            result = None
        if result is None:
            skipped.append(Skipped(event, played.step if played is not None else ""))
            continue
        played = result.case
        for new in result.events:
            marks.append(mark_of(new, event.seq, None))
            if new.kind is EventKind.CHILD and new.child_id:
                index = sum(1 for m in marks if m.kind == EventKind.CHILD) - 1
                known = started[index] if agree and index < len(started) else None
                agree = known is not None and (known.from_step, known.name) == (new.from_step, new.name)
                if agree and known is not None and known.child_id:
                    real_of[new.child_id] = known.child_id
        effects += result.effects
    if played is None:
        raise CaseError("amend.cannot_replay", case=case.id)
    path = effective_path(history)
    parted = next(
        (i for i, (mine, theirs) in enumerate(zip(marks, path, strict=False)) if not mine.same_way(theirs)),
        None if len(marks) == len(path) else min(len(marks), len(path)),
    )
    return Rerun(played, tuple(marks), tuple(skipped), tuple(effects), real_of, parted)


class _Player:
    """Takes one input again by the flow's rules (None: not possible where the case stands)."""

    def __init__(self, stepper: Stepper, base: Case, real_of: Mapping[str, str]) -> None:
        self.stepper = stepper
        self.base = base  # the real case: its id, family and place
        self.real_of = real_of  # filled in as children are started and found to agree

    def take(self, case: Case | None, event: Event, given: Mapping[str, Any]) -> Result | None:
        given = self.stepper.computer.given_only(given)
        if event.kind is EventKind.START:
            base = self.base
            return self.stepper.start(
                base.id,
                given,
                actor=event.actor,
                role=event.role,
                at=event.at,
                parent_id=base.parent_id,
                place=base.place,
                note=event.note,
            )
        taking = self._ways.get(event.kind)
        return None if case is None or taking is None else taking(self, case, event, given)

    def _entry(self, case: Case, event: Event, given: Mapping[str, Any]) -> Result | None:
        return self.stepper.fire(
            case, event.name, actor=event.actor, role=event.role, data=given, at=event.at, note=event.note
        )

    def _signal(self, case: Case, event: Event, _given: Mapping[str, Any]) -> Result | None:
        return self.stepper.fire(
            case, event.name, actor=event.actor, role=None, data={}, at=event.at, signal=True
        )

    def _timer(self, case: Case, event: Event, _given: Mapping[str, Any]) -> Result | None:
        return self.stepper.run_timers(case, event.at)

    def _outcome(self, case: Case, event: Event, _given: Mapping[str, Any]) -> Result | None:
        """A child's end counts only for a child the re-play started as the history did."""
        mine = {real: played for played, real in self.real_of.items()}.get(event.child_id or "")
        return None if mine is None else self.stepper.child_ended(case, mine, event.name, event.at)

    def _merge(self, case: Case, event: Event, _given: Mapping[str, Any]) -> Result | None:
        """The duplicate's data and children came in then; they still do."""
        merged = self.stepper.fold.apply(case, event._replace(seq=case.seq + 1))
        return Result(merged, (merged.history[-1],))

    _ways: ClassVar[dict[EventKind, Callable[[_Player, Case, Event, Mapping[str, Any]], Result | None]]] = {
        EventKind.ACTION: _entry,
        EventKind.CHECK: _entry,
        EventKind.SIGNAL: _signal,
        EventKind.TIMER: _timer,
        EventKind.OUTCOME: _outcome,
        EventKind.CHILD_ENDED: _outcome,
        EventKind.MERGE: _merge,
    }


def end_effects(effects: Sequence[Effect]) -> list[NotifyParent | SendSignal]:
    """What a re-played end tells other cases (its parent, an ancestor's flow)."""
    return [e for e in effects if isinstance(e, NotifyParent | SendSignal)]


def new_children(effects: Sequence[Effect], real_of: Mapping[str, str]) -> list[StartChild]:
    """The child cases the re-play starts that the history did not (a shared case, C4, is
    joined or started once, when the history reached it: never again by a re-play)."""
    return [
        e for e in effects if isinstance(e, StartChild) and e.child_id not in real_of and e.one_per is None
    ]


def shared_left(effects: Sequence[Effect], history: Sequence[Event]) -> list[str]:
    """The shared cases (C4) the history started or joined that a re-play no longer reaches: they
    stay open (as a child the old way opened does), and the replay says so."""
    if any(isinstance(e, StartChild) and e.one_per is not None for e in effects):
        return []
    return [
        e.child_id
        for e in history
        if e.child_id
        and (e.kind is EventKind.JOIN or (e.kind is EventKind.CHILD and e.why and "one_per" in e.why))
    ]
