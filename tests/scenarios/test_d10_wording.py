"""Issue 11, defect 10: wording, and the basis date typed beside the dates it derives from.

`返岗复工` (the county says 返前复工, domain brief §1 [A]); "十清晰" announces ten items and lists
seven; a doctor is told to "打开参数" (a software setting is the county's, not the doctor's); the
basis date is typed beside the arrival/exposure date it derives from, so typing the registration
date shifts the release. Safe: the words fixed; the basis date worked out by the flow's rule
(close contacts from the last exposure, arrivals from the arrival date) and never typed.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest

from sopflow import CaseError, Engine, builtin_flows
from tests.scenarios.helpers import KPC, LOCAL, PLACE

if TYPE_CHECKING:
    from tests.conftest import Clock


def all_texts() -> list[tuple[str, str, str]]:
    """(flow, where, text) for every instruction, label and choice text of the built-in flows."""
    found = []
    for flow in builtin_flows().values():
        for step in flow.steps.values():
            for text in (*step.instructions.values(), *step.label.values()):
                found.append((flow.id, step.id, text))
        for field in flow.fields.values():
            for code, label in field.choices.items():
                found += [(flow.id, f"{field.id}.{code}", text) for text in label.values()]
    return found


def test_returning_workers_are_called_as_the_county_calls_them() -> None:
    label = builtin_flows()[KPC].fields["category"].choices["KP11"]
    assert label["zh"] == "返前复工人员"
    assert not [where for _flow, where, text in all_texts() if "返岗复工" in text]


def test_verify_register_does_not_announce_ten_items_and_list_seven() -> None:
    text = builtin_flows()[KPC].steps["verify_register"].instructions["zh"]
    assert "十清晰" not in text


def test_no_instruction_asks_staff_to_change_a_software_setting() -> None:
    offending = [(flow, where) for flow, where, text in all_texts() if "参数" in text or 'set "' in text]
    assert offending == []


def test_the_basis_date_is_worked_out_from_the_arrival_date_and_cannot_be_typed(
    engine: Engine, clock: Clock
) -> None:
    engine.start(
        KPC,
        "K-0010",
        {"full_name": "孙七", "phone": "13812345678"},
        actor="王芳",
        role="grid_worker",
        place=PLACE,
    )
    engine.fire(
        "K-0010",
        "lead_logged",
        actor="王芳",
        role="grid_worker",
        data={"lead_source": "checkpoint", "lead_note": "卡口"},
    )
    clock.advance(days=3)  # registered on 02-04; arrived on 01-31
    engine.fire(
        "K-0010",
        "registered",
        actor="王芳",
        role="grid_worker",
        data={
            "full_name": "孙七",
            "address": "前郭镇东风社区9号楼1单元101",
            "household_id": "H-9-1-101",
            "temperature": "36.5",
            "symptoms": "no",
            "arrival_date": "2020-01-31",
        },
    )
    with pytest.raises(CaseError) as typed:  # the registration date typed as the basis date
        engine.fire(
            "K-0010",
            "categorized",
            actor="李医生",
            role="community_doctor",
            data={"category": "KP7", "basis_date": "2020-02-04"},
        )
    assert typed.value.code in ("case.field_computed", "case.field_not_taken")
    case = engine.fire(
        "K-0010", "categorized", actor="李医生", role="community_doctor", data={"category": "KP7"}
    )
    assert case.data["basis_date"] == date(2020, 1, 31)
    engine.fire("K-0010", "assessed", actor="李医生", role="community_doctor", data={"home_suitable": "yes"})
    engine.fire("K-0010", "placement_decided", actor="乡镇", role="township_hq", data={"placement": "home"})
    engine.fire(
        "K-0010",
        "pledge_signed",
        actor="赵干部",
        role="liaison_cadre",
        data={"door_sign": "yellow", "phone": "13812345678"},
    )
    engine.fire(
        "K-0010", "team_assigned", actor="乡镇", role="township_hq", data={"care_team": "赵/王/刘/李"}
    )
    timers = [i for i in engine.due(within=timedelta(days=30)) if i.case_id == "K-0010" and i.kind == "timer"]
    assert [t.due_at for t in timers] == [LOCAL(2020, 2, 15)]  # 14 days from arrival, not registration
