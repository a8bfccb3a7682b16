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
  window opened while the case stood at the step (the rule `due` follows, engine/slots.py: a
  case back at 08:30 from a fever re-check owes no 08:00 reading again), and, for a check with
  `when:`, while its guard held on the case's data as it stood when the window opened (no
  in-person visits are owed where a camera was fitted); it is missed when its window has closed
  with no reading in it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from sopflow.cases.records import MOVES, Event, EventKind
from sopflow.language.guardeval import GuardRuntimeError
from sopflow.language.model import Check, Flow

DEFAULT_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class CheckTally:
    """One check of a case, as its history shows it up to a moment."""

    name: str
    recorded: int  # readings recorded
    missed: int  # owed and not recorded
    last_at: datetime | None  # the last reading
    owed_since: datetime | None  # when the check was first owed (the step with it entered)


@dataclass(frozen=True)
class _Stretch:
    check: Check
    start: datetime
    end: datetime


def check_tallies(flow: Flow, history: Sequence[Event], now: datetime, tz: tzinfo) -> dict[str, CheckTally]:
    """Each check the case has owed, by name, counted up to `now` (or the case's end)."""
    stretches: dict[str, list[_Stretch]] = {}
    readings: dict[str, list[datetime]] = {}
    step, since = None, None
    owed = _data_over_time(flow, history)
    for event in history:
        if event.kind is EventKind.CHECK:
            readings.setdefault(event.name, []).append(event.at)
        if event.to_step and event.kind in MOVES:
            if step is not None and since is not None:
                _add_stretches(stretches, flow, step, since, event.at)
            step, since = event.to_step, event.at
    if step is not None and since is not None:
        _add_stretches(stretches, flow, step, since, max(now, since))
    tallies = {}
    for name, parts in stretches.items():
        times = sorted(readings.get(name, []))
        missed = sum(
            _missed(part, [t for t in times if part.start <= t <= part.end], tz, owed) for part in parts
        )
        tallies[name] = CheckTally(name, len(times), missed, times[-1] if times else None, parts[0].start)
    return tallies


def _add_stretches(
    stretches: dict[str, list[_Stretch]], flow: Flow, step: str, start: datetime, end: datetime
) -> None:
    found = flow.steps.get(step)
    for check in found.checks if found is not None else ():
        stretches.setdefault(check.name, []).append(_Stretch(check, start, end))


Owed = Callable[[Check, datetime], bool]


def _always(check: Check, moment: datetime) -> bool:
    return True


def _data_over_time(flow: Flow, history: Sequence[Event]) -> Owed:
    """Whether a check's `when:` held on the case's data as it stood at a moment (its fields as
    the events set them); a guard that cannot be worked out counts as holding, as for `due`."""
    if not any(check.when is not None for step in flow.steps.values() for check in step.checks):
        return _always
    moments: list[datetime] = []
    states: list[dict[str, Any]] = []
    data: dict[str, Any] = {}
    for event in history:
        if event.changes:
            data = {**data, **{name: change[1] for name, change in event.changes.items()}}
            moments.append(event.at)
            states.append(data)
    params = {p.id: p.value for p in flow.params.values()}

    def owed(check: Check, moment: datetime) -> bool:
        if check.when is None:
            return True
        index = bisect_right(moments, moment)
        try:
            return check.when.holds(states[index - 1] if index else {}, params, moment)
        except GuardRuntimeError:
            return True

    return owed


def _missed(stretch: _Stretch, times: list[datetime], tz: tzinfo, owed: Owed = _always) -> int:
    slots = _fixed_times(stretch.check)
    if slots:
        return _missed_fixed(stretch, times, slots, _window(stretch.check), tz, owed)
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


def _missed_fixed(  # noqa: PLR0917 - the stretch, its readings, the slots and how they are owed
    stretch: _Stretch,
    times: list[datetime],
    slots: Sequence[time],
    window: timedelta,
    tz: tzinfo,
    owed: Owed = _always,
) -> int:
    """Each time of day whose window closed inside the stretch with no reading in it."""
    missed = 0
    day = stretch.start.astimezone(tz).date()
    last_day = stretch.end.astimezone(tz).date()
    while day <= last_day:
        for slot in slots:
            due = datetime.combine(day, slot, tzinfo=tz)
            opens, closes = due - window, due + window
            if opens < stretch.start or closes > stretch.end or not owed(stretch.check, opens):
                continue  # not owed in this stretch (its window opened before it, or its `when:`
                # did not hold), or still open
            if not any(opens <= t <= closes for t in times):
                missed += 1
        day += timedelta(days=1)
    return missed


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

    def hours_since(self, check: str, now: datetime) -> float:
        tally = self.tallies(now).get(check)
        if tally is None:
            return 0.0
        since = tally.last_at or tally.owed_since or now
        return (now - since) / timedelta(hours=1)
