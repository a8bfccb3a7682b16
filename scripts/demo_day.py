"""A day in the sample county for `make demo`: cases for the people of examples/county, in the store
that `make demo` imported them into (out/county.db), as of 5 Feb 2020 16:30. Deterministic.

- 幸福小区 (东风社区, 第1网格): the three-check visit of every door (most consistent, empty doors
  sealed, one discrepancy open, a few not visited yet), and everyone who came back from a risk
  area in home isolation (assigned to 王芳), day 2 to 11 of 14, their morning checks recorded; one
  of them has a fever today, one was found out at the door; two arrivals are registered, not
  verified.
- The other towns: a few home isolations, a new lead and a release, so the report has numbers
  there too (长山镇's 红光村 stays quiet: a row of zeros).

    .venv/bin/python scripts/demo_day.py out/county.db
"""

from __future__ import annotations

import random
import sys
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from sopflow.engine.runtime import Engine
from sopflow.store.store import open_store
from sopflow.store.tables import people, places

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2020, 2, 5, 16, 30, tzinfo=TZ)
FLOW = "key_person_control"
COMPOUND = "前郭县/前郭镇/东风社区/第1网格/幸福小区"
ID_SEEN = "220721198503120045"  # a synthetic valid number, for a person the register has none for


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return (
        datetime(2020, 2, day, hour, minute, tzinfo=TZ)
        if day > 0
        else datetime(2020, 1, 31 + day, hour, tzinfo=TZ)
    )


def residents(engine: Engine) -> dict[str, list[dict[str, str]]]:
    """Door path -> its people (name, ID number, phone), from the registry."""
    query = (
        sa.select(places.c.path, people.c.name, people.c.id_number, people.c.phone)
        .join(people, people.c.dwelling_id == places.c.id)
        .order_by(places.c.path, people.c.id)
    )
    found: dict[str, list[dict[str, str]]] = {}
    with engine.store.reading() as conn:
        for row in conn.execute(query):
            found.setdefault(row.path, []).append(
                {"name": row.name, "id_number": row.id_number or "", "phone": row.phone or ""}
            )
    return found


def doors(engine: Engine, under: str) -> list[str]:
    with engine.store.reading() as conn:
        query = sa.select(places.c.path).where(places.c.kind == "door", places.c.path.like(under + "/%"))
        return list(conn.execute(query.order_by(places.c.path)).scalars())


def fire(engine: Engine, case_id: str, action: str, role: str, when: datetime, **data: object) -> None:
    engine.fire(
        case_id, action, actor="王芳" if role == "grid_worker" else role, role=role, data=data, at=when
    )


def lead(engine: Engine, case_id: str, door: str, who: dict[str, str], when: datetime) -> None:
    data = {"full_name": who["name"], **({"phone": who["phone"]} if who["phone"] else {})}
    engine.start(FLOW, case_id, data, actor="王芳", role="grid_worker", place=door, at=when)
    fire(
        engine,
        case_id,
        "lead_logged",
        "grid_worker",
        when + timedelta(minutes=5),
        lead_source="three_check",
        lead_note="三对照排查发现",
    )


def home(
    engine: Engine, case_id: str, door: str, who: dict[str, str], arrived: date, worker: str = "王芳"
) -> None:
    """From the lead (the day after arriving) to home observation, checks recorded this morning."""
    start = datetime(arrived.year, arrived.month, arrived.day, 9, 0, tzinfo=TZ) + timedelta(days=1)
    lead(engine, case_id, door, who, start)
    address = door.split("/", 4)[-1].replace("/", "")
    steps = [
        (
            "registered",
            "grid_worker",
            {
                "full_name": who["name"],
                "address": address,
                "household_id": door[-12:],
                "temperature": "36.5",
                "symptoms": "no",
                "id_number": who["id_number"] or "220721198503120045",
                "arrival_date": arrived.isoformat(),
            },
        ),
        ("categorized", "community_doctor", {"category": "KP7"}),  # the basis date is worked out
        ("assessed", "community_doctor", {"home_suitable": "yes"}),
        ("placement_decided", "township_hq", {"placement": "home"}),
        ("pledge_signed", "liaison_cadre", {"door_sign": "yellow", "phone": who["phone"] or "13800000000"}),
        ("team_assigned", "township_hq", {"care_team": "赵干部/王芳/刘警官/李医生"}),
        (
            "monitoring_setup",
            "community_police",
            {"monitoring_mode": "camera", "camera_id": "CAM-" + case_id[-3:]},
        ),
    ]
    for minutes, (action, role, data) in enumerate(steps, 1):
        fire(engine, case_id, action, role, start + timedelta(minutes=20 * minutes), **data)
    engine.assign(case_id, worker, actor="乡镇指挥部", role="township_hq", at=start + timedelta(hours=3))
    # the household's supply case, opened by the flow for its first key person, joined by the next
    [supply] = [c.id for c in engine.cases(flow_id="home_isolation_supply", parent_id=case_id)] or [""]
    if supply:
        fire(
            engine,
            supply,
            "case_opened",
            "grid_worker",
            start + timedelta(hours=3),
            members_count=2,
            special_group="no",
            payment_method="transfer",
        )
        fire(
            engine,
            supply,
            "pack_delivered",
            "volunteer",
            start + timedelta(hours=4),
            starter_pack_given="yes",
        )
    morning = at(5, 8)
    if morning > start + timedelta(hours=4):
        for check, role, data, hour in (  # each at its time of day (presence checks at 10:00)
            ("temperature_check", "subject", {"temperature": "36.4", "symptoms": "no"}, 8),
            ("disinfection_guidance", "community_doctor", {}, 8),
            ("presence_call", "liaison_cadre", {"present": "yes"}, 10),
            ("door_check", "grid_worker", {"present": "yes"}, 10),
        ):
            fire(engine, case_id, check, role, at(5, hour), **data)
        if supply:
            fire(engine, supply, "waste_collection", "volunteer", morning)
            fire(engine, supply, "daily_contact", "grid_worker", morning, mood_ok="yes")


def at_site(engine: Engine, case_id: str, door: str, who: dict[str, str], exposed: date) -> None:
    """A close contact (KP4): never placed at home; taken to the isolation site, whose own case
    (started by the flow at intake) admits and observes the person while this one waits."""
    start = datetime(exposed.year, exposed.month, exposed.day, 9, 0, tzinfo=TZ) + timedelta(days=1)
    lead(engine, case_id, door, who, start)
    registered = {
        "full_name": who["name"],
        "address": door.split("/", 4)[-1].replace("/", ""),
        "household_id": door[-12:],
        "temperature": "36.6",
        "symptoms": "no",
        "id_number": who["id_number"] or "22072119920101003X",
    }
    steps: list[tuple[str, str, dict[str, object]]] = [
        ("registered", "grid_worker", registered),
        ("categorized", "community_doctor", {"category": "KP4", "last_exposure_date": exposed.isoformat()}),
        ("assessed", "community_doctor", {"home_suitable": "yes"}),
        ("placement_decided", "township_hq", {"placement": "centralized"}),
        ("transferred", "township_hq", {}),
    ]
    for minutes, (action, role, data) in enumerate(steps, 1):
        fire(engine, case_id, action, role, start + timedelta(minutes=30 * minutes), **data)
    [site] = [c.id for c in engine.cases(flow_id="centralized_isolation", parent_id=case_id)]
    fire(engine, site, "admitted", "site_info", start + timedelta(hours=4), room_no="203")
    fire(engine, site, "temperature_check", "site_medical", at(5, 8), temperature="36.4", symptoms="no")


def visit(
    engine: Engine, case_id: str, door: str, people: list[dict[str, str]], code: str, when: datetime
) -> None:
    """The three-check visit of a door: each person seen in a case of their own (occupant_check),
    matched M1 (M4 for the first person where `code` is M4: left at residence registration); an
    empty door to the seal notice. The door's colour is worked out from the people's results."""
    address = door.split("/", 4)[-1].replace("/", "")
    data = {"dwelling_code": door.rsplit("/", 4)[-4:][0] + "-" + door[-3:], "address": address}
    engine.start("three_check", case_id, data, actor="社区", role="community_committee", place=door, at=when)
    fire(engine, case_id, "team_assigned", "community_committee", when, team="王芳/刘警官")
    fire(engine, case_id, "visited", "grid_worker", when + timedelta(minutes=10), occupant_count=len(people))
    if not people:
        fire(engine, case_id, "confirmed_empty", "grid_worker", when + timedelta(minutes=40))
        return
    for number, who in enumerate(people, start=1):
        seen = {
            "full_name": who["name"],
            "document_type": "id_card",
            "id_number": who["id_number"] or ID_SEEN,
        }
        fire(engine, case_id, "documents_seen", "grid_worker", when + timedelta(minutes=10 + number), **seen)
    for number, _ in enumerate(people, start=1):
        person, start = f"{case_id}.{number}", when + timedelta(minutes=20 + 10 * number)
        fire(engine, person, "checked", "community_police", start, document_ok="yes")
        asked = {"temperature": "36.5", "symptoms": "no", "travel_risk": "no"}
        fire(engine, person, "asked", "grid_worker", start + timedelta(minutes=3), **asked)
        matched = code if number == 1 else "M1"
        fire(engine, person, "matched", "grid_worker", start + timedelta(minutes=6), match_code=matched)
    if code == "M1":
        fire(engine, case_id, "map_updated", "grid_worker", when + timedelta(minutes=30 + 10 * len(people)))


def compound(engine: Engine, rng: random.Random, living: dict[str, list[dict[str, str]]]) -> None:
    """幸福小区: visits, home isolations, a fever, a violation, two arrivals not yet verified."""
    number = 0
    for index, door in enumerate(doors(engine, COMPOUND)):
        people_here = living.get(door, [])
        if index % 9 == 8:
            continue  # not visited yet
        code = "M8" if not people_here else ("M4" if index == 5 else "M1")
        visit(
            engine,
            f"SD-{index + 1:03d}",
            door,
            people_here,
            code,
            at(1 + index // 10, 9) + timedelta(minutes=index % 10 * 45),  # ten doors a day, 09:00-16:00
        )
        for who in people_here:
            if rng.random() < 0.55:
                number += 1
                home(
                    engine,
                    f"QG-{number:04d}",
                    door,
                    who,
                    date(2020, 1, 24) + timedelta(days=rng.randrange(0, 10)),
                )
    fire(engine, "QG-0003", "temperature_check", "subject", at(5, 14), temperature="38.1", symptoms="no")
    fire(engine, "QG-0005", "violation_found", "grid_worker", at(5, 15))
    arrivals = [d for d in doors(engine, COMPOUND) if living.get(d)][-2:]
    for extra, door in enumerate(arrivals, 1):
        lead(engine, f"QG-{number + extra:04d}", door, living[door][-1], at(5, 10 + extra))
        engine.assign(
            f"QG-{number + extra:04d}", "王芳", actor="乡镇指挥部", role="township_hq", at=at(5, 13)
        )


def elsewhere(engine: Engine, living: dict[str, list[dict[str, str]]]) -> None:
    """A few cases in the other towns and villages."""
    places_with_people = sorted(d for d in living if not d.startswith(COMPOUND))
    picks = {
        "前郭县/前郭镇/八郎村": 3,
        "前郭县/平凤乡/新立村": 2,
        "前郭县/长山镇/长山社区": 2,
        "前郭县/前郭镇/西山社区": 2,
    }
    number = 100
    for prefix, count in picks.items():
        for door in [d for d in places_with_people if d.startswith(prefix)][:count]:
            number += 1
            home(engine, f"QG-{number:04d}", door, living[door][0], date(2020, 1, 30), worker="李娜")
    number += 1
    door = next(d for d in places_with_people if d.startswith("前郭县/平凤乡/平凤村"))
    lead(engine, f"QG-{number:04d}", door, living[door][0], at(5, 9))
    number += 1
    door = [d for d in places_with_people if d.startswith("前郭县/长山镇/长山社区")][-1]
    at_site(engine, f"QG-{number:04d}", door, living[door][0], date(2020, 2, 2))
    door = next(d for d in places_with_people if d.startswith("前郭县/前郭镇/八郎村"))
    data = {"household_id": "H-BL-1", "address": door.split("/", 3)[-1].replace("/", "")}
    engine.start("supply_request", "SR-0001", data, actor="王芳", role="grid_worker", place=door, at=at(4, 9))


def main(path: str) -> None:
    store = open_store(f"sqlite:///{path}")
    engine = Engine(store, clock=lambda: NOW)
    rng = random.Random(20200205)
    living = residents(engine)
    compound(engine, rng, living)
    elsewhere(engine, living)
    with store.reading() as conn:
        count = conn.execute(sa.text("select count(*) from cases")).scalar_one()
    print(f"{count} cases in {path}, as of {NOW:%Y-%m-%d %H:%M}")
    store.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out/county.db")
