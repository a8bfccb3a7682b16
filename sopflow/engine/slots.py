"""When a check of the current step is next owed: after an interval, at fixed times of day, or
once; and whether it is owed at all (`when:`).

A check `at: ["08:00", "16:00"]` with `window: 1h` makes two slots a day, 07:00–09:00 and
15:00–17:00, each due at its window's end. A slot is owed if the case was at the step when its
window opened (entering at 23:00 owes the 08:00 slot first, due 09:00; entering at 08:30 skips
that morning). A reading fills the slot whose window it falls in, or the one that closed last
before it (late), so the next slot owed is the first whose window opens after the reading. A
slot not filled stays due, and overdue, until a reading comes.

Everything here reads the case alone (its step, data and last readings), never the clock, so
the due time it gives can be kept in the store and indexed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from sopflow.cases.records import Case
from sopflow.language.guardops import GuardRuntimeError
from sopflow.language.model import Check, Step


def check_due(check: Check, step: Step, case: Case, params: Mapping[str, Any], tz: tzinfo) -> datetime | None:
    """When `check` is next due at the case's step, or None when it is not owed now."""
    if not _owed(check, case, params):
        return None
    last = case.last_checks.get(check.name)
    if check.once:
        return _once_due(check, step, case)
    if check.at:
        if last is not None:
            return next_slot_end(check, last, tz, after=True)
        return next_slot_end(check, _owed_since(check, step, case), tz, after=False)
    if check.every is not None:
        return (last or case.entered_at) + check.every
    return None


def _once_due(check: Check, step: Step, case: Case) -> datetime | None:
    """A one-off task is done once the case holds what it records (so also after the case left
    the step and came back, when its last readings start anew); else due `within` of being owed."""
    done = all(case.data.get(f) is not None for f in check.requires)
    if done and (check.requires or check.name in case.last_checks):
        return None
    return _owed_since(check, step, case) + (check.within or timedelta(0))


def _owed(check: Check, case: Case, params: Mapping[str, Any]) -> bool:
    """Whether the check's `when:` holds; one that cannot be worked out counts as owed (a check
    shown that need not be done is safer than one hidden that must)."""
    if check.when is None:
        return True
    try:
        return check.when.holds(case.data, params, case.entered_at)
    except GuardRuntimeError:
        return True


def _owed_since(check: Check, step: Step, case: Case) -> datetime:
    """Since when the check is owed: from entering the step, or, for a check owed only while its
    guard holds, from the last reading at this step of another check that records what the
    guard reads (a camera that cannot be fitted owes checks in person from when that was said)."""
    since = case.entered_at
    if check.when is None:
        return since
    names = check.when.names
    for other in step.checks:
        recorded = case.last_checks.get(other.name)
        if other is not check and recorded is not None and names & {*other.requires, *other.accepts}:
            since = max(since, recorded)
    return since


def next_slot_end(check: Check, moment: datetime, tz: tzinfo, *, after: bool) -> datetime:
    """The end of the first slot whose window opens after `moment` (at or after it, unless
    `after`): the due time of the next reading owed."""
    local = moment.astimezone(tz)
    day = local.date() - timedelta(days=1)
    for _ in range(4):
        for text in check.at:
            hours, minutes = text.split(":")
            opens = datetime.combine(day, time(int(hours), int(minutes)), tzinfo=tz) - check.window
            if opens > moment or (opens == moment and not after):
                return opens + 2 * check.window
        day += timedelta(days=1)
    raise ValueError(f"check {check.name!r} has no time of day")  # the builder made sure it has
