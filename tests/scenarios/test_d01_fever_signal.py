"""Issue 11, defect 1: a fever signal is dropped silently.

A supply request for someone feeling ill (or for fever medicine) ends `redirected_flow1` and
signals key-person control; today the signal reaches only the nearest ancestor case, only at a
step that offers `fever_reported`, and is otherwise dropped without a trace. Safe: the signal is
addressed to the person or household it is about; it is taken (a flow-wide interrupt from every
monitoring step), or it waits on the receiving case as an open alert — never dropped.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from sopflow import Engine
from tests.scenarios.helpers import (
    ID_F,
    ID_M,
    PLACE,
    REQUEST,
    Cli,
    events,
    new_request,
    place_at_home,
    serve_household,
    sort_request,
    supply_case_of,
)

if TYPE_CHECKING:
    from tests.conftest import Clock


def standalone_request(engine: Engine, case_id: str, household: str = "H-3-2-501") -> str:
    engine.start(
        REQUEST,
        case_id,
        {"household_id": household, "address": "前郭镇东风社区3号楼2单元501", "phone": "13812345678"},
        actor="王芳",
        role="grid_worker",
        place=PLACE,
    )
    return case_id


def test_a_symptom_request_started_on_its_own_reaches_the_households_key_person(
    engine: Engine, clock: Clock
) -> None:
    place_at_home(engine, "K-0001")
    clock.advance(hours=3)
    standalone_request(engine, "R-0001")
    request = sort_request(engine, "R-0001", "symptoms", items="发烧38度")
    assert request.outcome == "redirected_flow1"

    key_person = engine.case("K-0001")
    assert key_person.step == "fever_found", "the fever signal was dropped"
    taken = events(key_person, "signal")
    assert [e.name for e in taken] == ["fever_reported"] and "R-0001" in taken[0].actor
    # The sending case records where its signal went: nothing happens without a trace.
    sent = events(engine.case("R-0001"), "sent")
    assert sent and sent[0].why["taken"] == ["K-0001"]


@pytest.mark.parametrize(
    "where", ["missed_reading", "violation_verify", "violation_talk", "moved_out_handover"]
)
def test_a_fever_signal_interrupts_every_monitoring_step(engine: Engine, clock: Clock, where: str) -> None:
    place_at_home(engine, "K-0001")
    supply = supply_case_of(engine, "K-0001")
    serve_household(engine, supply)
    clock.advance(hours=13)
    request = new_request(engine, supply)  # the household asks for fever medicine
    if where == "missed_reading":
        engine.fire("K-0001", "reading_missing", actor="赵干部", role="liaison_cadre")
    elif where == "moved_out_handover":
        engine.fire(
            "K-0001", "moved_out", actor="乡镇指挥部", role="township_hq", data={"moved_to": "长春市"}
        )
    else:
        engine.fire("K-0001", "violation_found", actor="值守民警", role="police_video_desk")
        if where == "violation_talk":
            engine.fire(
                "K-0001", "verified", actor="刘警官", role="community_police", data={"violation_real": "yes"}
            )
    assert engine.case("K-0001").step == where

    sort_request(engine, request, "medicine", items="布洛芬")
    engine.fire(
        request,
        "medicine_sorted",
        actor="李医生",
        role="community_doctor",
        data={"medicine_kind": "fever_cough_antibiotic"},
    )
    assert engine.case(request).outcome == "redirected_flow1"
    assert engine.case("K-0001").step == "fever_found", f"the fever signal was dropped at {where}"


def test_on_an_old_version_a_signal_not_taken_waits_as_an_open_alert(
    old_engine: Engine, engine: Engine, clock: Clock, sopflow_cli: Cli
) -> None:
    """Cases that started on the 2020.02 flows keep them; the engine rule still holds for them."""
    place_at_home(old_engine, "K-0001")
    supply = supply_case_of(old_engine, "K-0001")
    serve_household(old_engine, supply)
    clock.advance(hours=13)
    old_engine.fire("K-0001", "reading_missing", actor="赵干部", role="liaison_cadre")
    request = new_request(old_engine, supply)
    sort_request(old_engine, request, "symptoms", items="咳嗽发热")
    clock.advance(minutes=5)

    key_person = engine.case("K-0001")
    assert key_person.step == "missed_reading"  # the old version has no fever_reported here
    raised = events(key_person, "alert")
    assert [e.name for e in raised] == ["fever_reported"], "the signal left no trace on K-0001"

    alerts = engine.alerts("K-0001")
    assert [(a.kind, a.name, a.from_case) for a in alerts] == [("signal", "fever_reported", request)]
    assert "liaison_cadre" in alerts[0].roles  # the responsible role of the receiving step
    first = engine.due(role="liaison_cadre")[0]  # alerts come before every deadline and check
    assert (first.kind, first.case_id) == ("alert", "K-0001")

    shown = sopflow_cli.json("case", "show", "K-0001")
    assert [a["name"] for a in shown["alerts"]] == ["fever_reported"]
    text = sopflow_cli("case", "show", "K-0001").output
    label = shown["alerts"][0]["label"]  # the action by its name, not its id
    assert label != "fever_reported" and text.index(label) < text.index("Now at")  # shown first
    due = sopflow_cli("due", "--role", "liaison_cadre").output.splitlines()
    assert "K-0001" in due[0] and "alert" in due[0].lower()


def test_an_unnamed_patient_signals_every_key_person_of_the_household(engine: Engine, clock: Clock) -> None:
    place_at_home(engine, "K-0001", id_number=ID_F, name="张三")
    place_at_home(engine, "K-0002", id_number=ID_M, name="张四")  # co-resident, same household
    supply = supply_case_of(engine, "K-0001")
    serve_household(engine, supply)
    clock.advance(hours=3)
    request = new_request(engine, supply)
    sort_request(engine, request, "symptoms", items="家里有人发烧")
    # Who is ill is not known: both key persons of the household are signalled. Neither is moved
    # (the lead's decision 2 in docs/design/handoffs.md): each gets an open alert for the
    # community doctor, whose re-check finds who it is.
    for case_id in ("K-0001", "K-0002"):
        assert engine.case(case_id).step == "home_observation"
        alerts = engine.alerts(case_id)
        assert [(a.kind, a.name, a.from_case) for a in alerts] == [("signal", "fever_reported", request)], (
            f"{case_id} was not told"
        )
        assert "community_doctor" in alerts[0].roles
    first = engine.due(role="community_doctor")[:2]  # first in the doctor's list
    assert sorted((i.kind, i.case_id) for i in first) == [("alert", "K-0001"), ("alert", "K-0002")]
    sent = events(engine.case(request), "sent")
    assert sent[0].why["taken"] == [] and sent[0].why["alerts"] == ["K-0001", "K-0002"]


def test_a_symptom_request_of_a_household_without_key_persons_stays_open_on_the_request(
    engine: Engine, clock: Clock
) -> None:
    """Nobody of key-person control in that household: the signal is kept as an open alert on
    the request itself, for the community doctor and the liaison cadre, never dropped."""
    place_at_home(engine, "K-0001")  # another household
    clock.advance(hours=3)
    standalone_request(engine, "R-0001", household="H-9-9-909")
    sort_request(engine, "R-0001", "symptoms", items="发烧", patient_id_number=ID_M, patient_name="张四")
    assert engine.case("K-0001").step == "home_observation"
    alerts = engine.alerts("R-0001")
    assert [(a.kind, a.name) for a in alerts] == [("undelivered", "fever_reported")]
    assert {"community_doctor", "liaison_cadre"} <= set(alerts[0].roles)
    sent = events(engine.case("R-0001"), "sent")
    assert sent[0].why["taken"] == [] and sent[0].why["alerts"] == ["R-0001"]


def test_a_named_patient_signals_that_persons_case_only(engine: Engine, clock: Clock) -> None:
    place_at_home(engine, "K-0001", id_number=ID_F, name="张三")
    place_at_home(engine, "K-0002", id_number=ID_M, name="张四")
    supply = supply_case_of(engine, "K-0001")
    serve_household(engine, supply)
    clock.advance(hours=3)
    request = new_request(engine, supply)
    sort_request(engine, request, "symptoms", items="张四发烧", patient_id_number=ID_M, patient_name="张四")
    assert engine.case("K-0002").step == "fever_found"
    assert engine.case("K-0001").step == "home_observation"


def test_an_emergency_transfer_tells_the_key_person_case(engine: Engine, clock: Clock) -> None:
    place_at_home(engine, "K-0001")
    supply = supply_case_of(engine, "K-0001")
    serve_household(engine, supply)
    clock.advance(hours=3)
    request = new_request(engine, supply)
    sort_request(engine, request, "emergency", items="胸痛")
    engine.fire(
        request,
        "handed_to_emergency",
        actor="王芳",
        role="grid_worker",
        data={"emergency_service": "ambulance_120"},
    )
    assert engine.case(request).outcome == "redirected_emergency"

    key_person = engine.case("K-0001")
    assert key_person.step == "emergency_care", "the 120 transfer was not told to key-person control"
    # Nobody at home is now expected: a presence check that finds no one is no violation.
    clock.advance(hours=2)
    owed = engine.due(within=timedelta(hours=24))
    assert not [i for i in owed if i.case_id == "K-0001" and i.name in ("presence_call", "door_check")]
