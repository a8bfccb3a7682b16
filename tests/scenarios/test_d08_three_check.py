"""Issue 11, defect 8: the three-check visit.

One person per dwelling visit (occupant_count=4 records one); an empty flat can end
`verified_consistent` (occupant_count=0 + M1), and so can an invalid ID number; an invalid ID
number cannot be recorded as seen (the field refuses it, so M6 loses its evidence); the referral
to key-person control copies only name, address, temperature and symptoms (no ID number, phone,
dwelling, `lead_source=three_check`); the map colour is picked by hand; urban roles only. Safe:
one `occupant_check` case per person seen (the visit waits for all of them); nobody at home goes
to the nobody-home handling; an ID number as seen is kept and checked by the system (M6 when it
fails); the referral starts key-person control with the person's identity, dwelling and source; the
colour is worked out from the results; a village 村→屯→户 variant exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from sopflow import CaseError, Engine, builtin_flows
from tests.scenarios.helpers import ID_BAD_CHECKSUM, ID_M, KPC, THREE_CHECK, fire_offered, offer

if TYPE_CHECKING:
    from tests.conftest import Clock

PLACE = "前郭镇/东风社区/3号楼"
OCCUPANT = "occupant_check"


def visit(engine: Engine, occupants: int, visit_id: str = "V-0001") -> str:
    engine.start(
        THREE_CHECK,
        visit_id,
        {"dwelling_code": "3-2-501", "address": "前郭镇东风社区3号楼2单元501"},
        actor="王芳",
        role="community_committee",
        place=PLACE,
    )
    engine.fire(visit_id, "team_assigned", actor="王芳", role="community_committee", data={"team": "第3组"})
    engine.fire(
        visit_id, "visited", actor="王芳", role="grid_worker", data={"occupant_count": str(occupants)}
    )
    return visit_id


def seen(engine: Engine, visit_id: str, name: str, id_number: str, phone: str = "13900001111") -> None:
    engine.fire(
        visit_id,
        "documents_seen",
        actor="王芳",
        role="grid_worker",
        data={"full_name": name, "document_type": "id_card", "id_number": id_number, "phone": phone},
    )


def person_case(engine: Engine, visit_id: str) -> str:
    """The newest occupant's own case (new three-check), or the visit itself (today's)."""
    children = [c for c in engine.cases(parent_id=visit_id) if c.flow_id == OCCUPANT]
    return children[-1].id if children else visit_id


def check_person(engine: Engine, person: str, *, temperature: str = "36.5", travel_risk: str = "no") -> None:
    fire_offered(
        engine,
        person,
        "checked",
        actor="刘警官",
        role="community_police",
        candidates={"id_valid": "yes", "document_ok": "yes"},
    )
    engine.fire(
        person,
        "asked",
        actor="王芳",
        role="grid_worker",
        data={"temperature": temperature, "symptoms": "no", "travel_risk": travel_risk},
    )


def test_a_visit_records_every_occupant_in_a_case_of_their_own(engine: Engine, clock: Clock) -> None:
    visit(engine, occupants=4)
    people = [
        ("李四", "220721198503120010"),
        ("王芳芳", "220721198503120045"),
        ("李小四", "22072119920101003X"),
        ("李老四", "11010519491231002X"),
    ]
    for name, id_number in people:
        seen(engine, "V-0001", name, id_number)  # today the second person cannot be recorded
    children = [engine.case(c.id) for c in engine.cases(parent_id="V-0001") if c.flow_id == OCCUPANT]
    assert sorted(c.data["full_name"] for c in children) == sorted(name for name, _ in people)
    assert all(c.data["dwelling_code"] == "3-2-501" for c in children)
    assert engine.case("V-0001").step == "await_checks"  # waits until every occupant is checked


def test_a_visit_waiting_on_its_peoples_checks_is_not_overdue(engine: Engine, clock: Clock) -> None:
    """Seeing everyone's documents has a same-day limit; once all are seen the visit only waits
    on each person's own check (with limits of its own): the visit is not overdue for the grid
    worker for days while, say, a residence registration is being made. Someone new turning up
    sends it back to seeing documents, limit and all."""
    visit(engine, occupants=2)
    seen(engine, "V-0001", "李四", "220721198503120010")
    assert engine.case("V-0001").step == "check_documents"
    seen(engine, "V-0001", "王芳芳", "220721198503120045")
    assert engine.case("V-0001").step == "await_checks"
    late = clock.advance(days=3)
    overdue = [i for i in engine.due(late) if i.case_id == "V-0001" and i.overdue]
    assert overdue == []
    assert {i.case_id for i in engine.due(late) if i.overdue} >= {person_case(engine, "V-0001")}
    engine.fire("V-0001", "recount", actor="王芳", role="grid_worker", data={"occupant_count": "3"})
    assert engine.case("V-0001").step == "check_documents"
    assert [i.kind for i in engine.due(clock.advance(days=2)) if i.case_id == "V-0001"] == ["deadline"]


def test_nobody_at_home_cannot_end_verified_consistent(engine: Engine, clock: Clock) -> None:
    visit(engine, occupants=0)
    case = engine.case("V-0001")
    assert case.step == "nobody_home", f"an empty flat went on to {case.step}"
    assert "matched" not in {o.name for o in engine.offers("V-0001")}


def test_an_invalid_id_number_is_kept_as_seen_and_sent_to_the_police(engine: Engine, clock: Clock) -> None:
    visit(engine, occupants=1)
    seen(engine, "V-0001", "无名氏", ID_BAD_CHECKSUM)  # today: refused, the number is lost
    person = engine.case(person_case(engine, "V-0001"))
    assert person.data["id_number"] == ID_BAD_CHECKSUM
    assert person.data["id_valid"] is False  # worked out by the system (GB 11643 check digit)
    engine.fire(person.id, "checked", actor="刘警官", role="community_police", data={"document_ok": "no"})
    engine.fire(
        person.id,
        "asked",
        actor="王芳",
        role="grid_worker",
        data={"temperature": "36.5", "symptoms": "no", "travel_risk": "no"},
    )
    with pytest.raises(CaseError):  # an invalid number is never 'registered here and present'
        engine.fire(person.id, "matched", actor="王芳", role="grid_worker", data={"match_code": "M1"})
    case = engine.fire(person.id, "matched", actor="王芳", role="grid_worker", data={"match_code": "M6"})
    assert case.step == "identity_verify"


def test_the_referral_carries_identity_dwelling_and_source(engine: Engine, clock: Clock) -> None:
    visit(engine, occupants=1)
    seen(engine, "V-0001", "李四", ID_M, phone="13900001111")
    check_person(engine, person_case(engine, "V-0001"), travel_risk="yes")
    referrals = engine.cases(flow_id=KPC)
    assert len(referrals) == 1
    referral = engine.case(referrals[0].id)
    data = referral.data
    missing = [k for k in ("id_number", "phone", "dwelling_code") if k not in data]
    assert not missing, f"the referral lost {missing}"
    assert (data["id_number"], data["phone"], data["dwelling_code"]) == (ID_M, "13900001111", "3-2-501")
    assert data["lead_source"] == "three_check" and referral.place == PLACE
    assert referral.step == "verify_register"  # a travel lead: verified within 24 h


def test_the_map_colour_is_worked_out_from_the_results(engine: Engine, clock: Clock) -> None:
    visit(engine, occupants=1)
    seen(engine, "V-0001", "李四", ID_M)
    person = person_case(engine, "V-0001")
    check_person(engine, person)
    engine.fire(person, "matched", actor="王芳", role="grid_worker", data={"match_code": "M1"})
    assert engine.case("V-0001").step == "record_on_map"
    update = offer(engine, "V-0001", "map_updated")
    assert "map_colour" not in (*update.requires, *update.accepts), "the grid worker picks the colour"
    case = engine.fire("V-0001", "map_updated", actor="王芳", role="grid_worker")
    assert (case.outcome, case.data["map_colour"]) == ("verified_consistent", "green")


def test_a_village_variant_of_the_three_check_exists() -> None:
    flows = builtin_flows()
    assert "three_check_village" in flows
    village = flows["three_check_village"]
    assert {"village_committee", "hamlet_head", "village_doctor"} <= set(village.roles)
    assert {"village", "hamlet", "house_no"} <= set(village.fields)
