"""Issue 11, defect 7: centralized isolation ends the case.

The 14 days, release and return home of people sent to a site are not tracked; nothing stops a
close contact or an arrival from abroad being placed at home; follow-up symptoms after release
(`post_release_followup`) escalate nothing. Safe: a centralized-isolation site flow (intake from
the transfer sheet, twice-daily readings by site medical staff, tests, release certificate,
point-to-point return, hand-back to the community) runs as a child the key-person case waits for;
close contacts (KP4) and arrivals from abroad (KP9) cannot be placed at home; symptoms at a
follow-up call go to the fever branch.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest

from sopflow import CaseError, CaseStatus, Engine
from tests.scenarios.helpers import (
    LOCAL,
    fire_offered,
    place_at_home,
    record_readings,
    register_lead,
    review_and_release,
    slot_times,
)

if TYPE_CHECKING:
    from tests.conftest import Clock

SITE = "centralized_isolation"


def categorized(
    engine: Engine, case_id: str, category: str, *, exposure: str = "2020-01-30", arrival: str = "2020-01-31"
) -> None:
    registration = {
        "address": "前郭镇东风社区7号楼1单元301",
        "household_id": "H-7-1-301",
        "temperature": "36.5",
        "symptoms": "no",
        "id_number": "22072119920101003X",
        "arrival_date": arrival,
        "last_exposure_date": exposure,
    }
    register_lead(
        engine, case_id, registration, name="赵六", lead=("cdc_list", "密接名单"), lead_actor="疾控"
    )
    fire_offered(
        engine,
        case_id,
        "categorized",
        actor="李医生",
        role="community_doctor",
        candidates={
            "category": category,
            "basis_date": exposure if category == "KP4" else arrival,
            "last_exposure_date": exposure,
            "arrival_date": arrival,
        },
    )
    engine.fire(case_id, "assessed", actor="李医生", role="community_doctor", data={"home_suitable": "yes"})


@pytest.mark.parametrize("category", ["KP4", "KP9"])
def test_close_contacts_and_arrivals_from_abroad_cannot_be_placed_at_home(
    engine: Engine, clock: Clock, category: str
) -> None:
    categorized(engine, "K-0071", category)
    with pytest.raises(CaseError):
        engine.fire(
            "K-0071", "placement_decided", actor="乡镇", role="township_hq", data={"placement": "home"}
        )
    case = engine.fire(
        "K-0071", "placement_decided", actor="乡镇", role="township_hq", data={"placement": "centralized"}
    )
    assert case.step == "centralized_transfer"


def test_a_site_stay_is_tracked_to_release_and_handed_back_to_the_community(
    engine: Engine, clock: Clock
) -> None:
    categorized(engine, "K-0072", "KP4", exposure="2020-01-31")
    engine.fire(
        "K-0072", "placement_decided", actor="乡镇", role="township_hq", data={"placement": "centralized"}
    )
    clock.advance(hours=3)
    case = engine.fire("K-0072", "transferred", actor="乡镇", role="township_hq")
    assert case.status is CaseStatus.ACTIVE, f"the key-person case ended: {case.outcome}"
    assert case.step == "site_stay"
    sites = engine.cases(flow_id=SITE, parent_id="K-0072")
    assert len(sites) == 1
    site = engine.case(sites[0].id)
    assert site.step == "intake"  # started at the intake, with the transfer sheet's data
    assert site.data["id_number"] == "22072119920101003X" and site.place == engine.case("K-0072").place
    assert "basis_date" in site.data

    engine.fire(site.id, "admitted", actor="隔离点", role="site_medical", data={"room_no": "305"})
    # Twice a day by the site's medical staff, at fixed times (07–09 and 15–17).
    clock.now = LOCAL(2020, 2, 1, 17, 30)
    owed = [i for i in engine.due(within=timedelta(0)) if i.case_id == site.id]
    assert [(i.name, i.overdue) for i in owed if i.kind == "check"][:1] == [("temperature_check", True)]
    for moment in sorted(slot_times(date(2020, 2, 2), date(2020, 2, 14))):
        clock.now = moment
        engine.fire(
            site.id,
            "temperature_check",
            actor="隔离点医生",
            role="site_medical",
            data={"temperature": "36.5", "symptoms": "no"},
        )
    clock.now = LOCAL(2020, 2, 15, 0, 1)
    engine.tick()
    clock.now = LOCAL(2020, 2, 15, 9, 0)
    site_case = engine.case(site.id)
    assert site_case.step == "release_review"
    fire_offered(
        engine,
        site.id,
        "reviewed",
        actor="隔离点医生",
        role="site_medical",
        candidates={"temperature": "36.4", "symptoms": "no", "exit_test_negative": "yes"},
    )
    engine.fire(site.id, "certificate_issued", actor="疾控", role="county_cdc")
    engine.fire(site.id, "returned_home", actor="隔离点", role="site_logistics")
    assert engine.case(site.id).outcome == "released_handed_back"

    back = engine.case("K-0072")
    assert back.step == "site_handback"  # the community takes the person back (ledger, follow-up)
    owed = [i for i in engine.due(within=timedelta(days=1)) if i.case_id == "K-0072"]
    assert [i.kind for i in owed] == ["deadline"]


def test_symptoms_at_a_follow_up_call_go_to_the_fever_branch(engine: Engine, clock: Clock) -> None:
    place_at_home(engine, "K-0073")
    record_readings(engine, clock, "K-0073", sorted(slot_times(date(2020, 2, 1), date(2020, 2, 14)))[1:])
    case = review_and_release(engine, clock, "K-0073")
    assert case.step == "post_release_followup"
    clock.advance(days=7)
    case = engine.fire(
        "K-0073", "followup_call", actor="李医生", role="community_doctor", data={"symptoms": "yes"}
    )
    assert case.step == "fever_found", "symptoms after release are only written down"
