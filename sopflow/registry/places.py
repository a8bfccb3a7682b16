"""The place hierarchy: 县 → 乡镇 → 村/社区 → 网格, then 小区 → 楼 → 单元 → 层 → 户 in a town and
村 → 屯 → 户 in a village; which kind may hold which, and a place's path of names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from sopflow.cases.inputs import has_control, tidy
from sopflow.i18n import Phrase
from sopflow.registry.values import RegistryValueError

MAX_PLACE_NAME = 50
MAX_PATH = 400  # the store's column


class PlaceKind(StrEnum):
    """The levels, in the order a row of a places file lists them (左到右, top to bottom)."""

    COUNTY = "county"  # 县
    TOWN = "town"  # 乡镇 (街道)
    VILLAGE = "village"  # 村
    COMMUNITY = "community"  # 社区
    GRID = "grid"  # 网格
    COMPOUND = "compound"  # 小区
    HAMLET = "hamlet"  # 屯
    BUILDING = "building"  # 楼
    UNIT = "unit"  # 单元
    FLOOR = "floor"  # 层
    DOOR = "door"  # 户: one dwelling, listed even when no one lives there


LEVELS = tuple(PlaceKind)
K = PlaceKind
# What each kind may be directly inside. A grid is optional: a compound or a hamlet may sit
# straight in its community or village; a small building may have no units or floors.
INSIDE: dict[PlaceKind, frozenset[PlaceKind]] = {
    K.COUNTY: frozenset(),
    K.TOWN: frozenset({K.COUNTY}),
    K.VILLAGE: frozenset({K.TOWN}),
    K.COMMUNITY: frozenset({K.TOWN}),
    K.GRID: frozenset({K.VILLAGE, K.COMMUNITY}),
    K.COMPOUND: frozenset({K.COMMUNITY, K.GRID}),
    K.HAMLET: frozenset({K.VILLAGE, K.GRID}),
    K.BUILDING: frozenset({K.COMPOUND, K.COMMUNITY, K.GRID}),
    K.UNIT: frozenset({K.BUILDING}),
    K.FLOOR: frozenset({K.UNIT, K.BUILDING}),
    K.DOOR: frozenset({K.FLOOR, K.UNIT, K.BUILDING, K.HAMLET, K.VILLAGE}),
}
DWELLING = K.DOOR


@dataclass(frozen=True)
class PlaceStep:
    """One level of a path: its kind and name."""

    kind: PlaceKind
    name: str


def place_name(raw: str, kind: PlaceKind) -> str:
    """A place's name as written (tidied: full-width to half-width, no spaces at the ends). A '/'
    would split it in two in a path."""
    name = tidy(raw)
    if not name:
        raise RegistryValueError("place.empty_name", kind=level_word(kind))
    if "/" in name or has_control(name) or len(name) > MAX_PLACE_NAME:
        raise RegistryValueError("place.bad_name", name=raw, kind=level_word(kind), limit=MAX_PLACE_NAME)
    return name


def chain(steps: Sequence[PlaceStep]) -> str:
    """The path of a chain of places from the top, checking each is a kind its parent may hold:
    `前郭县/前郭镇/东风社区/第3网格/幸福小区/3号楼/2单元/5层/501`."""
    if not steps:
        raise RegistryValueError("place.no_levels")
    for parent, child in pairwise(steps):
        if parent.kind not in INSIDE[child.kind]:
            raise RegistryValueError(
                "place.not_inside",
                child=child.name,
                child_kind=level_word(child.kind),
                parent_kind=level_word(parent.kind),
                column=child.kind.value,
            )
    path = "/".join(step.name for step in steps)
    if len(path) > MAX_PATH:
        raise RegistryValueError("place.too_long", limit=MAX_PATH)
    return path


def level_word(kind: PlaceKind | str) -> Phrase:
    """县, 乡镇, 户 ... in the language of the message it goes into."""
    return Phrase(f"column.{PlaceKind(kind).value}")


def parent_path(path: str) -> str | None:
    head, _, _ = path.rpartition("/")
    return head or None
