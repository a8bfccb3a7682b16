"""`sopflow building chart`: a door's colour follows its people's cases under the county's rules
(settings/building_colours.yaml), counts add up per unit and building, names are masked, a 33-floor
building stays readable on A3, a hamlet is drawn as rows of houses."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sopflow.engine.buildings import Building, BuildingChart, Cell, Floor, Painter, building_chart, legend
from sopflow.engine.runtime import Engine
from sopflow.engine.settings import building_colours
from sopflow.errors import LookupFailed
from sopflow.render.building import building_page, stacked_svg
from tests.day.conftest import Run
from tests.day.county import DOOR_102, home_case, local

DAY = local(2020, 2, 2).date()
COMPOUND = "前郭县/前郭镇/东风社区/第1网格/幸福小区"


def cells(building: Building) -> dict[str, Cell]:
    """unit/floor/door -> its cell."""
    found = {}
    for floor in building["floors"]:
        for unit, line in zip(building["units"], floor["units"], strict=True):
            for cell in line:
                found[f"{unit}/{floor['name']}/{cell['door']}"] = cell
    return found


def test_a_doors_colour_follows_its_peoples_cases(county: Engine) -> None:
    home_case(county, "K-5", DOOR_102, basis="2020-01-28")  # 102: 4 people, one of them at home
    chart = building_chart(county, COMPOUND, DAY, "zh")
    first = chart["buildings"][0]
    assert first["name"] == "1号楼" and first["units"] == ["1单元", "2单元"]
    assert [f["name"] for f in first["floors"]] == ["3层", "2层", "1层"]  # the top floor on top
    doors = cells(first)
    assert doors["1单元/1层/101"] == Cell(door="101", colour="alert", people=2, text="张**")  # K-1's fever
    assert doors["1单元/1层/102"] == Cell(door="102", colour="home", people=4, text="第5/14天")
    assert doors["1单元/2层/201"]["colour"] == "not_visited"  # people, no case
    empty = [key for key, cell in doors.items() if cell["people"] == 0]
    assert empty and all(doors[key]["colour"] == "empty" for key in empty)
    assert sum(first["counts"].values()) == len(doors) == 12
    assert [sum(u.values()) for u in first["unit_counts"]] == [6, 6]
    assert first["counts"]["home"] == 1 and first["counts"]["alert"] == 1


def test_the_colours_are_the_countys_data(county: Engine, tmp_path: Path) -> None:
    """A county that wants home isolation above everything moves its rule to the top."""
    text = Path("sopflow/settings/building_colours.yaml").read_text("utf-8")
    home = text[text.index("  - id: home\n") : text.index("  - id: arrived\n")]
    (tmp_path / "colours.yaml").write_text(
        text.replace(home, "").replace("rules:\n", "rules:\n" + home), "utf-8"
    )
    home_case(county, "K-6", "前郭县/前郭镇/东风社区/第1网格/幸福小区/1号楼/1单元/1层/101")
    chart = building_chart(county, COMPOUND, DAY, "zh", settings=tmp_path / "colours.yaml")
    assert cells(chart["buildings"][0])["1单元/1层/101"]["colour"] == "home"


def test_one_building_a_hamlet_and_mistakes(county: Engine) -> None:
    one = building_chart(county, COMPOUND, DAY, "zh", building="2号楼")
    assert [b["name"] for b in one["buildings"]] == ["2号楼"]
    hamlet = building_chart(county, "前郭县/平凤乡/新立村/前屯", DAY, "zh")
    houses = hamlet["buildings"][0]
    assert houses["hamlet"] and houses["floors"][0]["units"][0][0]["colour"] == "arrived"  # K-3's lead at 1号
    with pytest.raises(LookupFailed):
        building_chart(county, COMPOUND, DAY, "zh", building="9号楼")
    with pytest.raises(LookupFailed):
        building_chart(county, "前郭县/无此地", DAY, "zh")


def tower(floors: int = 33, doors: int = 4, units: int = 2) -> BuildingChart:
    """A building of `floors` floors, `units` units of `doors` doors each, every door at home."""
    cell = Cell(door="3301", colour="home", people=3, text="第13/14天")
    building = Building(
        name="12号楼",
        units=[f"{u}单元" for u in range(1, units + 1)],
        floors=[Floor(name=f"{f}层", units=[[cell] * doors] * units) for f in range(floors, 0, -1)],
        counts={"home": floors * doors * units},
        unit_counts=[{"home": floors * doors}] * units,
        hamlet=False,
    )
    return BuildingChart(
        title="楼体单元立面图",
        compound="幸福小区",
        date="2020-02-05",
        masked=True,
        legend=legend(building_colours(), "zh"),
        buildings=[building],
    )


def test_thirty_three_floors_by_eight_doors_fit_one_a3_page_readably() -> None:
    page = building_page(tower(), tower()["buildings"][0], "zh")
    assert (page.paper, page.width, page.height) == ("A3", 297.0, 420.0)
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', page.svg)]
    assert min(sizes) >= 2.4  # mm: 7 pt, readable on paper
    rects = re.findall(
        r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="#e53935"', page.svg
    )
    assert len(rects) == 33 * 8 + 1 + 2  # the doors, the legend's swatch, one per unit's counts
    bottom = max(float(y) + float(h) for _, y, _, h in rects)
    assert bottom <= 420 - 10  # inside the page's margin
    assert float(rects[1][3]) >= 8.0  # a door is at least 8 mm tall


@pytest.mark.needs_chromium
@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs chromium")
def test_the_pdf_has_an_overview_and_a_page_per_building(
    county: Engine, sopflow: Run, tmp_path: Path
) -> None:
    result = sopflow("building", "chart", "幸福小区", "--date", "2020-02-02", "-o", str(tmp_path / "b.pdf"))
    assert result.exit_code == 0, result.output
    info = subprocess.run(["pdfinfo", str(tmp_path / "b.pdf")], capture_output=True, text=True, check=True)
    assert "Pages:           4" in info.stdout  # 幸福小区 has 3 buildings
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "b.pdf"), "-"], capture_output=True, text=True, check=True
    )
    assert "1号楼" in text.stdout and "张三丰" not in text.stdout


def test_svg_output_and_escaping(sopflow: Run, tmp_path: Path) -> None:
    result = sopflow("building", "chart", "幸福小区", "--building", "1号楼", "-o", str(tmp_path / "b.svg"))
    assert result.exit_code == 0, result.output
    svg = (tmp_path / "b.svg").read_text("utf-8")
    assert svg.startswith("<?xml") and svg.count("#fb8c00") >= 2  # the legend and K-1's door
    chart = tower(floors=2, doors=1, units=1)
    chart["compound"] = "<b>&"
    assert "&lt;b&gt;&amp;" in stacked_svg([building_page(chart, chart["buildings"][0], "zh")])
    unknown = sopflow("building", "chart", "没有的小区", "-o", str(tmp_path / "x.svg"))
    assert unknown.exit_code == 1 and "没有的小区" in unknown.output


def test_a_rule_sharing_a_colour_and_label_is_drawn_and_counted_with_the_first() -> None:
    """An open three-check discrepancy is orange like a fever alert (one legend entry): its door
    must be drawn orange and counted there, not fall out of the legend as white (not visited)."""
    colours = building_colours()
    painter = Painter({}, colours, DAY, "zh", show_personal=False)
    rules = {rule.id: rule for rule in colours.rules}
    assert painter.entry_of(rules["discrepancy"]) == "alert"
    assert {painter.entry_of(rule) for rule in colours.rules} <= {e["id"] for e in legend(colours, "zh")}


def test_a_person_at_the_end_of_period_review_is_still_at_home(county: Engine) -> None:
    """The 14 days over, the review not yet done: the door stays red, not white as unvisited."""
    home_case(county, "K-5", DOOR_102, basis="2020-01-17")
    assert [case.step for case in county.tick()] == ["release_review"]
    doors = cells(building_chart(county, COMPOUND, DAY, "zh")["buildings"][0])
    assert doors["1单元/1层/102"]["colour"] == "home"


def test_a_person_sent_to_an_isolation_site_is_not_drawn_as_unvisited(county: Engine) -> None:
    county.start("key_person_control", "K-6", {}, actor="王芳", role="grid_worker", place=DOOR_102)
    for action, role, data in [
        ("lead_logged", "grid_worker", {"lead_source": "self_report", "lead_note": "从武汉返回"}),
        (
            "registered",
            "grid_worker",
            {
                "full_name": "李四",
                "address": "幸福小区1号楼1单元102",
                "temperature": "36.6",
                "symptoms": "no",
                "household_id": "H-6",
                "arrival_date": "2020-01-31",
            },
        ),
        ("categorized", "community_doctor", {"category": "KP7"}),
        ("assessed", "community_doctor", {"home_suitable": "no"}),
        ("placement_decided", "township_hq", {"placement": "centralized"}),
    ]:
        county.fire("K-6", action, actor="王芳", role=role, data=data)
    assert county.case("K-6").step == "centralized_transfer"
    doors = cells(building_chart(county, COMPOUND, DAY, "zh")["buildings"][0])
    assert doors["1单元/1层/102"]["colour"] == "site"
    assert any(entry["id"] == "site" for entry in legend(building_colours(), "zh"))
