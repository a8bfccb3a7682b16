"""A case's recorded checks as `case show` and the case sheet show them: for each check it has
owed, the readings recorded and the checks missed, counted from its history (cases/checklog.py)
the same way a flow's rules (`missed_checks(…)`) count them, so what a doctor sees is what the
release review reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import TypedDict

from sopflow.cases.checklog import check_tallies
from sopflow.cases.inputs import local_text
from sopflow.cases.records import Event
from sopflow.language.model import Flow


class CheckView(TypedDict):
    name: str
    label: str
    recorded: int  # readings recorded
    missed: int  # owed and not recorded, up to now (or the end of the case)
    last_at: str | None  # the last reading, local time


def check_views(
    flow: Flow, history: Sequence[Event], lang: str, tz: tzinfo, now: datetime
) -> list[CheckView]:
    """Each check the case has owed, in the order the flow declares them. `history` must be the
    case's whole history (Engine.case gives it)."""
    if not history or history[0].seq != 1:
        return []
    tallies = check_tallies(flow, history, now, tz)
    labels = {c.name: c.label for step in flow.steps.values() for c in step.checks}
    return [
        CheckView(
            name=name,
            label=flow.text(labels[name], lang) or name,
            recorded=tally.recorded,
            missed=tally.missed,
            last_at=local_text(tally.last_at, tz) if tally.last_at is not None else None,
        )
        for name in labels
        if (tally := tallies.get(name)) is not None
    ]
