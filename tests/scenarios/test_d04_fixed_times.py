"""Issue 11, defect 4: checks are not morning and evening.

Checks are counted from entering the step (enter at 23:00 → due 11:00 and 23:00), and the grid
worker who collects the readings from the WeChat group may not record them (`temperature_check`
roles are `subject, community_doctor`). Safe: checks at fixed local times with a window
(`at: ["08:00", "16:00"]`, `window: 2h`: 07:00–09:00 and 15:00–17:00, domain brief KPC-09), and
the flow lets the grid worker record a reading.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sopflow import Engine
from tests.scenarios.helpers import LOCAL, place_at_home

if TYPE_CHECKING:
    from tests.conftest import Clock


def next_reading(engine: Engine, case_id: str) -> object:
    owed = [
        i
        for i in engine.due(within=timedelta(days=2))
        if i.case_id == case_id and i.name == "temperature_check"
    ]
    assert len(owed) == 1, owed
    return owed[0].due_at


def test_entering_home_observation_at_23_00_owes_the_next_morning_reading(
    engine: Engine, clock: Clock
) -> None:
    clock.now = LOCAL(2020, 2, 1, 23, 0)
    place_at_home(engine, "K-0004")
    assert engine.case("K-0004").step == "home_observation"
    assert next_reading(engine, "K-0004") == LOCAL(2020, 2, 2, 9, 0), "due 11:00, 12 h after entering"

    clock.now = LOCAL(2020, 2, 2, 8, 5)
    engine.fire(
        "K-0004",
        "temperature_check",
        actor="张三",
        role="subject",
        data={"temperature": "36.5", "symptoms": "no"},
    )
    assert next_reading(engine, "K-0004") == LOCAL(2020, 2, 2, 17, 0)  # the afternoon window, not 20:05

    clock.now = LOCAL(2020, 2, 2, 17, 30)
    late = [
        i for i in engine.due(within=timedelta(0)) if i.case_id == "K-0004" and i.name == "temperature_check"
    ]
    assert late and late[0].overdue


def test_the_grid_worker_records_a_reading_collected_from_the_wechat_group(
    engine: Engine, clock: Clock
) -> None:
    place_at_home(engine, "K-0004")
    clock.now = LOCAL(2020, 2, 1, 16, 10)
    case = engine.fire(
        "K-0004",
        "temperature_check",
        actor="王芳",
        role="grid_worker",
        data={"temperature": "36.7", "symptoms": "no"},
        note="微信群 16:02 本人发送",
    )
    assert case.step == "home_observation"
    assert next_reading(engine, "K-0004") == LOCAL(2020, 2, 2, 9, 0)
