"""`sopflow places import`: a places file has a column per level (县, 乡镇, 村 or 社区, 网格, 小区 or
屯, 楼, 单元, 层, 户) and a row per place, usually one per door; every level a row names is made
if the registry lacks it, so one file lists the county down to every door, empty ones too."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy.engine import Connection

from sopflow.intake.columns import Column, column
from sopflow.intake.problems import RowProblem
from sopflow.intake.run import Counts, Line, unreadable
from sopflow.registry.places import LEVELS, PlaceKind, PlaceStep, chain, level_word, place_name
from sopflow.registry.values import RegistryValueError
from sopflow.store.registry import add_place, place_ids

ALIASES: dict[PlaceKind, tuple[str, ...]] = {
    PlaceKind.TOWN: ("乡", "镇", "街道", "乡镇（街道）"),
    PlaceKind.VILLAGE: ("行政村", "村委会"),
    PlaceKind.COMMUNITY: ("居委会",),
    PlaceKind.HAMLET: ("自然屯",),
    PlaceKind.COMPOUND: ("小区名称",),
    PlaceKind.BUILDING: ("楼栋", "楼号", "楼栋号"),
    PlaceKind.UNIT: ("单元号",),
    PlaceKind.FLOOR: ("楼层",),
    PlaceKind.DOOR: ("门牌", "门牌号", "房号", "户号"),
}

Levels = tuple[tuple[str, str, str], ...]  # (path, name, kind) from the top down
LEVEL_IDS = tuple(kind.value for kind in LEVELS)  # the level columns' ids, top down


def level_columns() -> list[Column]:
    return [column(kind.value, *ALIASES.get(kind, ())) for kind in LEVELS]


def levels_of(line: Line, headers: dict[str, str]) -> Levels | RowProblem | None:
    """The places a row names, top down, checked (None if it names none)."""
    values = line.values
    found = _levels(tuple(values.get(column, "").strip() for column in LEVEL_IDS))
    if not isinstance(found, RegistryValueError):
        return found
    named = found.params.get("column") or getattr(found.params.get("kind"), "code", "")
    return RowProblem(line.number, headers.get(str(named).removeprefix("column.")), found.code, found.params)


@lru_cache(maxsize=4096)
def _levels(cells: tuple[str, ...]) -> Levels | RegistryValueError | None:
    """The checked places of a row's level cells. Cached: the people of one door, and the doors
    of one building, name the same places again and again, one after another (a small cache:
    a county's 200,000 doors would hold a few hundred MB)."""
    steps = []
    try:
        for kind, cell in zip(LEVELS, cells, strict=True):
            if cell:
                steps.append(_step(kind, cell))
        if not steps:
            return None
        path = chain(steps)
    except RegistryValueError as error:
        return error
    parts = path.split("/")
    return tuple(("/".join(parts[: i + 1]), step.name, step.kind.value) for i, step in enumerate(steps))


@lru_cache(maxsize=8192)
def _step(kind: PlaceKind, cell: str) -> PlaceStep:
    """One level's checked place. Cached apart from the rows: a new door (a row _levels has not
    seen) is in a town, community, compound, building, unit and floor the rows before named."""
    return PlaceStep(kind, place_name(cell, kind))


class PlacesIntake:
    """Rows of places; a row whose deepest place is new counts as new, else unchanged."""

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}  # column id -> the header as staff wrote it
        self.kinds: dict[str, tuple[str, int]] = {}

    def columns(self) -> Sequence[Column]:
        return level_columns()

    def begin(self, headers: dict[str, str]) -> None:
        self.headers, self.kinds = headers, {}

    def check(self, conn: Connection, lines: Sequence[Line]) -> list[Levels | list[RowProblem]]:
        results: list[Levels | list[RowProblem]] = []
        parsed = [levels_of(line, self.headers) for line in lines]
        paths = {path for levels in parsed if isinstance(levels, tuple) for path, _, _ in levels}
        stored = place_ids(conn, paths)
        for line, levels in zip(lines, parsed, strict=True):
            if spoiled := unreadable(line, self.headers):  # a formula where a name belongs
                results.append(spoiled)
            elif levels is None:
                results.append([RowProblem(line.number, None, "place.no_levels", {})])
            elif isinstance(levels, RowProblem):
                results.append([levels])
            else:
                results.append(self._kinds_agree(line, levels, stored) or levels)
        return results

    def _kinds_agree(
        self, line: Line, levels: Levels, stored: dict[str, tuple[int, str]]
    ) -> list[RowProblem]:
        """A place is one kind: the registry's (or an earlier row's) kind for it must be this row's."""
        for path, _, kind in levels:
            known = stored[path][1] if path in stored else None
            earlier = self.kinds.get(path)
            if known is not None and known != kind:
                return [
                    RowProblem(
                        line.number,
                        self.headers.get(kind),
                        "place.other_kind",
                        {"path": path, "kind": level_word(known)},
                    )
                ]
            if earlier is not None and earlier[0] != kind:
                params = {"path": path, "kind": level_word(earlier[0]), "row": earlier[1]}
                return [RowProblem(line.number, self.headers.get(kind), "place.kind_in_file", params)]
            self.kinds.setdefault(path, (kind, line.number))
        return []

    def committed(self) -> None:
        """Nothing to do once a batch of places is committed (no case changed, no hook to run)."""

    def write(self, conn: Connection, checked: Sequence[Levels]) -> Counts:
        counts = Counts()
        ids = {
            path: found[0]
            for path, found in place_ids(conn, {p for levels in checked for p, _, _ in levels}).items()
        }
        for levels in checked:
            deepest_new = levels[-1][0] not in ids
            parent: int | None = None
            for path, name, kind in levels:
                if path not in ids:
                    ids[path] = add_place(conn, path, name, kind, parent)
                parent = ids[path]
            if deepest_new:
                counts.new += 1
            else:
                counts.unchanged += 1
        return counts
