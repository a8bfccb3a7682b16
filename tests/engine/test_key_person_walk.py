"""Walking real key-person cases: 14 days of twice-daily checks to release, and the fever branch."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sopflow.cases.records import CaseStatus, EventKind
from sopflow.engine.runtime import Engine
from sopflow.errors import CaseError
from tests.conftest import Clock

FLOW = "key_person_control"


def LOCAL(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo("Asia/Shanghai"))  # type: ignore[misc]


def register_home_case(engine: Engine, clock: Clock, case_id: str = "K-0001") -> None:
    """From the lead to home observation, as a grid worker, doctor, township and police would."""
    engine.start(
        FLOW, case_id, {"full_name": "张三", "phone": "13812345678"}, actor="王芳", role="grid_worker"
    )
    engine.fire(
        case_id,
        "lead_logged",
        actor="王芳",
        role="grid_worker",
        data={"lead_source": "self_report", "lead_note": "从武汉返回"},
    )
    clock.advance(hours=2)
    engine.fire(
        case_id,
        "registered",
        actor="王芳",
        role="grid_worker",
        data={
            "full_name": "张三",
            "address": "前郭镇东风社区3号楼2单元501",
            "household_id": "H-3-2-501",
            "temperature": "36.6",
            "symptoms": "no",
            "id_number": "220721198503120045",
            "arrival_date": "2020-01-31",
        },
    )
    clock.advance(hours=1)
    engine.fire(
        case_id,
        "categorized",
        actor="李医生",
        role="community_doctor",
        data={"category": "KP7"},  # the basis date is worked out from the arrival date
    )
    engine.fire(case_id, "assessed", actor="李医生", role="community_doctor", data={"home_suitable": "yes"})
    engine.fire(
        case_id, "placement_decided", actor="乡镇指挥部", role="township_hq", data={"placement": "home"}
    )
    engine.fire(
        case_id,
        "pledge_signed",
        actor="赵干部",
        role="liaison_cadre",
        data={"door_sign": "yellow", "phone": "13812345678"},
    )
    engine.fire(
        case_id, "team_assigned", actor="乡镇指挥部", role="township_hq", data={"care_team": "赵/王/刘/李"}
    )
    engine.fire(
        case_id,
        "monitoring_setup",
        actor="刘警官",
        role="community_police",
        data={"monitoring_mode": "camera", "camera_id": "CAM-501"},
    )


def test_fourteen_days_of_twice_daily_checks_end_in_release(engine: Engine, clock: Clock) -> None:
    register_home_case(engine, clock)
    case = engine.case("K-0001")
    assert case.step == "home_observation"
    assert [c.id for c in engine.cases(parent_id="K-0001")] == list(case.children)
    assert len(case.children) == 1  # the household's supply case started at home placement
    supply = engine.case(case.children[0])
    assert (supply.flow_id, supply.data["household_id"]) == ("home_isolation_supply", "H-3-2-501")

    # Basis date 2020-01-31 (arrival) is day 0: day 14 ends 2020-02-14 24:00 local.
    # Readings at the county's times, 08:00 and 16:00; one morning the reading comes late.
    readings = [LOCAL(2020, 2, 1, 16)] + [LOCAL(2020, 2, d, h) for d in range(2, 15) for h in (8, 16)]
    for moment in readings:
        clock.now = moment
        if moment == LOCAL(2020, 2, 5, 8):
            clock.now = LOCAL(2020, 2, 5, 9)
            late = engine.due(role="subject", within=timedelta(0))
            assert [(i.case_id, i.name, i.overdue) for i in late] == [("K-0001", "temperature_check", True)]
        assert engine.tick() == []
        engine.fire(
            "K-0001",
            "temperature_check",
            actor="张三",
            role="subject",
            data={"temperature": "36.5", "symptoms": "否"},
        )
        assert engine.case("K-0001").step == "home_observation"
        assert [i.name for i in engine.due(role="subject", within=timedelta(0))] == []

    clock.now = LOCAL(2020, 2, 14, 23, 59)
    assert engine.tick() == []
    clock.now = LOCAL(2020, 2, 15, 0, 1)
    assert [c.id for c in engine.tick()] == ["K-0001"]
    case = engine.case("K-0001")
    timer = next(e for e in case.history if e.kind is EventKind.TIMER)
    assert timer.why is not None and timer.why["due"] == "2020-02-14T16:00:00+00:00"  # 02-15 00:00 local
    assert timer.at == LOCAL(2020, 2, 15, 0, 0)  # when the period ended, not when the tick ran
    assert case.step == "release_review"
    readings_taken = [e for e in case.history if e.kind is EventKind.CHECK and e.name == "temperature_check"]
    assert len(readings_taken) == len(readings) == 27

    engine.fire(
        "K-0001",
        "reviewed",
        actor="李医生",
        role="community_doctor",
        data={"temperature": "36.4", "symptoms": "no"},
    )
    case = engine.case("K-0001")
    assert case.step == "release_test"  # KP7, medium-risk: one test before release
    review = next(e for e in case.history if e.kind is EventKind.BRANCH and e.from_step == "review_result")
    assert review.why is not None
    seen = {k: v for tried in review.why["tried"] for k, v in tried["values"].items()}
    assert seen['missed_checks("temperature_check")'] == 0  # the log as recorded, not as declared
    engine.fire(
        "K-0001", "test_done", actor="李医生", role="community_doctor", data={"release_test_negative": "yes"}
    )
    engine.fire("K-0001", "release_approved", actor="疾控", role="county_cdc")
    engine.fire("K-0001", "release_done", actor="赵干部", role="liaison_cadre")
    case = engine.case("K-0001")
    assert case.step == "post_release_followup"  # phone calls on days 7 and 14 after release
    clock.advance(days=7)
    engine.fire("K-0001", "followup_call", actor="李医生", role="community_doctor", data={"symptoms": "no"})
    clock.advance(days=8)
    assert [c.id for c in engine.tick()] == ["K-0001"]
    case = engine.case("K-0001")
    assert (case.status, case.outcome) == (CaseStatus.ENDED, "released")
    assert engine.verify() == []


def test_fever_in_a_check_goes_through_the_clinic_to_hospital(engine: Engine, clock: Clock) -> None:
    register_home_case(engine, clock, "K-0002")
    clock.advance(hours=12)
    case = engine.fire(
        "K-0002",
        "temperature_check",
        actor="张三",
        role="subject",
        data={"temperature": "38.2", "symptoms": "no"},
    )
    assert case.step == "fever_found"
    escalation = case.history[-1]
    assert escalation.kind is EventKind.ESCALATE and escalation.why == {
        "fever_threshold": 37.3,
        "symptoms": False,
        "temperature": 38.2,
    }
    engine.fire("K-0002", "doctor_notified", actor="赵干部", role="liaison_cadre")
    engine.fire(
        "K-0002",
        "rechecked",
        actor="李医生",
        role="community_doctor",
        data={"temperature": "38.4", "symptoms": "yes"},
    )
    case = engine.case("K-0002")
    assert case.step == "fever_report"
    decision = next(e for e in reversed(case.history) if e.kind is EventKind.BRANCH)
    assert decision.why is not None and decision.why["values"]["temperature"] == 38.4
    engine.fire("K-0002", "reported", actor="李医生", role="community_doctor")
    engine.fire("K-0002", "arrived_at_clinic", actor="120", role="ems_120")
    engine.fire(
        "K-0002",
        "result_recorded",
        actor="发热门诊",
        role="fever_clinic",
        data={"clinic_result": "confirmed"},
    )
    engine.fire("K-0002", "reported", actor="定点医院", role="designated_hospital")
    engine.fire("K-0002", "investigation_done", actor="疾控", role="county_cdc")
    case = engine.case("K-0002")
    assert (case.status, case.outcome) == (CaseStatus.ENDED, "hospitalized_confirmed")
    with pytest.raises(CaseError) as refused:
        engine.fire("K-0002", "reported", actor="李医生", role="community_doctor")
    assert "hospitalized_confirmed" in refused.value.message("en")
    assert engine.verify() == []


def test_basis_date_not_registration_starts_the_fourteen_days(engine: Engine, clock: Clock) -> None:
    register_home_case(engine, clock, "K-0003")
    case = engine.case("K-0003")
    assert case.data["basis_date"] == date(2020, 1, 31)
    timers = [i for i in engine.due(within=timedelta(days=30)) if i.kind == "timer"]
    assert [(t.case_id, t.due_at.isoformat()) for t in timers] == [("K-0003", "2020-02-14T16:00:00+00:00")]


def test_a_supply_case_never_opened_can_still_be_closed_at_release(engine: Engine, clock: Clock) -> None:
    """The person may be released, or move away, before anyone opened the household's supply case."""
    register_home_case(engine, clock)
    supply = engine.case("K-0001").children[0]
    assert engine.case(supply).step == "open_case"
    engine.fire(supply, "close_at_release", actor="王芳", role="grid_worker")
    case = engine.fire(supply, "closed", actor="王芳", role="grid_worker")
    assert (case.status, case.outcome) == (CaseStatus.ENDED, "closed_at_release")
