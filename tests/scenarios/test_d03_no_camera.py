"""Issue 11, defect 3: no camera, no monitoring.

`install_camera` is a gate with no "cannot install" way out; until it fires no temperature check is
owed and the 14-day timer does not run. Safe: home observation starts at placement; setting up the
camera is a one-off task inside it (due within the camera limit), and "no camera possible" switches
to in-person checks at fixed times.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sopflow import Engine
from tests.scenarios.helpers import KPC, LOCAL, PLACE

if TYPE_CHECKING:
    from tests.conftest import Clock


def placed_without_camera(engine: Engine) -> None:
    """K-0003 placed at home at 09:00 on 2020-02-01; nobody has installed anything."""
    engine.start(
        KPC,
        "K-0003",
        {"full_name": "王五", "phone": "13812345678"},
        actor="王芳",
        role="grid_worker",
        place=PLACE,
    )
    engine.fire(
        "K-0003",
        "lead_logged",
        actor="王芳",
        role="grid_worker",
        data={"lead_source": "checkpoint", "lead_note": "卡口"},
    )
    engine.fire(
        "K-0003",
        "registered",
        actor="王芳",
        role="grid_worker",
        data={
            "full_name": "王五",
            "address": "前郭镇东风社区5号楼1单元101",
            "household_id": "H-5-1-101",
            "temperature": "36.5",
            "symptoms": "no",
            "arrival_date": "2020-01-31",
        },
    )
    offered = {o.name: o for o in engine.offers("K-0003")}
    data = {"category": "KP7", "arrival_date": "2020-01-31"}
    if "basis_date" in offered["categorized"].requires:
        data["basis_date"] = "2020-01-31"
    engine.fire("K-0003", "categorized", actor="李医生", role="community_doctor", data=data)
    engine.fire("K-0003", "assessed", actor="李医生", role="community_doctor", data={"home_suitable": "yes"})
    engine.fire("K-0003", "placement_decided", actor="乡镇", role="township_hq", data={"placement": "home"})
    engine.fire(
        "K-0003",
        "pledge_signed",
        actor="赵干部",
        role="liaison_cadre",
        data={"door_sign": "yellow", "phone": "13812345678"},
    )
    engine.fire(
        "K-0003", "team_assigned", actor="乡镇", role="township_hq", data={"care_team": "赵/王/刘/李"}
    )


def test_monitoring_starts_at_placement_and_goes_on_in_person_without_a_camera(
    engine: Engine, clock: Clock
) -> None:
    placed_without_camera(engine)
    case = engine.case("K-0003")
    assert case.step == "home_observation", "the person waits at install_camera, unmonitored"

    clock.now = LOCAL(2020, 2, 1, 17, 30)  # the afternoon reading (15:00–17:00) was owed
    owed = {(i.kind, i.name) for i in engine.due(within=timedelta(0)) if i.case_id == "K-0003"}
    assert ("check", "temperature_check") in owed
    timers = [i for i in engine.due(within=timedelta(days=30)) if i.case_id == "K-0003" and i.kind == "timer"]
    assert [t.due_at for t in timers] == [LOCAL(2020, 2, 15)]  # 14 days from arrival, camera or not

    # The police cannot put a camera on this door: say so, and go on with checks in person.
    engine.fire(
        "K-0003",
        "monitoring_setup",
        actor="刘警官",
        role="community_police",
        data={"monitoring_mode": "in_person", "no_camera_reason": "楼道无电源，房东不同意"},
    )
    clock.now = LOCAL(2020, 2, 1, 21, 0)
    soon = [i for i in engine.due(within=timedelta(hours=24)) if i.case_id == "K-0003"]
    assert "in_person_check" in {i.name for i in soon}
    assert "monitoring_setup" not in {i.name for i in soon}  # the one-off task is done
    assert engine.case("K-0003").step == "home_observation"


def test_an_unset_camera_is_overdue_work_not_a_silent_gate(engine: Engine, clock: Clock) -> None:
    placed_without_camera(engine)
    assert engine.case("K-0003").step == "home_observation", "the person waits at install_camera"
    clock.advance(hours=25)  # the camera limit (24 h) has passed
    owed = [i for i in engine.due(within=timedelta(0)) if i.case_id == "K-0003"]
    setup = [i for i in owed if i.name == "monitoring_setup"]
    assert setup and setup[0].overdue and "community_police" in setup[0].roles
