"""How fast `sopflow people import` takes a county's people file, and in how much memory.

Generates a places file (doors of compounds and hamlets) and a people file of N rows (Faker
zh_CN names, valid resident ID numbers of 220721 as scripts/make_county.py makes them, phones,
households of 1-4 at a door), imports both into a fresh SQLite store with the real command, each
in its own process, and reports rows/s and peak RSS (from wait4). Beside it, in the same run, a
yardstick: the same rows read with the csv module and inserted with raw sqlite3 executemany, one
transaction per 10,000 rows, into a table of the same columns — what a bare loader does without
checking anything.

    .venv/bin/python bench/bench_import.py --rows 600000
    .venv/bin/python bench/bench_import.py --rows 50000 --json out/import.json
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from faker import Faker
from stdnum.cn import ric

PLACE_HEADER = ["县", "乡镇", "社区", "网格", "小区", "楼", "单元", "层", "户"]
PEOPLE_HEADER = ["姓名", "身份证号", "联系电话", "户编号", *PLACE_HEADER[1:]]
PER_DOOR = 3
YARDSTICK_BATCH = 10_000


def doors(count: int) -> list[list[str]]:
    """`count` doors: 6 per floor, 6 floors, 2 units per building, 40 buildings per compound."""
    rows = []
    for index in range(count):
        door, rest = index % 6, index // 6
        floor, rest = rest % 6, rest // 6
        unit, rest = rest % 2, rest // 2
        building, compound = rest % 40, rest // 40
        town = f"第{compound // 50 + 1}镇"
        rows.append(
            [
                "前郭县",
                town,
                f"{town}第{compound // 10 + 1}社区",
                "第1网格",
                f"小区{compound + 1}",
                f"{building + 1}号楼",
                f"{unit + 1}单元",
                f"{floor + 1}层",
                f"{floor + 1}0{door + 1}",
            ]
        )
    return rows


def write_files(folder: Path, rows: int, seed: int = 20200201) -> tuple[Path, Path]:
    rng = random.Random(seed)  # noqa: S311 - made-up people, the same each run
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    names = [fake.name() for _ in range(5000)]  # Faker per row would take minutes by itself
    phones = [fake.phone_number() for _ in range(5000)]
    places = doors(rows // PER_DOOR + 1)
    places_file, people_file = folder / "places.csv", folder / "people.csv"
    with places_file.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows([PLACE_HEADER, *places])
    used: set[str] = set()
    with people_file.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(PEOPLE_HEADER)
        for index in range(rows):
            while True:
                born = date(1930, 1, 1) + timedelta(days=rng.randrange(0, 90 * 365))
                body = f"220721{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
                number = body + ric.calc_check_digit(body + "0")
                if number not in used:
                    used.add(number)
                    break
            door = index // PER_DOOR
            writer.writerow(
                [rng.choice(names), number, rng.choice(phones), f"H{door + 1:07d}", *places[door][1:]]
            )
    return places_file, people_file


def run_measured(args: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """Run a process; its wall time, its CPU time (user + system: what a shared, busy machine
    does not inflate), its peak RSS in MiB and its output."""
    start = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603
    output = process.stdout.read().decode() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{output}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, output.strip()


def yardstick(people_file: str, db: str) -> None:
    """The floor: csv rows into sqlite3 with executemany, a transaction per 10,000 rows."""
    conn = sqlite3.connect(db)
    conn.execute(
        "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, id_number TEXT UNIQUE,"
        " phone TEXT, household TEXT, dwelling TEXT)"
    )
    with open(people_file, encoding="utf-8", newline="") as file:
        reader = csv.reader(file)
        next(reader)
        batch: list[tuple[str, ...]] = []
        for row in reader:
            batch.append((row[0], row[1], row[2], row[3], "/".join(row[4:])))
            if len(batch) == YARDSTICK_BATCH:
                with conn:
                    conn.executemany(
                        "INSERT INTO people (name, id_number, phone, household, dwelling) VALUES (?,?,?,?,?)",
                        batch,
                    )
                batch = []
        with conn:
            conn.executemany(
                "INSERT INTO people (name, id_number, phone, household, dwelling) VALUES (?,?,?,?,?)", batch
            )
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=600_000)
    parser.add_argument("--dir", type=Path, default=None, help="keep the files and stores here")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--no-again", action="store_true", help="skip importing the people file twice")
    options = parser.parse_args()
    folder = options.dir or Path(tempfile.mkdtemp(prefix="sopflow-import-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    places_file, people_file = write_files(folder, options.rows)
    made = time.perf_counter() - started
    store = folder / "county.db"
    store.unlink(missing_ok=True)
    env = {**os.environ, "SOPFLOW_DB": f"sqlite:///{store}", "SOPFLOW_LANG": "en"}
    python = sys.executable
    figures: dict[str, object] = {"rows": options.rows, "files_made_s": round(made, 1)}
    doors_count = options.rows // PER_DOOR + 1
    measured = run_measured([python, "-m", "sopflow", "places", "import", str(places_file)], env)
    figures["places"] = _figures(doors_count, *measured)
    measured = run_measured([python, "-m", "sopflow", "people", "import", str(people_file)], env)
    figures["people"] = _figures(options.rows, *measured)
    if not options.no_again:  # the same file again: every row checked, nothing written
        measured = run_measured([python, "-m", "sopflow", "people", "import", str(people_file)], env)
        figures["people_again"] = _figures(options.rows, *measured)
    floor_db = folder / "yardstick.db"
    floor_db.unlink(missing_ok=True)
    code = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import bench_import as b; "
        f"b.yardstick({str(people_file)!r}, {str(floor_db)!r})"
    )
    figures["yardstick"] = _figures(options.rows, *run_measured([python, "-c", code], env))
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    if options.json:
        options.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2))


def _figures(rows: int, wall: float, cpu: float, rss: int, output: str) -> dict[str, object]:
    return {
        "rows": rows,
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "rows_per_wall_s": round(rows / wall),
        "rows_per_cpu_s": round(rows / cpu),
        "peak_rss_mib": rss,
        **({"output": output} if output else {}),
    }


if __name__ == "__main__":
    main()
