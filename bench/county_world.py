"""The simulated county's places and people (bench/county.py): towns with communities, grids,
compounds, buildings, units, floors and doors; villages with grids, hamlets (屯) and doors; people
in households at the doors, with Faker zh_CN names and valid resident ID numbers (python-stdnum's
rules for 220721, 前郭县). Written as the CSV files staff keep, for `places import` and
`people import`. Deterministic for a seed."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from faker import Faker
from stdnum.cn import ric

COUNTY = "前郭县"
TOWN_NAMES = (
    "前郭镇",
    "长山镇",
    "海渤日戈镇",
    "乌兰图嘎镇",
    "查干花镇",
    "王府站镇",
    "八郎镇",
    "哈拉毛都镇",
    "宝甸乡",
    "平凤乡",
    "达里巴乡",
    "吉拉吐乡",
    "白依拉嘎乡",
    "洪泉乡",
    "东三家子乡",
    "套浩太乡",
    "蒙古艾里乡",
    "额如乡",
    "长龙乡",
    "深井子镇",
    "查干湖镇",
    "红星乡",
)
VILLAGES_PER_COUNTY = 233  # issue 15: 233 villages among 22 towns
PLACE_HEADER = ["县", "乡镇", "社区", "村", "网格", "小区", "屯", "楼", "单元", "层", "户"]
PEOPLE_HEADER = ["姓名", "身份证号", "联系电话", "户编号", *PLACE_HEADER[1:]]
URBAN_SHARE = 0.45  # of the people, in towns' compounds; the rest in villages
EMPTY_SHARE = 0.08  # doors listed with nobody living there
DOORS_PER_BUILDING = 24  # 2 units x 6 floors x 2 doors
BUILDINGS_PER_COMPOUND = 10
HAMLETS_PER_GRID = 3
GRIDS_PER_VILLAGE = 2


@dataclass
class Door:
    """A dwelling: its path in the registry, its town's path (the report's row), its people."""

    path: str
    town: str
    urban: bool
    cells: list[str]  # the places file's row
    household: str = ""
    people: list[Person] = field(default_factory=list)


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    phone: str
    door: Door


@dataclass
class World:
    towns: list[str]  # town paths
    villages: int
    doors: list[Door]
    people: list[Person]


def town_names(count: int) -> list[str]:
    return [TOWN_NAMES[i % len(TOWN_NAMES)] + ("" if i < len(TOWN_NAMES) else str(i)) for i in range(count)]


def urban_door(index: int, towns: list[str]) -> list[str]:
    """The places row of the `index`-th urban door: compounds round-robin over the towns'
    two communities of two grids each."""
    number, building = index % DOORS_PER_BUILDING, index // DOORS_PER_BUILDING
    unit, rest = number // 12 + 1, number % 12
    floor, door = rest // 2 + 1, rest % 2 + 1
    compound, building = building // BUILDINGS_PER_COMPOUND, building % BUILDINGS_PER_COMPOUND + 1
    town = towns[compound % len(towns)]
    community = f"{town[:2]}{(compound // len(towns)) % 2 + 1}社区"
    grid = f"第{(compound // (2 * len(towns))) % 2 + 1}网格"
    return [
        COUNTY,
        town,
        community,
        "",
        grid,
        f"{town[:2]}{compound + 1}号小区",
        "",
        f"{building}号楼",
        f"{unit}单元",
        f"{floor}层",
        f"{floor}0{door}",
    ]


def rural_door(index: int, towns: list[str], villages: int) -> list[str]:
    """The `index`-th rural door: doors dealt round-robin over every hamlet of every village."""
    hamlets = villages * GRIDS_PER_VILLAGE * HAMLETS_PER_GRID
    hamlet, door = index % hamlets, index // hamlets + 1
    village = hamlet // (GRIDS_PER_VILLAGE * HAMLETS_PER_GRID)
    grid = (hamlet // HAMLETS_PER_GRID) % GRIDS_PER_VILLAGE + 1
    town = towns[village % len(towns)]
    return [
        COUNTY,
        town,
        "",
        f"{town[:2]}{village // len(towns) + 1}村",
        f"第{grid}网格",
        "",
        f"{'前后东西南北'[hamlet % HAMLETS_PER_GRID]}屯",
        "",
        "",
        "",
        f"{door}号",
    ]


def make_world(people: int, towns: int, seed: int) -> World:
    """`people` residents in about people/3 doors over `towns` towns and their share of the
    county's 233 villages."""
    rng = random.Random(seed)  # noqa: S311 - made-up people, the same each run
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    names = [fake.name() for _ in range(min(5000, people + 1))]  # Faker per row takes minutes
    phones = [fake.phone_number() for _ in range(min(5000, people + 1))]
    town_list = town_names(towns)
    villages = max(1, round(VILLAGES_PER_COUNTY * towns / len(TOWN_NAMES)))
    world = World([f"{COUNTY}/{t}" for t in town_list], villages, [], [])
    urban_people = round(people * URBAN_SHARE)
    used: set[str] = set()
    for urban, total in ((True, urban_people), (False, people - urban_people)):
        placed = index = 0
        while placed < total:
            cells = urban_door(index, town_list) if urban else rural_door(index, town_list, villages)
            index += 1
            door = Door("/".join(c for c in cells if c), f"{COUNTY}/{cells[1]}", urban, cells)
            world.doors.append(door)
            if rng.random() < EMPTY_SHARE:
                continue
            door.household = f"H{len(world.doors):07d}"
            for _ in range(min(rng.choice((1, 2, 3, 3, 4, 5)), total - placed)):
                person = Person(rng.choice(names), id_number(rng, used), rng.choice(phones), door)
                door.people.append(person)
                world.people.append(person)
                placed += 1
    return world


def id_number(rng: random.Random, used: set[str]) -> str:
    """A new valid resident ID number of 前郭县: birth date, sequence, check character."""
    while True:
        born = date(1935, 1, 1) + timedelta(days=rng.randrange(0, 85 * 365))
        body = f"220721{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
        number = body + ric.calc_check_digit(body + "0")
        if number not in used:
            used.add(number)
            return number


def write_files(world: World, folder: Path) -> tuple[Path, Path]:
    """The places file (a row per door, empty ones too) and the people file."""
    places_file, people_file = folder / "places.csv", folder / "people.csv"
    with places_file.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows([PLACE_HEADER, *(door.cells for door in world.doors)])
    with people_file.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(PEOPLE_HEADER)
        for p in world.people:
            writer.writerow([p.name, p.id_number, p.phone, p.door.household, *p.door.cells[1:]])
    return places_file, people_file


def write_sheet(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows([header, *rows])
    return path
