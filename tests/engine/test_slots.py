"""Checks at fixed times of day: which slot is owed next, from entering the step or from the
last reading (engine/slots.py), in local time whatever the stored UTC time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from sopflow import CaseError, Engine
from sopflow.engine.slots import next_slot_end
from sopflow.language.model import Check
from tests.scenarios.helpers import place_at_home

if TYPE_CHECKING:
    from tests.conftest import Clock

TZ = ZoneInfo("Asia/Shanghai")
TWICE = Check("temperature_check", {}, None, ("subject",), at=("08:00", "16:00"), window=timedelta(hours=1))


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2020, 2, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(
    ("entered", "due"),
    [
        (local(1, 23), local(2, 9)),  # the next morning's slot, not 11:00
        (local(2, 6, 59), local(2, 9)),
        (local(2, 7), local(2, 9)),  # there when the window opened: owed
        (local(2, 8, 30), local(2, 17)),  # the morning window was open already: skipped
        (local(2, 15, 1), local(3, 9)),
    ],
)
def test_entering_owes_the_first_slot_whose_window_opens_after(entered: datetime, due: datetime) -> None:
    assert next_slot_end(TWICE, entered, TZ, after=False) == due


@pytest.mark.parametrize(
    ("reading", "due"),
    [
        (local(2, 8, 5), local(2, 17)),  # on time: the afternoon next, not 20:05
        (local(2, 7), local(2, 17)),  # at the window's opening it fills that slot
        (local(2, 10), local(2, 17)),  # late for 08:00, still before the afternoon window
        (local(2, 16, 10), local(3, 9)),
        (local(3, 6), local(3, 9)),  # late for yesterday's 16:00: this morning is still owed
    ],
)
def test_a_reading_owes_the_first_slot_whose_window_opens_after_it(reading: datetime, due: datetime) -> None:
    assert next_slot_end(TWICE, reading, TZ, after=True) == due


def test_slots_are_local_times_whatever_the_zone_of_the_moment() -> None:
    in_utc = local(1, 23).astimezone(ZoneInfo("UTC"))  # 15:00 UTC
    assert next_slot_end(TWICE, in_utc, TZ, after=False) == local(2, 9)


def test_a_camera_owes_door_checks_and_refuses_in_person_ones(engine: Engine, clock: Clock) -> None:
    place_at_home(engine, "K-0001")  # at 09:00; the police record a camera at once
    owed = {i.name for i in engine.due(within=timedelta(days=1)) if i.case_id == "K-0001"}
    assert {"temperature_check", "door_check", "presence_call"} <= owed
    assert not owed & {"in_person_check", "monitoring_setup"}
    with pytest.raises(CaseError):
        engine.fire("K-0001", "in_person_check", actor="王芳", role="grid_worker", data={"present": "yes"})


def test_a_set_up_done_is_not_owed_again_when_the_case_comes_back(engine: Engine, clock: Clock) -> None:
    place_at_home(engine, "K-0001")
    clock.advance(hours=2)
    engine.fire("K-0001", "violation_found", actor="赵干部", role="liaison_cadre")
    clock.advance(minutes=30)
    case = engine.fire(
        "K-0001", "verified", actor="刘警官", role="community_police", data={"violation_real": "no"}
    )
    assert case.step == "home_observation", case.step
    clock.advance(days=2)
    assert "monitoring_setup" not in {
        i.name for i in engine.due(within=timedelta(0)) if i.case_id == "K-0001"
    }
