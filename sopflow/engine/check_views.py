"""A case's recorded checks as `case show` and the case sheet show them: for each check it has
owed, the readings recorded and the checks missed, counted from its history (cases/checklog.py)
the same way a flow's rules (`missed_checks(…)`) count them, so what a doctor sees is what the
release review reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import TypedDict

from sopflow.cases.checklog import Slot, check_tallies
from sopflow.cases.inputs import local_text
from sopflow.cases.records import Event
from sopflow.language.model import Check, Flow


class SlotView(TypedDict):
    """One fixed time a check was owed at, as the case sheet's grid shows it."""

    day: str  # local date, 2020-02-05
    time: str  # local time of day, 08:00
    value: str | None  # what the reading recorded (its first field), or "✓" when it holds none
    missed: bool  # its window closed with no reading


class CheckView(TypedDict):
    name: str
    label: str
    records: str | None  # the field the check records first (temperature), if any
    recorded: int  # readings recorded
    missed: int  # owed and not recorded, up to now (or the end of the case)
    last_at: str | None  # the last reading, local time
    at_times: bool  # a check at fixed times (`at: [08:00, 16:00]`), whose slots say what is owed
    slots: list[SlotView]  # a check at fixed times: each time owed (the sheet's grid)


def check_views(
    flow: Flow, history: Sequence[Event], lang: str, tz: tzinfo, now: datetime
) -> list[CheckView]:
    """Each check the case has owed, in the order the flow declares them. `history` must be the
    case's whole history (Engine.case gives it)."""
    if not history or history[0].seq != 1:
        return []
    tallies = check_tallies(flow, history, now, tz)
    checks = {c.name: c for step in flow.steps.values() for c in step.checks}
    return [
        CheckView(
            name=name,
            label=flow.text(check.label, lang) or name,
            records=check.requires[0] if check.requires else None,
            recorded=tally.recorded,
            missed=tally.missed,
            last_at=local_text(tally.last_at, tz) if tally.last_at is not None else None,
            at_times=bool(check.at),
            slots=[_slot_view(slot, check, tz) for slot in tally.slots],
        )
        for name, check in checks.items()
        if (tally := tallies.get(name)) is not None
    ]


def _slot_view(slot: Slot, check: Check, tz: tzinfo) -> SlotView:
    due = slot.due.astimezone(tz)
    value = None
    if slot.reading is not None:
        change = slot.reading.changes.get(check.requires[0]) if check.requires else None
        value = str(change[1]) if change is not None else "✓"
    return SlotView(day=due.date().isoformat(), time=due.strftime("%H:%M"), value=value, missed=slot.missed)
