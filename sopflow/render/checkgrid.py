"""A case's temperature checks as a day × morning/evening grid for its case sheet: one glance
shows each reading and, in red, each check that was owed and not recorded (the brief's twice-
daily 测体温 of people under home observation), instead of a page of history lines.

It reads only the history the sheet already has (local times, as `case_detail` gives them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TypedDict

from sopflow.engine.views import EventView

NOON = 12  # a reading before noon is the morning one (the brief's 07–09 and 15–17 windows)
TIME_FORMAT = "%Y-%m-%d %H:%M"


class GridDay(TypedDict):
    day: str  # 02-05
    morning: str | None  # the reading, e.g. "36.5"
    evening: str | None
    morning_missed: bool  # owed (its time has passed) and not recorded
    evening_missed: bool


def check_grid(history: Sequence[EventView], now: str, *, ended: bool) -> list[GridDay]:
    """Days from the first recorded temperature to today (to the last reading if the case has
    ended); empty when the case has no temperature check, so other flows' sheets show no grid."""
    readings: dict[date, dict[str, str]] = {}
    for event in history:
        change = event["changes"].get("temperature")
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
