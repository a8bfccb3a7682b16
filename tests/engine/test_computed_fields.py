"""Computed fields: key-person control works out the basis date of the 14 days by its stated rule
(close contacts from the last exposure, arrivals from the arrival date), never from what is typed."""

from __future__ import annotations

from datetime import date

import pytest

from sopflow.cases.records import EventKind
from sopflow.engine.runtime import Engine
from sopflow.errors import CaseError
from tests.conftest import Clock
from tests.scenarios.helpers import register_lead

FLOW = "key_person_control"


def registered(engine: Engine, case_id: str, **dates: str) -> None:
    registration = {"address": "前郭镇", "household_id": "H-1", "temperature": "36.6", "symptoms": "no"}
    register_lead(engine, case_id, {**registration, **dates}, lead=("self_report", "-"), place=None)


def test_an_arrival_counts_from_the_arrival_date_worked_out_in_the_categorizing_entry(
    engine: Engine, clock: Clock
) -> None:
    registered(engine, "K-1", arrival_date="2020-01-31")
    assert "basis_date" not in engine.case("K-1").data  # no category yet: the rule cannot say
    engine.fire("K-1", "categorized", actor="李医生", role="community_doctor", data={"category": "KP7"})
    case = engine.case("K-1")
    assert case.data["basis_date"] == date(2020, 1, 31)
    entry = next(e for e in case.history if e.name == "categorized" and e.kind is EventKind.ACTION)
    assert entry.changes["basis_date"] == [None, "2020-01-31"]  # the history shows it
    assert engine.verify() == []


def test_a_close_contact_counts_from_the_last_exposure_even_with_an_arrival_date(
    engine: Engine, clock: Clock
) -> None:
    registered(engine, "K-2", arrival_date="2020-01-20", last_exposure_date="2020-01-29")
    engine.fire("K-2", "categorized", actor="李医生", role="community_doctor", data={"category": "KP4"})
    assert engine.case("K-2").data["basis_date"] == date(2020, 1, 29)


def test_nobody_types_the_basis_date(engine: Engine, clock: Clock) -> None:
    with pytest.raises(CaseError) as at_start:
        engine.start(
            FLOW,
            "K-3",
            {"full_name": "张三", "phone": "13812345678", "basis_date": "2020-02-04"},
            actor="王芳",
            role="grid_worker",
        )
    assert at_start.value.code == "case.field_computed"
    assert "worked out by the flow's rule" in at_start.value.message("en")
    registered(engine, "K-3", arrival_date="2020-01-31")
    with pytest.raises(CaseError) as typed:
        engine.fire(
            "K-3",
            "categorized",
            actor="李医生",
            role="community_doctor",
            data={"category": "KP7", "basis_date": "2020-02-04"},
        )
    assert typed.value.code == "case.field_not_taken"
