"""Issue 11, defect 6: households.

Each key person opens their own supply case (two co-residents → two supply cases for one
household); release does not close the household's supply case (it keeps raising overdue waste
and contact checks); special groups are checked once, at intake. Safe: one daily-needs case per
household, shared by its key persons (joined by household id), closed when the last of them is
released; whether the household has a special group is asked again at every daily contact.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from sopflow import Engine
from tests.scenarios.helpers import (
    ID_F,
    ID_M,
    LOCAL,
    SUPPLY,
    Cli,
    place_at_home,
    record_readings,
    review_and_release,
    serve_household,
    slot_times,
)

if TYPE_CHECKING:
    from tests.conftest import Clock


def household_supply_cases(engine: Engine, household: str) -> list[str]:
    return [c.id for c in engine.cases(flow_id=SUPPLY) if c.data.get("household_id") == household]


def test_co_residents_share_one_supply_case_closed_when_the_last_is_released(
    engine: Engine, clock: Clock, sopflow_cli: Cli
) -> None:
    place_at_home(engine, "K-0061", id_number=ID_F, name="张三", arrival="2020-01-31")
    slots = sorted(slot_times(date(2020, 2, 1), date(2020, 2, 14)))[1:]  # from 02-01 16:00
    record_readings(engine, clock, "K-0061", [m for m in slots if m < LOCAL(2020, 2, 3, 9)])
    clock.now = LOCAL(2020, 2, 3, 9, 0)  # 张四, a co-resident, arrived on 02-02 and is placed too
    place_at_home(engine, "K-0062", id_number=ID_M, name="张四", arrival="2020-02-02")
    supplies = household_supply_cases(engine, "H-3-2-501")
    assert len(supplies) == 1, f"one household, {len(supplies)} supply cases"
    supply = supplies[0]
    assert sopflow_cli.json("case", "show", supply)["members"] == ["K-0061", "K-0062"]
    serve_household(engine, supply)

    # 张三's 14 days end first; 张四 is still isolated at home.
    for moment in [m for m in slots if m > LOCAL(2020, 2, 3, 9)]:
        record_readings(engine, clock, "K-0061", [moment])
        record_readings(engine, clock, "K-0062", [moment])
        if moment.hour == 16:
            engine.fire(supply, "waste_collection", actor="环卫", role="sanitation")
            engine.fire(supply, "daily_contact", actor="王芳", role="grid_worker", data={"mood_ok": "yes"})
    review_and_release(engine, clock, "K-0061")
    assert engine.case(supply).step == "serving"  # 张四 still needs the household served

    later = [m for m in slot_times(date(2020, 2, 15), date(2020, 2, 16)) if m > clock.now]
    record_readings(engine, clock, "K-0062", later)
    clock.now = LOCAL(2020, 2, 17, 0, 1)
    engine.tick()
    clock.now = LOCAL(2020, 2, 17, 10, 0)
    engine.fire(
        "K-0062",
        "reviewed",
        actor="李医生",
        role="community_doctor",
        data={"temperature": "36.4", "symptoms": "no"},
    )
    engine.fire(
        "K-0062", "test_done", actor="李医生", role="community_doctor", data={"release_test_negative": "yes"}
    )
    engine.fire("K-0062", "release_approved", actor="疾控", role="county_cdc")
    engine.fire("K-0062", "release_done", actor="赵干部", role="liaison_cadre")

    case = engine.case(supply)
    assert case.step == "close_case", "the last member is released; the household's case must close"
    clock.advance(days=3)
    owed = [i for i in engine.due(within=timedelta(0)) if i.case_id == supply]
    assert [i.kind for i in owed] == ["deadline"]  # closing is owed; no waste or contact checks


def test_release_of_the_only_member_leaves_no_supply_checks_running(engine: Engine, clock: Clock) -> None:
    place_at_home(engine, "K-0063")
    supply = household_supply_cases(engine, "H-3-2-501")[0]
    serve_household(engine, supply)
    record_readings(engine, clock, "K-0063", sorted(slot_times(date(2020, 2, 1), date(2020, 2, 14)))[1:])
    review_and_release(engine, clock, "K-0063")
    assert engine.case(supply).step == "close_case", "waste and contact checks go on after release"


def test_a_special_group_found_at_a_daily_contact_gets_special_care(engine: Engine, clock: Clock) -> None:
    place_at_home(engine, "K-0064")
    supply = household_supply_cases(engine, "H-3-2-501")[0]
    serve_household(engine, supply)  # at intake: no special group
    clock.advance(days=1)
    case = engine.fire(
        supply,
        "daily_contact",
        actor="王芳",
        role="grid_worker",
        data={"mood_ok": "yes", "special_group": "yes", "special_group_kind": "child_unattended"},
        note="母亲确诊住院，孩子一人在家",
    )
    assert case.step == "special_care"


def test_distress_and_a_special_group_at_one_contact_lose_neither(engine: Engine, clock: Clock) -> None:
    """Distress goes first (the doctor talks with them); the special group found at the same
    contact is cared for next, not forgotten."""
    place_at_home(engine, "K-0065")
    supply = household_supply_cases(engine, "H-3-2-501")[0]
    serve_household(engine, supply)
    clock.advance(days=1)
    case = engine.fire(
        supply,
        "daily_contact",
        actor="王芳",
        role="grid_worker",
        data={"mood_ok": "no", "special_group": "yes", "special_group_kind": "elderly_alone"},
    )
    assert case.step == "psych_support"
    case = engine.fire(supply, "supported", actor="李医生", role="community_doctor", data={"mood_ok": "yes"})
    assert case.step == "special_care"
    case = engine.fire(
        supply,
        "care_arranged",
        actor="赵干部",
        role="liaison_cadre",
        data={"care_note": "每天电话两次", "special_group_kind": "elderly_alone"},
    )
    assert case.step == "serving"
    clock.advance(days=1)  # cared for now: the next contact does not send it back
    case = engine.fire(supply, "daily_contact", actor="王芳", role="grid_worker", data={"mood_ok": "yes"})
    assert case.step == "serving"
