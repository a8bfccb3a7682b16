"""A small day in the county for the day's tests: key-person cases at known places and times."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sopflow.engine.runtime import Engine
from tests.conftest import Clock

FLOW = "key_person_control"
TZ = ZoneInfo("Asia/Shanghai")
DOOR_101 = "前郭县/前郭镇/东风社区/第1网格/幸福小区/1号楼/1单元/1层/101"
DOOR_102 = "前郭县/前郭镇/东风社区/第1网格/幸福小区/1号楼/1单元/1层/102"
WEST = "前郭县/前郭镇/西山社区/第1网格/西山小区/1号楼/1单元/1层/101"
HAMLET = "前郭县/平凤乡/新立村/前屯/1号"
TOWNS = ["前郭县/前郭镇", "前郭县/平凤乡", "前郭县/长山镇"]


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=TZ)  # type: ignore[misc]


def home_case(engine: Engine, case_id: str, place: str, basis: str = "2020-01-31") -> None:
    """From a lead to home observation, all at the clock's time."""
    engine.start(
        FLOW,
        case_id,
        {"full_name": "张三丰", "phone": "13812345678"},
        actor="王芳",
        role="grid_worker",
        place=place,
    )
    steps = [
        ("lead_logged", "grid_worker", {"lead_source": "self_report", "lead_note": "从武汉返回"}),
        (
            "registered",
            "grid_worker",
            {
                "full_name": "张三丰",
                "address": "前郭镇东风社区1号楼1单元101",
                "temperature": "36.6",
                "symptoms": "no",
                "arrival_date": basis,  # the basis date is worked out from it
                "household_id": f"H-{case_id}",  # each its own household (one supply case each)
                "id_number": "220721198503120045",
            },
        ),
        ("categorized", "community_doctor", {"category": "KP7"}),
        ("assessed", "community_doctor", {"home_suitable": "yes"}),
        ("placement_decided", "township_hq", {"placement": "home"}),
        ("pledge_signed", "liaison_cadre", {"door_sign": "yellow", "phone": "13812345678"}),
        ("team_assigned", "township_hq", {"care_team": "赵/王"}),
        ("monitoring_setup", "community_police", {"monitoring_mode": "camera", "camera_id": "CAM-1"}),
    ]
    for action, role, data in steps:
        engine.fire(case_id, action, actor="王芳", role=role, data=data)


def a_day(engine: Engine, clock: Clock) -> None:
    """Day 1 (1 Feb): K-1 and K-2 into home isolation in 前郭镇, K-3 a lead in 平凤乡 (not yet
    logged). Day 2 (2 Feb, 09:00): K-4 a new lead in 前郭镇 given without the county's name; K-1's
    morning reading is a fever; K-2 is found out at the door (a violation). Nothing in 长山镇."""
    clock.now = local(2020, 2, 1, 9, 0)
    home_case(engine, "K-1", DOOR_101)
    home_case(engine, "K-2", WEST)
    engine.start(FLOW, "K-3", {}, actor="王芳", role="grid_worker", place=HAMLET)
    clock.now = local(2020, 2, 2, 9, 0)
    engine.start(FLOW, "K-4", {}, actor="王芳", role="grid_worker", place="前郭镇/东风社区")
    engine.fire(
        "K-1",
        "temperature_check",
        actor="张三",
        role="subject",
        data={"temperature": "38.2", "symptoms": "no"},
    )
    engine.fire("K-2", "violation_found", actor="刘警官", role="community_police")
    clock.now = local(2020, 2, 2, 17, 0)
