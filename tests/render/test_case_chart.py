"""A case drawn on its flow's chart: only the ways it went are marked, each once, in order."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sopflow.engine.runtime import Engine
from sopflow.engine.store import open_store
from sopflow.render.chart import build_chart, split_by_group
from sopflow.render.dot import page_dot
from sopflow.render.trace import case_highlight
from tests.conftest import Clock

THREE_CHECK_TO_RENTED = [  # (action, role, data): a rented flat, up to its registration
    ("team_assigned", "community_committee", {"team": "第三组"}),
    ("visited", "grid_worker", {"occupant_count": 2}),
    ("documents_seen", "grid_worker", {"full_name": "李四", "document_type": "id_card"}),
    ("checked", "community_police", {"id_valid": True}),
    ("asked", "grid_worker", {"temperature": 36.5, "symptoms": False, "travel_risk": False}),
    ("matched", "grid_worker", {"match_code": "M7"}),
    ("map_updated", "grid_worker", {"map_colour": "green"}),
]
KEY_PERSON_TO_OBSERVATION = [
    ("lead_logged", "grid_worker", {"lead_source": "self_report", "lead_note": "自武汉返回"}),
    (
        "registered",
        "grid_worker",
        {
            "full_name": "张三",
            "address": "前郭镇东风社区3号楼2单元501",
            "household_id": "H-3-2-501",
            "temperature": 36.6,
            "symptoms": False,
            "id_number": "220721198503120045",
            "arrival_date": "2020-01-31",
        },
    ),
    ("categorized", "community_doctor", {"category": "KP7", "basis_date": "2020-01-31"}),
    ("assessed", "community_doctor", {"home_suitable": True}),
    ("placement_decided", "township_hq", {"placement": "home"}),
    ("pledge_signed", "liaison_cadre", {"door_sign": "yellow", "phone": "13812345678"}),
    ("team_assigned", "township_hq", {"care_team": "赵/王/刘/李"}),
    ("camera_installed", "community_police", {"camera_id": "CAM-501"}),
]


@pytest.fixture
def engine(tmp_path: Path, clock: Clock) -> Iterator[Engine]:
    store = open_store(f"sqlite:///{tmp_path}/cases.db")
    yield Engine(store, clock=clock)
    store.close()


def walk(engine: Engine, clock: Clock, case_id: str, moves: list[tuple[str, str, dict[str, Any]]]) -> None:
    for action, role, data in moves:
        clock.advance(minutes=30)
        engine.fire(case_id, action, actor="王芳", role=role, data=data)


def case_dot(engine: Engine, case_id: str, lang: str = "zh") -> list[str]:
    """The DOT of every page of the case's chart, split as printed (main line, then groups)."""
    case = engine.case(case_id)
    stepper = engine.stepper_for(case)
    highlight = case_highlight(stepper, case, engine.clock(), engine.tz)
    flow = stepper.flow
    pages, subtitles = split_by_group(flow, lang) if flow.groups else ([list(flow.steps)], [""])
    chart = build_chart(flow, lang, pages, subtitles=subtitles)
    return [page_dot(chart, page, highlight=highlight) for page in chart.pages]


def edges_from(dots: list[str], step: str) -> list[str]:
    return [line for dot in dots for line in re.findall(rf"^\t{step} -> .*?\]$", dot, re.M | re.S)]


def test_of_two_ways_between_two_steps_only_the_one_taken_is_marked(engine: Engine, clock: Clock) -> None:
    engine.start(
        "three_check",
        "TC-1",
        {"dwelling_code": "D-3-501", "address": "东风社区3号楼501"},
        actor="王芳",
        role="community_committee",
    )
    walk(engine, clock, "TC-1", [*THREE_CHECK_TO_RENTED, ("overcrowded", "grid_worker", {})])
    ways = edges_from(case_dot(engine, "TC-1"), "landlord_registration")
    marked = [way for way in ways if "penwidth=3" in way]
    assert len(ways) == 3 and len(marked) == 1
    assert "群租\n⑪ 02-01 13:00 王*" in marked[0]  # 7 actions, 3 decisions, then 群租
    [overdue] = [way for way in ways if "逾期未办" in way]
    assert "penwidth" not in overdue and "⑪" not in overdue


def test_an_action_under_two_conditions_is_one_arrow_marked_once(engine: Engine, clock: Clock) -> None:
    engine.start(
        "key_person_control",
        "KP-1",
        {"full_name": "张三", "phone": "13812345678"},
        actor="王芳",
        role="grid_worker",
    )
    walk(engine, clock, "KP-1", KEY_PERSON_TO_OBSERVATION)
    walk(
        engine,
        clock,
        "KP-1",
        [
            ("violation_found", "community_police", {}),
            ("verified", "community_police", {"violation_real": True}),
            ("repledged", "liaison_cadre", {}),
        ],
    )
    dots = case_dot(engine, "KP-1")
    repledged = [way for way in edges_from(dots, "violation_talk") if "已重签承诺" in way]
    assert len(repledged) == 1 and "penwidth=3" in repledged[0]
    marks = re.findall(r"[①-⑳] \d\d-\d\d \d\d:\d\d", "".join(dots))
    assert len(marks) == len(set(marks)) == 16  # every move once: 10 actions, 4 decisions, the child
    assert "系统" in "".join(dots) and "system" not in "".join(dots)  # the software's own moves
