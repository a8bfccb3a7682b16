"""Issue 11, defect 9: paper forms entered late.

An entry dated before the case's last entry is refused (the 09:00 sanitation entry typed after the
10:00 grid-worker entry), so staff must type in time order. Safe: a check recorded late is accepted
in its time order when it does not change what followed; when it would have (a fever at 16:00 the
day before a release review), it is accepted, flagged, and raised as an alert to the doctor — the
case is not silently rewound.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from sopflow import Engine
from tests.scenarios.helpers import (
    LOCAL,
    Cli,
    events,
    fire_offered,
    place_at_home,
    record_readings,
    serve_household,
    slot_times,
    supply_case_of,
)

if TYPE_CHECKING:
    from tests.conftest import Clock


def test_a_paper_form_typed_after_a_later_entry_is_accepted_in_time_order(
    engine: Engine, clock: Clock, sopflow_cli: Cli
) -> None:
    place_at_home(engine, "K-0009")
    supply = supply_case_of(engine, "K-0009")
    serve_household(engine, supply)
    clock.now = LOCAL(2020, 2, 2, 10, 0)
    engine.fire(supply, "daily_contact", actor="王芳", role="grid_worker", data={"mood_ok": "yes"})
    clock.now = LOCAL(2020, 2, 2, 17, 30)  # the sanitation worker's paper form is typed in
    engine.fire(supply, "waste_collection", actor="环卫老周", role="sanitation", at=LOCAL(2020, 2, 2, 9, 0))

    case = engine.case(supply)
    waste = events(case, "check")[-1]
    assert (waste.name, waste.at) == ("waste_collection", LOCAL(2020, 2, 2, 9, 0))
    assert waste.late and waste.recorded_at == LOCAL(2020, 2, 2, 17, 30)
    assert case.step == "serving" and not engine.alerts(supply)  # nothing that followed changes
    history = sopflow_cli.json("case", "history", supply)
    names = [row["name"] for row in history if row["kind"] == "check"]
    assert names[-2:] == ["waste_collection", "daily_contact"]  # shown in the order things happened


def test_a_late_fever_reading_before_a_release_review_is_flagged_and_alerts_the_doctor(
    engine: Engine, clock: Clock, sopflow_cli: Cli
) -> None:
    place_at_home(engine, "K-0019")
    paper = LOCAL(2020, 2, 14, 16, 0)  # this reading was on a paper form, not typed in
    slots = [m for m in sorted(slot_times(date(2020, 2, 1), date(2020, 2, 14)))[1:] if m != paper]
    record_readings(engine, clock, "K-0019", slots)
    clock.now = LOCAL(2020, 2, 15, 0, 1)
    engine.tick()
    clock.now = LOCAL(2020, 2, 15, 10, 0)
    fire_offered(
        engine,
        "K-0019",
        "reviewed",
        actor="李医生",
        role="community_doctor",
        candidates={"log_complete": "yes", "temperature": "36.4", "symptoms": "no"},
    )
    before = engine.case("K-0019").step
    assert before == "release_test"

    clock.now = LOCAL(2020, 2, 15, 10, 30)
    engine.fire(
        "K-0019",
        "temperature_check",
        actor="王芳",
        role="grid_worker",
        data={"temperature": "38.3", "symptoms": "no"},
        at=paper,
        note="纸质登记表补录",
    )
    case = engine.case("K-0019")
    assert case.step == before  # accepted, not rewound: what followed stays in the history
    late = events(case, "check")[-1]
    assert late.at == paper and late.late
    alerts = engine.alerts("K-0019")
    assert [(a.kind, a.name) for a in alerts] == [("late_entry", "temperature_check")]
    assert "community_doctor" in alerts[0].roles
    first = engine.due(role="community_doctor", within=timedelta(0))[0]
    assert (first.kind, first.case_id) == ("alert", "K-0019")
    text = sopflow_cli("case", "show", "K-0019").output
    assert text.index("temperature_check") < text.index("Now at")
