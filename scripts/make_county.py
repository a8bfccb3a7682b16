"""Make the sample county of examples/county/: a few towns, villages with hamlets, communities with
compounds, buildings, units, floors and doors (empty ones too), and a few hundred people with
generated Chinese names (Faker zh_CN) and valid resident ID numbers of 前郭县 (220721), as CSV and
XLSX. Deterministic (a fixed seed): running it again writes the same files.

    .venv/bin/python scripts/make_county.py        (Faker is in the dev extras)
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

from faker import Faker
from stdnum.cn import ric

from sopflow.sheets.write import write_rows

OUT = Path(__file__).parent.parent / "examples" / "county"
COUNTY = "前郭县"
TOWNS = {  # town: (communities with their compounds, villages with their hamlets)
    "前郭镇": (
        {"东风社区": ["幸福小区", "园丁小区"], "西山社区": ["西山小区"]},
        {"八郎村": ["王家屯", "李家屯"]},
    ),
    "平凤乡": ({}, {"新立村": ["前屯", "后屯"], "平凤村": ["东屯"]}),
    "长山镇": ({"长山社区": ["化肥厂小区"]}, {"红光村": ["南屯"]}),
}
PLACE_HEADER = ["县", "乡镇", "社区", "村", "网格", "小区", "屯", "楼", "单元", "层", "户"]
PEOPLE_HEADER = ["姓名", "身份证号", "联系电话", "户编号", *PLACE_HEADER[1:]]


def doors(rng: random.Random) -> list[list[str]]:
    rows = []
    for town, (communities, villages) in TOWNS.items():
        for community, compounds in communities.items():
            for grid_number, compound in enumerate(compounds, 1):
                grid = f"第{grid_number}网格"
                for building in range(1, rng.randint(2, 3) + 1):
                    for unit in range(1, 3):
                        for floor in range(1, 4):
                            for door in range(1, 3):
                                rows.append(
                                    [
                                        COUNTY,
                                        town,
                                        community,
                                        "",
                                        grid,
                                        compound,
                                        "",
                                        f"{building}号楼",
                                        f"{unit}单元",
                                        f"{floor}层",
                                        f"{floor}0{door}",
                                    ]
                                )
        for village, hamlets in villages.items():
            for hamlet in hamlets:
                for door in range(1, rng.randint(6, 10) + 1):
                    rows.append([COUNTY, town, "", village, "", "", hamlet, "", "", "", f"{door}号"])
    return rows


def id_number(rng: random.Random, born: date, male: bool) -> str:
    sequence = rng.randrange(0, 500) * 2 + (1 if male else 0)
    body = f"220721{born:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")


def people(rng: random.Random, fake: Faker, places: list[list[str]]) -> list[list[str]]:
    rows = []
    for index, place in enumerate(places):
        if rng.random() < 0.15:
            continue  # an empty door: it stays in the registry with no one living there
        household = f"H{index + 1:04d}"
        for _ in range(rng.choice([1, 2, 2, 3, 3, 4])):
            male = rng.random() < 0.5
            born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 80 * 365))
            name = fake.name_male() if male else fake.name_female()
            phone = fake.phone_number() if born.year < 2010 else ""
            number = id_number(rng, born, male)
            rows.append([name, number, phone, household, *place[1:]])
    return rows


def write(name: str, header: list[str], rows: list[list[str]]) -> None:
    with (OUT / f"{name}.csv").open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows([header, *rows])
    write_rows(OUT / f"{name}.xlsx", header, rows)


def main() -> None:
    rng = random.Random(20200201)
    fake = Faker("zh_CN")
    fake.seed_instance(20200201)
    OUT.mkdir(parents=True, exist_ok=True)
    places = doors(rng)
    write("places", PLACE_HEADER, places)
    write("people", PEOPLE_HEADER, people(rng, fake, places))


if __name__ == "__main__":
    main()
