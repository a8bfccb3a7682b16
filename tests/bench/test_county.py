"""A small simulated county (bench/county.py) run the way the full one runs, on SQLite and
PostgreSQL: the daily report sopflow makes must equal, number by number and town by town, the
counts the simulation kept of what it did."""

from __future__ import annotations

import sys
from pathlib import Path

from sopflow.engine.runtime import Engine
from sopflow.store.store import open_store

BENCH = Path(__file__).parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from county import CUTOFF, Options, compare, compare_missed, simulate  # noqa: E402 - from bench/, put on the path above

SMALL = Options(people=150, key_persons=20, days=5, towns=2)


def test_the_daily_report_equals_the_simulations_counts(store_url: str, tmp_path: Path) -> None:
    options = Options(**{**SMALL.__dict__, "db": store_url, "folder": tmp_path})
    county, report, differences = simulate(options)
    assert differences == []
    totals = dict(zip((c["id"] for c in report["columns"]), report["total"]["values"], strict=True))
    assert totals["home"] > 0
    assert totals["new"] > 0
    assert county.life.tally["people imported"] == 150
    assert county.life.tally["joined a household's supply case"] > 0  # co-residents share one (C4)
    # each person seen at a sweep's visit has a case of their own; those left at a discrepancy
    # (non-local, not registered) are the report's open three-check discrepancies
    assert county.life.tally["three-check M1"] > 0
    assert totals["discrepancies"] == county.life.tally.get("three-check M4", 0)
    assert len(county.world.towns) == len(report["rows"]) == 2
    # The comparison can fail: a case the book has elsewhere than sopflow has it is found.
    case = next(c for c in county.book.cases.values() if c.step == "home_observation")
    now = county.at(SMALL.days - 1, CUTOFF.hour)
    reading = next(r for r in case.readings if r[1] == "temperature_check")
    case.readings.remove(reading)  # a reading the book forgets is one it counts missed
    store = open_store(store_url)  # the simulation closed its own
    try:
        found = compare_missed(Engine(store), county.book, now)
    finally:
        store.close()
    assert found == [f"{case.id} missed temperature_check: sopflow 0, simulation 1"]
    case.move("released", case.last_at)
    found = compare(report, county.book, county.world.towns, now)
    assert any(line.startswith(f"{case.town} home: report") for line in found)
    assert any(line.startswith(f"{case.town} released: report") for line in found)
