"""Building elevation charts (楼体单元立面图) as plain data: for each building of a compound, its
floors (top floor first) by its doors grouped by unit, each door coloured by the cases of the
people living there under the county's colour rules (building_colours.yaml); counts per colour
and per unit; a hamlet (屯) as rows of houses. Names masked unless asked for."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypedDict

from sopflow.cases.privacy import mask_text
from sopflow.engine.runtime import Engine
from sopflow.engine.settings import ColourRule, Colours, building_colours, in_language
from sopflow.engine.worklist import day_of_period
from sopflow.errors import LookupFailed
from sopflow.i18n import say
from sopflow.store.buildings import Door, DoorCase, cases_under, doors_under, place_kind

EMPTY, NOT_VISITED = "empty", "not_visited"


class Cell(TypedDict):
    door: str  # the door's number (101)
    colour: str  # a rule's id, "empty" or "not_visited"
    people: int
    text: str  # 第5/14天, a masked name


class Floor(TypedDict):
    name: str
    units: list[list[Cell]]  # the floor's doors, unit by unit (the same units on every floor)


class Building(TypedDict):
    name: str
    units: list[str]
    floors: list[Floor]  # top floor first
    counts: dict[str, int]  # colour id -> doors
    unit_counts: list[dict[str, int]]  # per unit: colour id -> doors
    hamlet: bool  # a hamlet: houses in rows, not floors


class LegendEntry(TypedDict):
    id: str
    colour: str
    label: str


class BuildingChart(TypedDict):
    title: str
    compound: str
    date: str
    masked: bool
    legend: list[LegendEntry]
    buildings: list[Building]


def building_chart(
    engine: Engine,
    compound: str,
    day: date,
    lang: str,
    *,
    building: str | None = None,
    settings: Path | None = None,
    show_personal: bool = False,
) -> BuildingChart:
    """The chart of `compound` (a registry path: a compound, a building or a hamlet) on `day`."""
    colours = building_colours(settings)
    with engine.store.reading() as conn:
        kind = place_kind(conn, compound)
        doors = doors_under(conn, compound)
        found = cases_under(conn, compound)
    if not doors:
        raise LookupFailed("building.no_doors", place=compound)
    by_door: dict[str, list[DoorCase]] = {}
    for case in found:
        by_door.setdefault(case.place, []).append(case)
    hamlet = kind == "hamlet"
    groups = _buildings(compound, doors, hamlet=hamlet)
    if building is not None:
        wanted = {
            name: rows for name, rows in groups.items() if name == building or name.startswith(building)
        }
        if not wanted:
            raise LookupFailed("building.unknown", building=building, buildings="、".join(groups))
        groups = wanted
    painter = Painter(by_door, colours, day, lang, show_personal)
    buildings = [_building(name, rows, painter, hamlet=hamlet) for name, rows in groups.items()]
    return BuildingChart(
        title=say("building.title", lang),
        compound=compound.rpartition("/")[2],
        date=day.isoformat(),
        masked=not show_personal,
        legend=legend(colours, lang),
        buildings=buildings,
    )


def legend(colours: Colours, lang: str) -> list[LegendEntry]:
    """One entry per colour (rules sharing a colour and label share an entry), then empty and
    not visited."""
    entries: list[LegendEntry] = []
    seen: set[tuple[str, str]] = set()
    for rule in colours.rules:
        label = in_language(rule.label, lang)
        if (rule.colour, label) not in seen:
            seen.add((rule.colour, label))
            entries.append(LegendEntry(id=rule.id, colour=rule.colour, label=label))
    for name, (colour, words) in ((EMPTY, colours.empty), (NOT_VISITED, colours.not_visited)):
        entries.append(LegendEntry(id=name, colour=colour, label=in_language(words, lang)))
    return entries


def _number(name: str) -> tuple[int, str]:
    """Sort key: the first number in a name (2号楼 before 10号楼), then the name."""
    found = re.search(r"\d+", name)
    return (int(found.group()) if found else 0, name)


Row = tuple[str, str, str, Door]  # (unit, floor, door number, door)


def _buildings(compound: str, doors: Sequence[Door], *, hamlet: bool) -> dict[str, list[Row]]:
    """Doors grouped by building, each as (unit, floor, door). A door straight in a building has
    no unit (""); a hamlet's houses are one "building" whose rows are 10 houses each."""
    groups: dict[str, list[Row]] = {}
    for index, door in enumerate(doors):
        parts = door.path[len(compound) + 1 :].split("/")
        if hamlet:
            groups.setdefault(compound.rpartition("/")[2], []).append(("", str(index // 10), parts[-1], door))
            continue
        if len(parts) == 1:  # compound given as a building path
            parts = [compound.rpartition("/")[2], *parts]
        name, *middle, number = parts
        unit = middle[0] if len(middle) == 2 else ""
        floor = middle[-1] if middle else ""
        groups.setdefault(name, []).append((unit, floor, number, door))
    return dict(sorted(groups.items(), key=lambda item: _number(item[0])))


@dataclass(frozen=True)
class Painter:
    """What colours a door: its cases, the rules, the day (for 第x天) and the reader's wishes."""

    by_door: dict[str, list[DoorCase]]
    colours: Colours
    day: date
    lang: str
    show_personal: bool

    def entry_of(self, rule: ColourRule) -> str:
        """The legend entry a rule's doors are drawn and counted under: the first rule with the
        same colour and label (an open discrepancy is orange like a fever alert, and counted
        with it), never a colour the legend does not have."""
        label = in_language(rule.label, self.lang)
        return next(
            r.id
            for r in self.colours.rules
            if (r.colour, in_language(r.label, self.lang)) == (rule.colour, label)
        )

    def cell(self, number: str, door: Door) -> Cell:
        """The door's colour: the first rule any of its cases meets; else empty (no one lives
        there) or not visited."""
        cases = self.by_door.get(door.path, [])
        for rule in self.colours.rules:
            for case in cases:
                if _meets(rule, case):
                    text = _text(rule, case, self.day, self.lang, show_personal=self.show_personal)
                    return Cell(door=number, colour=self.entry_of(rule), people=door.people, text=text)
        colour = EMPTY if door.people == 0 else NOT_VISITED
        return Cell(door=number, colour=colour, people=door.people, text="")


def _building(name: str, rows: list[Row], painter: Painter, *, hamlet: bool) -> Building:
    units = sorted({unit for unit, _, _, _ in rows}, key=_number)
    floors = sorted({floor for _, floor, _, _ in rows}, key=_number, reverse=not hamlet)
    counts: Counter[str] = Counter()
    unit_counts = [Counter[str]() for _ in units]
    grid: list[Floor] = []
    for floor in floors:
        cells: list[list[Cell]] = []
        for unit_index, unit in enumerate(units):
            here = sorted((r for r in rows if r[0] == unit and r[1] == floor), key=lambda r: _number(r[2]))
            line = [painter.cell(number, door) for _, _, number, door in here]
            for cell in line:
                counts[cell["colour"]] += 1
                unit_counts[unit_index][cell["colour"]] += 1
            cells.append(line)
        grid.append(Floor(name="" if hamlet else floor, units=cells))
    return Building(
        name=name,
        units=units,
        floors=grid,
        counts=dict(counts),
        unit_counts=[dict(c) for c in unit_counts],
        hamlet=hamlet,
    )


def _meets(rule: ColourRule, case: DoorCase) -> bool:
    if case.flow_id != rule.flow or case.step not in rule.steps:
        return False
    return case.status == "active" or (rule.ended and case.status == "ended")


def _text(rule: ColourRule, case: DoorCase, day: date, lang: str, *, show_personal: bool) -> str:
    if rule.day_of is not None:
        shown = day_of_period(case.data.get(rule.day_of), day, lang, rule.days)
        if shown:
            return shown
    name = str(case.data.get("full_name") or "")
    if not name or not rule.show_name:
        return ""
    return name if show_personal else mask_text(name)
