"""Shared moves of the scenarios: a person placed at home, readings, release, a supply request.

The set-up helpers follow whichever version of a built-in flow the catalog holds (today's, or
the one docs/design/handoffs.md describes): where the two differ only in which fields an action
takes (the basis date is typed today and worked out by the new version), they supply what the
offer asks for. The scenarios' own assertions never adapt.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from click.testing import CliRunner, Result

from sopflow import Case, Engine, Offer
from sopflow.cli import cli

KPC = "key_person_control"
SUPPLY = "home_isolation_supply"
REQUEST = "supply_request"
THREE_CHECK = "three_check"
TZ = ZoneInfo("Asia/Shanghai")
PLACE = "前郭镇/东风社区"

# Synthetic valid ID numbers (domain brief §5.4) and one that fails the check digit.
ID_F = "220721198503120045"
ID_M = "220721198503120010"
ID_M2 = "22072119920101003X"
ID_BAD_CHECKSUM = "110105194912310021"


def LOCAL(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=TZ)  # type: ignore[misc]


def offer(engine: Engine, case_id: str, name: str) -> Offer:
    found = [o for o in engine.offers(case_id) if o.name == name]
    assert found, f"{case_id} offers no {name!r} at {engine.case(case_id).step}"
    return found[0]


def fire_offered(
    engine: Engine, case_id: str, name: str, *, actor: str, role: str, candidates: Mapping[str, Any]
) -> Case:
    """Fire `name` with those of `candidates` that the offer takes (set-up only, never asserted)."""
    taken = offer(engine, case_id, name)
    fields = set(taken.requires) | set(taken.accepts)
    return engine.fire(
        case_id, name, actor=actor, role=role, data={k: v for k, v in candidates.items() if k in fields}
    )


def register_lead(
    engine: Engine,
    case_id: str,
    registration: Mapping[str, str],
    *,
    name: str = "张三",
    lead: tuple[str, str] = ("self_report", "从外省返回"),
    lead_actor: str = "王芳",
    place: str | None = PLACE,
) -> None:
    """A key-person lead logged and registered by the grid worker at the clock's time:
    `registration` is the registered step's data beside the name (address, readings, dates)."""
    engine.start(
        KPC,
        case_id,
        {"full_name": name, "phone": "13812345678"},
        actor="王芳",
        role="grid_worker",
        place=place,
    )
    engine.fire(
        case_id,
        "lead_logged",
        actor=lead_actor,
        role="grid_worker",
        data={"lead_source": lead[0], "lead_note": lead[1]},
    )
    engine.fire(
        case_id, "registered", actor="王芳", role="grid_worker", data={"full_name": name, **registration}
    )


def place_at_home(
    engine: Engine,
    case_id: str,
    *,
    household: str = "H-3-2-501",
    id_number: str = ID_F,
    name: str = "张三",
    category: str = "KP7",
    arrival: str = "2020-01-31",
) -> Case:
    """From a lead to home observation, every entry at the clock's time (no time passes)."""
    registration = {
        "address": "前郭镇东风社区3号楼2单元501",
        "household_id": household,
        "temperature": "36.6",
        "symptoms": "no",
        "id_number": id_number,
        "arrival_date": arrival,
    }
    register_lead(engine, case_id, registration, name=name)
    fire_offered(
        engine,
        case_id,
        "categorized",
        actor="李医生",
        role="community_doctor",
        candidates={"category": category, "basis_date": arrival, "arrival_date": arrival},
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
    case = engine.fire(
        case_id, "team_assigned", actor="乡镇指挥部", role="township_hq", data={"care_team": "赵/王/刘/李"}
    )
    if case.step == "install_camera":  # today: the camera is a gate before home observation
        case = engine.fire(
            case_id,
            "camera_installed",
            actor="刘警官",
            role="community_police",
            data={"camera_id": "CAM-501"},
        )
    elif any(o.name == "monitoring_setup" for o in engine.offers(case_id)):  # the new version
        case = engine.fire(
            case_id,
            "monitoring_setup",
            actor="刘警官",
            role="community_police",
            data={"monitoring_mode": "camera", "camera_id": "CAM-501"},
        )
    return case


def slot_times(first: date, last: date, hours: tuple[int, ...] = (8, 16)) -> Iterator[datetime]:
    """The morning and afternoon reading times (07–09 and 15–17, domain brief KPC-09) of each day."""
    day = first
    while day <= last:
        for hour in hours:
            yield LOCAL(day.year, day.month, day.day, hour)
        day += timedelta(days=1)


def record_readings(
    engine: Engine,
    clock: Any,
    case_id: str,
    moments: Iterator[datetime] | list[datetime],
    temperature: str = "36.5",
) -> None:
    for moment in moments:
        clock.now = moment
        engine.fire(
            case_id,
            "temperature_check",
            actor="张三",
            role="subject",
            data={"temperature": temperature, "symptoms": "否"},
        )


def review_and_release(engine: Engine, clock: Any, case_id: str) -> Case:
    """Day 15 (basis 2020-01-31): the period runs out, the doctor reviews at 10:00, release."""
    clock.now = LOCAL(2020, 2, 15, 0, 1)
    engine.tick()
    assert engine.case(case_id).step == "release_review"
    clock.now = LOCAL(2020, 2, 15, 10, 0)
    case = fire_offered(
        engine,
        case_id,
        "reviewed",
        actor="李医生",
        role="community_doctor",
        candidates={"log_complete": "yes", "temperature": "36.4", "symptoms": "no"},
    )
    if case.step == "release_test":
        case = engine.fire(
            case_id,
            "test_done",
            actor="李医生",
            role="community_doctor",
            data={"release_test_negative": "yes"},
        )
    assert case.step == "release_approve", case.step
    engine.fire(case_id, "release_approved", actor="疾控", role="county_cdc")
    return engine.fire(case_id, "release_done", actor="赵干部", role="liaison_cadre")


def supply_case_of(engine: Engine, case_id: str) -> str:
    """The household's daily-needs case that the person's home placement opened (or joined)."""
    found = [
        c
        for c in engine.cases(flow_id=SUPPLY)
        if c.data.get("household_id") == engine.case(case_id).data["household_id"]
    ]
    assert found, f"no daily-needs case for {case_id}"
    return found[0].id


def serve_household(engine: Engine, supply_id: str) -> Case:
    """Open the household's daily-needs case and deliver the starter pack: it is serving."""
    engine.fire(
        supply_id,
        "case_opened",
        actor="王芳",
        role="grid_worker",
        data={"members_count": "2", "special_group": "no", "payment_method": "transfer"},
    )
    return engine.fire(
        supply_id, "pack_delivered", actor="志愿者", role="volunteer", data={"starter_pack_given": "yes"}
    )


def new_request(engine: Engine, supply_id: str) -> str:
    """A request taken through the household's case: its new child `supply_request` case."""
    case = engine.fire(supply_id, "new_request", actor="王芳", role="grid_worker")
    return case.children[-1]


def sort_request(engine: Engine, request_id: str, request_type: str, **more: str) -> Case:
    data = {"request_type": request_type, "items": more.pop("items", "-"), "urgent": "no", **more}
    return engine.fire(request_id, "sorted", actor="王芳", role="grid_worker", data=data)


def events(case: Case, kind: str) -> list[Any]:
    return [e for e in case.history if e.kind == kind]


class Cli:
    """The `sopflow` command on the scenario's store, at the scenario's clock (SOPFLOW_NOW)."""

    def __init__(self, store_url: str, clock: Any) -> None:
        self.store_url = store_url
        self.clock = clock
        self.runner = CliRunner()

    def __call__(self, *args: str) -> Result:
        now = self.clock.now.astimezone(TZ).strftime("%Y-%m-%d %H:%M:%S")
        env = {"SOPFLOW_LANG": "en", "SOPFLOW_ACTOR": "王芳", "SOPFLOW_NOW": now}
        return self.runner.invoke(cli, ["--db", self.store_url, *args], env=env)

    def json(self, *args: str) -> Any:
        result = self(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.output)
