"""A case's place is shown with a dwelling's door masked (…/5层/*, 王家屯/*) in every list that
shows it — the export, `case list/show/history`, `due`, the case sheet — whatever case it is (the
person's own, the household's supply case, a site's case) unless --show-personal; the registry
says which place is a door, a free-text place is one when its last level reads as a door number.
On a real SQLite file and on PostgreSQL."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from sopflow import Engine
from sopflow.engine.discrepancies import discrepancy_rows
from sopflow.engine.verify import Discrepancy
from tests.conftest import Clock
from tests.intake.test_import import PLACES, Run, write_csv
from tests.scenarios.helpers import fire_offered, place_at_home, register_lead

DOOR = "前郭县/前郭镇/东风社区/第3网格/幸福小区/3号楼/2单元/5层/501"
HOUSE = "前郭县/平凤乡/新立村/王家屯/1号"
OLD_HOUSE = "前郭县/平凤乡/新立村/王家屯/老屋"  # a door the registry names in words
BUILDING_7 = "前郭县/前郭镇/东风社区/第3网格/幸福小区/7"  # a building the registry names by a number
HOTEL_ROOM = "集中隔离点/如家酒店/3层/301"  # free text: no registry place
VILLAGE = "前郭县/平凤乡/新立村"
MORE_PLACES = [
    ["前郭县", "平凤乡", "", "新立村", "", "", "王家屯", "", "", "", "老屋"],
    ["前郭县", "前郭镇", "东风社区", "", "第3网格", "幸福小区", "", "7", "1单元", "1层", "101"],
]
MASKED = {
    "QG-0001": DOOR[: -len("501")] + "*",  # moved to the door: the person's case
    "QG-0001.1": DOOR[: -len("501")] + "*",  # the household's supply case, moved with it
    "QG-0002": "前郭县/平凤乡/新立村/王家屯/*",
    "QG-0002.1": "前郭县/平凤乡/新立村/王家屯/*",  # the site's case, from the person's home
    "QG-0003": "前郭县/平凤乡/新立村/王家屯/*",
    "QG-0004": "集中隔离点/如家酒店/3层/*",
    "QG-0005": BUILDING_7,
    "QG-0006": VILLAGE,
}


def start(engine: Engine, case_id: str, place: str) -> None:
    engine.start(
        "key_person_control", case_id, {"full_name": "王五"}, actor="王芳", role="grid_worker", place=place
    )


@pytest.fixture
def county(
    engine: Engine, clock: Clock, sopflow: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Engine:
    assert (
        sopflow("places", "import", str(write_csv(tmp_path / "p.csv", PLACES + MORE_PLACES))).exit_code == 0
    )
    place_at_home(engine, "QG-0001")  # at 前郭镇/东风社区, its supply case opened there
    engine.move("QG-0001", "3号楼/2单元/5层/501", actor="乡镇指挥部", role="township_hq")
    registration = {
        "address": "王家屯1号",
        "household_id": "H-W-1",
        "temperature": "36.5",
        "symptoms": "no",
        "id_number": "22072119920101003X",
        "arrival_date": "2020-01-31",
    }
    register_lead(engine, "QG-0002", registration, name="赵六", place=HOUSE)
    fire_offered(
        engine,
        "QG-0002",
        "categorized",
        actor="李医生",
        role="community_doctor",
        candidates={"category": "KP7", "basis_date": "2020-01-31", "arrival_date": "2020-01-31"},
    )
    engine.fire("QG-0002", "assessed", actor="李医生", role="community_doctor", data={"home_suitable": "yes"})
    decided = {"placement": "centralized"}
    engine.fire("QG-0002", "placement_decided", actor="乡镇", role="township_hq", data=decided)
    engine.fire("QG-0002", "transferred", actor="乡镇", role="township_hq")
    for case_id, place in (("QG-0003", OLD_HOUSE), ("QG-0004", HOTEL_ROOM), ("QG-0005", BUILDING_7)):
        start(engine, case_id, place)
    start(engine, "QG-0006", VILLAGE)
    monkeypatch.setenv("SOPFLOW_NOW", "2020-02-01 12:00")
    return engine


def places_of(rows: list[dict[str, object]], key: str = "id") -> dict[str, object]:
    return {str(row[key]): row["place"] for row in rows}


def test_the_export_masks_every_cases_door(county: Engine, sopflow: Run, tmp_path: Path) -> None:
    out = tmp_path / "台账.csv"
    assert sopflow("export", "-o", str(out), "--lang", "zh").exit_code == 0
    rows = list(csv.reader(out.read_text("utf-8-sig").splitlines()))
    where = rows[0].index("地点")
    assert {row[0]: row[where] for row in rows[1:]} == MASKED
    assert sopflow("export", "-o", str(out), "--show-personal").exit_code == 0
    rows = list(csv.reader(out.read_text("utf-8-sig").splitlines()))
    shown = {row[0]: row[where] for row in rows[1:]}
    assert (shown["QG-0001.1"], shown["QG-0002.1"], shown["QG-0003"]) == (DOOR, HOUSE, OLD_HOUSE)


def test_lists_show_and_history_mask_the_door(county: Engine, sopflow: Run) -> None:
    listed = json.loads(sopflow("case", "list", "--json").output)
    assert places_of(listed) == MASKED
    assert (
        places_of(json.loads(sopflow("case", "list", "--json", "--show-personal").output))["QG-0002.1"]
        == HOUSE
    )
    shown = json.loads(sopflow("case", "show", "QG-0001", "--json").output)
    moved = next(e for e in shown["history"] if e["kind"] == "transfer")
    assert shown["place"] == MASKED["QG-0001"]
    assert moved["why"]["to"] == MASKED["QG-0001"] and moved["why"]["from"] == "前郭镇/东风社区"
    assert moved["summary"].startswith(f"place 前郭镇/东风社区 → {MASKED['QG-0001']}, ")
    history = sopflow("case", "history", "QG-0001").output
    assert MASKED["QG-0001"] in history and "/501" not in history
    assert "/501" in sopflow("case", "history", "QG-0001", "--show-personal").output


def test_due_masks_the_door_unless_asked(county: Engine, sopflow: Run) -> None:
    due = json.loads(sopflow("due", "--json", "--within", "48h").output)
    assert {row["place"] for row in due} <= set(MASKED.values())
    assert MASKED["QG-0002.1"] in {row["place"] for row in due}  # the site's intake is due
    shown = json.loads(sopflow("due", "--json", "--within", "48h", "--show-personal").output)
    assert HOUSE in {row["place"] for row in shown}


def test_the_case_sheet_masks_the_door(county: Engine, sopflow: Run, tmp_path: Path) -> None:
    page = tmp_path / "sheet.html"
    assert sopflow("case", "sheet", "QG-0002.1", "-o", str(page), "--lang", "zh").exit_code == 0
    html = page.read_text("utf-8")
    assert "个人信息已打码" in html and MASKED["QG-0002.1"] in html and "王家屯/1号" not in html
    assert sopflow("case", "sheet", "QG-0002.1", "-o", str(page), "--show-personal").exit_code == 0
    assert "王家屯/1号" in page.read_text("utf-8")


def test_verify_masks_a_differing_place(county: Engine) -> None:
    stepper = county.stepper_for(county.case("QG-0001"))
    found = Discrepancy("QG-0001", "place", DOOR, "前郭镇/东风社区")
    kinds = county.place_kinds([DOOR])
    [row] = discrepancy_rows(stepper, found, county.tz, show_personal=False, kinds=kinds)
    assert (row["stored"], row["replayed"]) == (MASKED["QG-0001"], "前郭镇/东风社区")
    [row] = discrepancy_rows(stepper, found, county.tz, show_personal=True, kinds=kinds)
    assert row["stored"] == DOOR
