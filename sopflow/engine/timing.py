"""The timers of a step, for the Stepper: when one runs out for a case, and the move it makes.

A period counted from a date field starts where `moment` says (day 0 or day 1: the county's
rule), so that 14 days from an arrival run out at the same minute wherever they are counted."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from sopflow.cases.records import Case, EventKind, Fold
from sopflow.engine.changes import Draft, Result
from sopflow.language.model import Flow, Timer


class StepTimers:
    """Timers of one flow version; mixed into the Stepper, which provides these attributes."""

    flow: Flow
    tz: tzinfo
    day_zero: bool
    fold: Fold

    if TYPE_CHECKING:

        def _settle(self, draft: Draft, at: datetime) -> None: ...

    # -- timers -----------------------------------------------------------------------------------

    def timer_due(self, case: Case, timer: Timer) -> datetime | None:
        """When `timer` runs out for this case (None if its date field is not filled in yet)."""
        if timer.from_field is None:
            return case.entered_at + timer.after
        value = case.data.get(timer.from_field)
        if value is None:
            return None
        return self.moment(value) + timer.after

    def moment(self, value: date | datetime) -> datetime:
        """Where a period counted from a date starts. By default the date is day 0 and day 1 starts
        at the next local midnight, so 14d from 2020-01-31 runs out at 2020-02-15 00:00: the end
        of day 14. With `day_zero=False` the date itself is day 1 (one day earlier)."""
        if isinstance(value, datetime):
            return value.astimezone(UTC)
        start = datetime.combine(value, time(0), tzinfo=self.tz)
        return (start + timedelta(days=1) if self.day_zero else start).astimezone(UTC)

    def run_timers(self, case: Case, now: datetime) -> Result | None:
        """Fire the first timer of the current step that has run out by `now`, if any."""
        if not case.active:
            return None
        step = self.flow.steps[case.step]
        due = [
            (when, t) for t in step.timers if (when := self.timer_due(case, t)) is not None and when <= now
        ]
        if not due:
            return None
        when, timer = min(due, key=lambda pair: pair[0])
        # The timer ran out when it was due, not when a tick noticed: what follows (the review's
        # deadline) counts from then. Never before the case's last entry, to keep time order.
        at = max(when, case.updated_at)
        draft = Draft(self.fold, case)
        why = {"due": when.isoformat(), "after": str(timer.after), "from": timer.from_field or "entered"}
        draft.add_system(at, EventKind.TIMER, timer.name, case.step, timer.to, why=why)
        self._settle(draft, at)
        return draft.result()
