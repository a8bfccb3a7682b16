"""A case's recorded checks, worked out from its history: how many readings were recorded, how
many were owed and not recorded, when the last one came in.

A release decision must read this, not what someone typed about the log (issue 11, defect 5: a
doctor declared the log complete over two readings in ten days). It is a pure function of the
flow and the events, so the Stepper stays pure and `verify` needs no stored copy to compare.

Counting (per stretch of time the case stood at a step with the check):
* a check `every: 12h` is owed 12h after the step was entered or the last reading; a reading
  settles the check owed then (late or not) and starts the next 12h; each 12h that passes with no
  reading is one missed check;
* a check at fixed times of day (`at:`, with a `window`) is owed at each of those times whose
  window opened while the case stood at the step; it is missed when its window has closed with
  no reading in it;
* a check with `when:` is owed (and can be missed) only while its guard holds on the case's data.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from sopflow.cases.records import MOVES, Event, EventKind
from sopflow.language.model import Check, Flow

DEFAULT_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Slot:
    """One fixed time a check was owed at (`at:`): its window, and the reading that filled it."""

    due: datetime  # the time of day, e.g. 08:00 local (its window is `window` either side)
    reading: Event | None  # the check recorded inside the window, if any
    missed: bool  # its window closed, while the check was owed, with no reading in it


@dataclass(frozen=True)
class CheckTally:
    """One check of a case, as its history shows it up to a moment."""

    name: str
    recorded: int  # readings recorded
    missed: int  # owed and not recorded
    last_at: datetime | None  # the last reading
    owed_since: datetime | None  # when the check was first owed (the step with it entered)
    slots: tuple[Slot, ...] = ()  # a check at fixed times: each time owed, in order


@dataclass(frozen=True)
class _Stretch:
    check: Check
    start: datetime
    end: datetime


def check_tallies(flow: Flow, history: Sequence[Event], now: datetime, tz: tzinfo) -> dict[str, CheckTally]:
    """Each check the case has owed, by name, counted up to `now` (or the case's end)."""
    stretches = _owed_stretches(flow, history, now)
    readings: dict[str, list[Event]] = {}
    for event in history:
        if event.kind is EventKind.CHECK:
            readings.setdefault(event.name, []).append(event)
    tallies = {}
    for name, parts in stretches.items():
        events = sorted(readings.get(name, []), key=lambda e: (e.at, e.seq))
        times = [e.at for e in events]
        missed, slots = 0, []
        for part in parts:
            inside = [e for e in events if part.start <= e.at <= part.end]
            if _fixed_times(part.check):
                found = _fixed_slots(part, inside, tz)
                slots += found
                missed += sum(1 for slot in found if slot.missed)
            else:
                missed += _missed(part, [e.at for e in inside])
        last = times[-1] if times else None
        tallies[name] = CheckTally(name, len(times), missed, last, parts[0].start, tuple(slots))
    return tallies


def _owed_stretches(flow: Flow, history: Sequence[Event], now: datetime) -> dict[str, list[_Stretch]]:
    """For each check, the stretches of time it was owed: while the case stood at a step with
    it, and for a check with `when:`, only while that guard held on the case's data as it then
    was (in-person checks are not owed, nor missed, while a camera watches the door)."""
    params = {p.id: p.value for p in flow.params.values()}
    stretches: dict[str, list[_Stretch]] = {}
    open_since: dict[str, tuple[Check, datetime]] = {}
    data: dict[str, Any] = {}
    step: str | None = None

    def close(name: str, at: datetime) -> None:
        check, since = open_since.pop(name)
        stretches.setdefault(name, []).append(_Stretch(check, since, max(at, since)))

    for event in history:
        for name, (_old, new) in event.changes.items():
            data[name] = new
        if event.to_step and event.kind in MOVES:
            for name in list(open_since):
                close(name, event.at)
            step = event.to_step
        found = flow.steps.get(step) if step is not None else None
        for check in found.checks if found is not None else ():
            owed = _owed(check, data, params, event.at)
            if owed and check.name not in open_since:
                open_since[check.name] = (check, event.at)
            elif not owed and check.name in open_since:
                close(check.name, event.at)
    for name in list(open_since):
        close(name, now)
    return stretches


def _owed(check: Check, data: Mapping[str, Any], params: Mapping[str, Any], at: datetime) -> bool:
    """As engine/slots.py: a `when:` that cannot be worked out counts as owed."""
    if check.when is None:
        return True
    try:
        return check.when.holds(data, params, at)
    except Exception:  # a guard that cannot say (GuardRuntimeError): shown, not hidden
        return True


def _missed(stretch: _Stretch, times: list[datetime]) -> int:
    every: timedelta | None = stretch.check.every
    if not every:
        return 0
    return _missed_every(stretch, times, every)


def _missed_every(stretch: _Stretch, times: Iterable[datetime], every: timedelta) -> int:
    """Each `every` that went by with no reading: a reading settles what was owed and restarts."""
    missed, previous = 0, stretch.start
    for moment in times:
        owed = (moment - previous) // every
        missed += max(0, owed - 1)  # the reading itself settles one of them, late
        previous = moment
    return missed + (stretch.end - previous) // every


def _fixed_slots(stretch: _Stretch, readings: list[Event], tz: tzinfo) -> list[Slot]:
    """Each time of day owed inside the stretch: as engine/slots.py says, a slot is owed when
    the case was at the step as its window opened (entering at 08:30 skips that morning), and
    it is filled by a reading inside its window. A slot whose window is still open when the
    stretch ends (now, or the case moved on) is listed unfilled but not missed."""
    window = _window(stretch.check)
    times_of_day = _fixed_times(stretch.check)
    ordered = sorted(readings, key=lambda e: e.at)  # each slot's reading found by bisection
    moments = [e.at for e in ordered]
    slots = []
    day = stretch.start.astimezone(tz).date()
    last_day = stretch.end.astimezone(tz).date()
    while day <= last_day:
        for time_of_day in times_of_day:
            due = datetime.combine(day, time_of_day, tzinfo=tz)
            opens, closes = due - window, due + window
            if closes < stretch.start or opens > stretch.end:
                continue
            first = bisect_left(moments, opens)
            reading = ordered[first] if first < len(moments) and moments[first] <= closes else None
            if opens >= stretch.start or reading is not None:  # not owed, but recorded: shown
                slots.append(Slot(due, reading, reading is None and closes <= stretch.end))
        day += timedelta(days=1)
    return slots


def _fixed_times(check: Check) -> tuple[time, ...]:
    """The check's times of day (`at:`), if the flow format gives checks any."""
    found: Any = getattr(check, "at", None) or ()
    return tuple(_as_time(value) for value in found)


def _as_time(value: Any) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, timedelta):
        return (datetime.min + value).time()
    hours, minutes = str(value).split(":")[:2]
    return time(int(hours), int(minutes))


def _window(check: Check) -> timedelta:
    window: Any = getattr(check, "window", None)
    return window if isinstance(window, timedelta) else DEFAULT_WINDOW


class CaseHistory:
    """The history functions of guards (`missed_checks`, `checks_done`, `hours_since_check`, `visits`),
    answered from one case's events. Built by the Stepper for flows whose guards call them."""

    def __init__(self, flow: Flow, history: Sequence[Event], tz: tzinfo) -> None:
        self.flow = flow
        self.history = history
        self.tz = tz
        self._counted: tuple[datetime, Mapping[str, CheckTally]] | None = None

    def complete(self) -> Sequence[Event]:
        """The history, refused if it does not start at the case's start (it would undercount)."""
        if not self.history or self.history[0].seq != 1:
            raise ValueError("the case's history must be complete to count its checks")
        return self.history

    def tallies(self, now: datetime) -> Mapping[str, CheckTally]:
        if self._counted is None or self._counted[0] != now:
            self._counted = (now, check_tallies(self.flow, self.complete(), now, self.tz))
        return self._counted[1]

    def missed(self, check: str, now: datetime) -> int:
        tally = self.tallies(now).get(check)
        return tally.missed if tally is not None else 0

    def done(self, check: str) -> int:
        return sum(1 for event in self.complete() if event.kind is EventKind.CHECK and event.name == check)

    def visits(self, step: str) -> int:
        return sum(1 for event in self.complete() if event.to_step == step and event.kind in MOVES)

    def children(self, flow: str, state: str, outcome: str | None = None) -> int:
        """Child cases of `flow` this case started (`state` "all", "open" or "ended", `outcome`
        for ended ones): their CHILD events, and the CHILD_ENDED events their ends appended (C11)."""
        history = self.history
        if history and history[0].seq != 1:
            raise ValueError("the case's history must be complete to count its children")
        started = {e.child_id for e in history if e.kind is EventKind.CHILD and e.name == flow}
        # a child's last end counts (a correction played again may end it another way)
        ended = {
            e.child_id: e.name for e in history if e.kind is EventKind.CHILD_ENDED and e.child_id in started
        }
        if state == "open":
            return len(started - ended.keys())
        if state == "ended":
            return sum(1 for name in ended.values() if outcome in (None, name))
        return len(started)

    def hours_since(self, check: str, now: datetime) -> float:
        tally = self.tallies(now).get(check)
        if tally is None:
            return 0.0
        since = tally.last_at or tally.owed_since or now
        return (now - since) / timedelta(hours=1)
