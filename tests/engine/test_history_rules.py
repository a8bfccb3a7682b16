"""Rules that read a case's history (missed_checks, checks_done, hours_since_check, visits): the
engine counts the readings the case really recorded, a decision keeps the counts it read, and a
replay agrees. The flow: readings every 12 h for 3 days, then a review (tests/data/history)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sopflow.cases.checklog import _fixed_slots, _Stretch, check_tallies
from sopflow.cases.records import Event, EventKind
from sopflow.engine.runtime import Engine
from sopflow.language.catalog import FlowCatalog, builtin_dir
from sopflow.language.guardops import GuardRuntimeError
from sopflow.language.model import Check
from sopflow.store.store import Store
from tests.conftest import Clock
from tests.scenarios.helpers import LOCAL, place_at_home

FLOWS = Path(__file__).parent.parent / "data" / "history"
OLD_FLOWS = Path(__file__).parent.parent / "scenarios" / "flows_2020_02"
TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2020, 2, 1, 1, 0, tzinfo=UTC)  # the clock fixture's start: 09:00 local


@pytest.fixture
def watch(store: Store, clock: Clock) -> Engine:
    engine = Engine(store, flows=FlowCatalog([FLOWS, builtin_dir()]), clock=clock)
    engine.start("watch", "W-1", {}, actor="护士", role="nurse")
    return engine


def read(engine: Engine, clock: Clock, *hours: float) -> None:
    """Readings at these hours after the start."""
    for hour in hours:
        clock.now = START + timedelta(hours=hour)
        engine.fire("W-1", "reading", actor="护士", role="nurse", data={"temperature": "36.5"})


def review(engine: Engine, clock: Clock) -> Event:
    clock.now = START + timedelta(days=3, minutes=1)
    engine.tick()
    engine.fire("W-1", "reviewed", actor="护士", role="nurse")
    case = engine.case("W-1")
    return next(e for e in case.history if e.kind is EventKind.BRANCH)


def test_a_review_counts_the_readings_really_recorded(watch: Engine, clock: Clock) -> None:
    read(watch, clock, 10)  # one reading in 72 hours: 0 missed before it, 5 of 12 h after it
    decision = review(watch, clock)
    assert watch.case("W-1").outcome == "gaps"
    assert decision.why is not None
    assert decision.why["values"] == {"missed_allowed": 2, 'missed_checks("reading")': 5}
    assert watch.verify() == []


def test_readings_on_time_pass_the_review(watch: Engine, clock: Clock) -> None:
    read(watch, clock, 11, 23, 35, 47, 59, 71)
    review(watch, clock)
    assert watch.case("W-1").outcome == "fit"


def test_late_readings_settle_what_was_owed_and_gaps_count_once_each(watch: Engine, clock: Clock) -> None:
    read(watch, clock, 13, 50, 62)  # 13: late, settles 12; 50: owed at 25, 37, 49: one settled
    review(watch, clock)  # 62 settles 62; none owed from 62 to 72
    tally = check_tallies(
        watch.stepper_for(watch.case("W-1")).flow, watch.case("W-1").history, clock.now, TZ
    )["reading"]
    assert (tally.recorded, tally.missed) == (3, 2)
    assert tally.last_at == START + timedelta(hours=62)
    assert watch.case("W-1").outcome == "fit"  # 2 missed, 2 allowed


def test_a_guard_on_an_action_reads_readings_and_hours_since_the_last(watch: Engine, clock: Clock) -> None:
    read(watch, clock, 1, 2)
    early = next(o for o in watch.offers("W-1") if o.name == "early_end")
    assert not early.available  # two readings so far
    read(watch, clock, 3)
    assert next(o for o in watch.offers("W-1") if o.name == "early_end").available
    clock.now = START + timedelta(hours=16)  # 13 h since the last reading
    assert not next(o for o in watch.offers("W-1") if o.name == "early_end").available


def test_a_change_returns_only_its_own_events_though_the_engine_read_them_all(
    watch: Engine, clock: Clock
) -> None:
    read(watch, clock, 1, 2)
    clock.now = START + timedelta(hours=3)
    case = watch.fire("W-1", "reading", actor="护士", role="nurse", data={"temperature": "36.6"})
    assert [e.kind for e in case.history] == [EventKind.CHECK]
    assert len(watch.case("W-1").history) == 4


def test_a_history_function_without_the_history_is_the_engines_mistake_not_a_guess(
    watch: Engine,
) -> None:
    flow = watch.stepper_for(watch.case("W-1")).flow
    guard = flow.steps["result"].branches[0].guard
    assert guard is not None
    with pytest.raises(GuardRuntimeError, match="recorded checks"):
        guard.holds({}, {"missed_allowed": 2}, START)


def _readings(*moments: datetime) -> list[Event]:
    return [Event(n, at, EventKind.CHECK, "reading", "护士") for n, at in enumerate(moments, start=2)]


def _missed(stretch: _Stretch, readings: list[Event]) -> int:
    return sum(1 for slot in _fixed_slots(stretch, readings, TZ) if slot.missed)


def test_a_check_at_fixed_times_is_missed_when_its_window_closes_without_a_reading() -> None:
    check = Check("reading", {}, None, ("nurse",), at=("08:00", "16:00"), window=timedelta(hours=1))
    local = datetime(2020, 2, 1, 9, 0, tzinfo=TZ)  # entered at 09:00; slots 08:00 and 16:00 ± 1 h
    stretch = _Stretch(check, local, local + timedelta(days=1, hours=8))  # to 02-02 17:00
    assert _missed(stretch, []) == 3  # 02-01 16:00, 02-02 08:00, 16:00
    on_time = _readings(local + timedelta(hours=6, minutes=30), local + timedelta(hours=23, minutes=50))
    assert _missed(stretch, on_time) == 1  # 02-02 16:00 only
    open_window = _Stretch(check, local, local + timedelta(hours=7, minutes=30))  # 16:30: still open
    assert _missed(open_window, []) == 0


def test_a_slot_whose_window_opened_before_the_case_came_is_not_owed() -> None:
    """As engine/slots.py says (entering at 08:30 skips that morning): the count, the sheet's grid
    and `due` agree. Placed at 15:30, the 16:00 reading is not owed that day."""
    check = Check("reading", {}, None, ("nurse",), at=("08:00", "16:00"), window=timedelta(hours=1))
    placed = datetime(2020, 2, 1, 15, 30, tzinfo=TZ)
    stretch = _Stretch(check, placed, placed + timedelta(hours=18))  # to 02-02 09:30
    assert _missed(stretch, []) == 1  # 02-02 08:00 only
    slots = _fixed_slots(stretch, _readings(placed + timedelta(minutes=20)), TZ)
    assert [(s.due.hour, s.reading is not None, s.missed) for s in slots] == [
        (16, True, False),
        (8, False, True),
    ]


def test_a_case_on_an_older_version_keeps_its_typed_log_and_basis_date(store: Store, clock: Clock) -> None:
    """Started on 2020.02.1 (the doctor declares the log complete, the basis date is typed), a case
    goes on so after the built-in flow moved to 2020.04.1: it runs on the version it started on."""
    old = Engine(store, flows=FlowCatalog([OLD_FLOWS]), clock=clock)
    place_at_home(old, "K-1")
    assert old.case("K-1").flow_version == "2020.02.1"
    new = Engine(store, clock=clock)
    clock.now = LOCAL(2020, 2, 15, 0, 1)
    new.tick()
    review = next(o for o in new.offers("K-1") if o.name == "reviewed")
    assert "log_complete" in review.requires  # the old rule, for the case that started under it
    clock.now = LOCAL(2020, 2, 15, 10, 0)
    case = new.fire(
        "K-1",
        "reviewed",
        actor="李医生",
        role="community_doctor",
        data={"log_complete": "yes", "temperature": "36.4", "symptoms": "no"},
    )
    assert case.step != "observation_extended"  # no readings, but the old version trusts the box
    assert new.case("K-1").flow_version == "2020.02.1"


def test_a_slot_whose_window_opened_before_the_case_came_back_is_not_missed() -> None:
    """A fever reading at 08:00 sends the case away; the doctor's re-check is normal and it is
    back at 08:30. The 08:00 slot was filled (by the reading that escalated) and, as `due` says,
    is not owed again at this stay: no missed reading (the simulated county found it counted one)."""
    check = Check(
        "temperature_check", {}, None, ("subject",), at=("08:00", "16:00"), window=timedelta(hours=1)
    )
    back = datetime(2020, 2, 11, 8, 30, tzinfo=TZ)
    stretch = _Stretch(check, back, back + timedelta(hours=9))  # to 17:30
    assert _missed(stretch, _readings(back + timedelta(hours=7, minutes=30))) == 0  # 16:00 read


def test_the_review_does_not_count_the_reading_that_escalated_as_missed(engine: Engine, clock: Clock) -> None:
    place_at_home(engine, "KP-F")
    clock.now = LOCAL(2020, 2, 1, 16, 0)
    engine.fire(
        "KP-F",
        "temperature_check",
        actor="张三",
        role="subject",
        data={"temperature": "36.5", "symptoms": "no"},
    )
    clock.now = LOCAL(2020, 2, 2, 8, 0)
    fever = {"temperature": "38.2", "symptoms": "no"}
    assert (
        engine.fire("KP-F", "temperature_check", actor="张三", role="subject", data=fever).step
        == "fever_found"
    )
    clock.now = LOCAL(2020, 2, 2, 8, 10)
    engine.fire("KP-F", "doctor_notified", actor="李医生", role="community_doctor")
    clock.now = LOCAL(2020, 2, 2, 8, 30)
    normal = {"temperature": "36.9", "symptoms": "no"}
    case = engine.fire("KP-F", "rechecked", actor="李医生", role="community_doctor", data=normal)
    assert case.step == "home_observation"
    clock.now = LOCAL(2020, 2, 2, 16, 0)
    engine.fire(
        "KP-F",
        "temperature_check",
        actor="张三",
        role="subject",
        data={"temperature": "36.5", "symptoms": "no"},
    )
    history = engine.case("KP-F").history
    flow = engine.stepper_for(engine.case("KP-F")).flow
    tallies = check_tallies(flow, history, LOCAL(2020, 2, 2, 17, 30), TZ)
    assert tallies["temperature_check"].missed == 0


def test_only_a_change_that_can_count_checks_reads_the_cases_past(
    engine: Engine, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reading at home observation reads none of the case's past events (it needs none, and a
    case under observation has hundreds); the release review, whose decision counts the missed
    readings, reads them all and counts right."""
    place_at_home(engine, "KP-H")
    stepper = engine.stepper_for(engine.case("KP-H"))
    assert "release_review" in stepper.history_steps
    assert "home_observation" not in stepper.history_steps
    reads: list[str] = []
    history = engine.store.history

    def counting(conn: Any, case_id: str) -> tuple[Event, ...]:
        reads.append(case_id)
        return history(conn, case_id)

    monkeypatch.setattr(engine.store, "history", counting)
    clock.now = LOCAL(2020, 2, 1, 16, 0)
    reading = {"temperature": "36.5", "symptoms": "no"}
    engine.fire("KP-H", "temperature_check", actor="张三", role="subject", data=reading)
    clock.now = LOCAL(2020, 2, 15, 0, 1)
    engine.tick()
    assert reads == []  # the reading and the timer
    assert engine.case("KP-H").step == "release_review"
    reads.clear()  # Engine.case reads the history to show it
    clock.now = LOCAL(2020, 2, 15, 10, 0)
    case = engine.fire("KP-H", "reviewed", actor="李医生", role="community_doctor", data=reading)
    assert reads == ["KP-H"]
    assert case.step == "observation_extended"  # one reading in 14 days


def test_a_check_not_owed_under_its_when_is_never_missed(engine: Engine, clock: Clock) -> None:
    """Where a camera was fitted, the in-person visits (`when: monitoring_mode == "in_person"`)
    are not owed, so none is missed; the door checks owed instead are."""
    place_at_home(engine, "KP-C")  # 2020-02-01 09:00, a camera fitted at once
    history = engine.case("KP-C").history
    flow = engine.stepper_for(engine.case("KP-C")).flow
    tallies = check_tallies(flow, history, LOCAL(2020, 2, 2, 20, 30), TZ)
    assert "in_person_check" not in tallies  # never owed
    assert tallies["door_check"].missed == 4  # 10:00 and 19:00 of both days
