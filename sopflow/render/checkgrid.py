"""A case's temperature checks as a day × morning/evening grid for its case sheet: one glance
shows each reading and, in red, each check that was owed and not recorded (the brief's twice-
daily 测体温 of people under home observation), instead of a page of history lines.

For a check at fixed times (`at: [08:00, 16:00]`) the grid is drawn from the engine's own count
of the slots owed (engine/check_views.py, as `missed_checks(…)` counts them for the release
review), so the red gaps are exactly the missed checks the sheet's counts show. For an older
flow's interval check it reads the history the sheet already has (local times, as
`case_detail` gives them), a reading before noon being the morning one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TypedDict

from sopflow.engine.check_views import CheckView, SlotView
from sopflow.engine.views import EventView

NOON = 12  # a reading before noon is the morning one (the brief's 07–09 and 15–17 windows)
TIME_FORMAT = "%Y-%m-%d %H:%M"
TEMPERATURE = "temperature"  # the field the grid shows


class GridDay(TypedDict):
    day: str  # 02-05
    morning: str | None  # the reading, e.g. "36.5"
    evening: str | None
    morning_missed: bool  # owed (its time has passed) and not recorded
    evening_missed: bool


def check_grid(
    checks: Sequence[CheckView], history: Sequence[EventView], now: str, *, ended: bool
) -> list[GridDay]:
    """The temperature check's days, morning and evening; empty when the case has no temperature
    check, so other flows' sheets show no grid."""
    temperature = [c for c in checks if c["records"] == TEMPERATURE]
    if any(c["at_times"] for c in temperature):  # no slot owed yet (readings after 17:00 of the
        # first day): no grid, rather than one guessed from the history with a 'missed' no count has
        return _grid_of_slots([s for c in temperature for s in c["slots"]])
    return _grid_of_history(history, now, ended=ended)


def _grid_of_slots(slots: Sequence[SlotView]) -> list[GridDay]:
    """Each day with a slot owed, from the first to the last (today's not yet due are blank)."""
    days: dict[str, GridDay] = {}
    for slot in slots:
        day = days.setdefault(slot["day"], _empty_day(slot["day"]))
        if int(slot["time"][:2]) < NOON:
            day["morning"], day["morning_missed"] = slot["value"], slot["missed"]
        else:
            day["evening"], day["evening_missed"] = slot["value"], slot["missed"]
    return [days[d] for d in sorted(days)]


def _empty_day(day: str) -> GridDay:
    return GridDay(day=day[5:], morning=None, evening=None, morning_missed=False, evening_missed=False)


def _grid_of_history(history: Sequence[EventView], now: str, *, ended: bool) -> list[GridDay]:
    """Days from the first recorded temperature to today (to the last reading if the case has
    ended)."""
    readings: dict[date, dict[str, str]] = {}
    for event in history:
        change = event["changes"].get(TEMPERATURE)
        if event["kind"] != "check" or change is None or not event["at"]:
            continue
        at = datetime.strptime(event["at"], TIME_FORMAT)
        slot = "morning" if at.hour < NOON else "evening"
        readings.setdefault(at.date(), {})[slot] = str(change[1])
    if not readings:
        return []
    today = datetime.strptime(now, TIME_FORMAT)
    last = max(readings) if ended else max(today.date(), *readings)
    days, day = [], min(readings)
    while day <= last:
        got = readings.get(day, {})
        past_evening = day < today.date() or ended
        past_morning = past_evening or today.hour >= NOON
        days.append(
            GridDay(
                day=day.strftime("%m-%d"),
                morning=got.get("morning"),
                evening=got.get("evening"),
                morning_missed="morning" not in got and past_morning,
                evening_missed="evening" not in got and past_evening,
            )
        )
        day += timedelta(days=1)
    return days
