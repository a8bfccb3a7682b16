"""`due` reads what each case owes from the list its row keeps (engine/schedule.kept_times),
not from the case read whole (issue 15). The list must say exactly what the case, worked out by
its flow's rules, says; a row without a list (written before it was kept), with one kept on
another time zone, or with one damaged is worked out from the case as before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa

from sopflow import Engine
from sopflow.engine.schedule import DueItem, due_items
from sopflow.store.store import Store
from tests.scenarios.helpers import ID_F, ID_M, ID_M2, KPC, PLACE, place_at_home, record_readings

if TYPE_CHECKING:
    from tests.conftest import Clock

MONTH = timedelta(days=30)


def _county_morning(engine: Engine, clock: Clock) -> None:
    """Two persons at home (one with readings), one new lead: checks, timers and deadlines."""
    place_at_home(engine, "KP-1", id_number=ID_F, household="H-1")
    place_at_home(engine, "KP-2", id_number=ID_M, household="H-2", name="李四")
    clock.advance(hours=23)  # 08:00 the next day
    record_readings(engine, clock, "KP-1", [clock.now])
    engine.start(
        KPC, "KP-3", {"full_name": "王五", "id_number": ID_M2}, actor="王芳", role="grid_worker", place=PLACE
    )
    clock.advance(days=2)


def _set_lists(store: Store, value: str | None, case_id: str | None = None) -> None:
    """Write the kept due lists as they stand in an older store (null) or a damaged one."""
    with store.engine.begin() as conn:
        if case_id is None:
            conn.execute(sa.text("UPDATE cases SET due_list = :value"), {"value": value})
        else:
            conn.execute(
                sa.text("UPDATE cases SET due_list = :value WHERE id = :id"), {"value": value, "id": case_id}
            )


def _worked_out(engine: Engine, now: datetime) -> list[DueItem]:
    """Every item of every active case, worked out from the case read whole."""
    items = []
    for case in engine.cases():
        if case.active:
            items += due_items(engine._stepper(engine.flows.load(case.flow_id)), engine.case(case.id), now)
    return sorted(items, key=lambda i: (i.due_at, i.case_id))


def test_due_lists_what_each_case_owes_by_its_flow(engine: Engine, clock: Clock) -> None:
    _county_morning(engine, clock)
    kept = engine.due(clock.now, within=MONTH)
    assert [i for i in kept if i.kind != "alert"] == _worked_out(engine, clock.now)
    assert {i.kind for i in kept} >= {"check", "deadline", "timer"}
    assert {i.case_id for i in kept} == {"KP-1", "KP-2", "KP-3", "KP-1.1", "KP-2.1"}  # and supply cases
    assert all(i.due_at.tzinfo is not None for i in kept)


def test_due_reads_the_kept_list_not_the_case(engine: Engine, clock: Clock) -> None:
    """What makes `due` quick: a row's list is read as it is (so it must always be right)."""
    _county_morning(engine, clock)
    _set_lists(
        engine.store, "Asia/Shanghai|1\ndeadline lead_logged 2020-02-03T00:30:00+00:00 grid_worker", "KP-3"
    )
    (item,) = [i for i in engine.due(clock.now) if i.case_id == "KP-3"]
    assert (item.kind, item.name, item.roles, item.overdue) == (
        "deadline",
        "lead_logged",
        ("grid_worker",),
        True,
    )
    assert item.due_at == datetime(2020, 2, 3, 0, 30, tzinfo=UTC)


def test_rows_without_a_kept_list_are_worked_out_from_the_case(engine: Engine, clock: Clock) -> None:
    _county_morning(engine, clock)
    kept = engine.due(clock.now)
    _set_lists(engine.store, None)  # as a store upgraded from before lists were kept
    assert engine.due(clock.now) == kept
    _set_lists(engine.store, "not a list\nat all", "KP-2")  # damaged, or edited by hand
    _set_lists(engine.store, "Asia/Shanghai|1\ncheck temperature_check someday subject", "KP-1")
    assert engine.due(clock.now) == kept


def test_the_next_change_keeps_the_list_again(engine: Engine, clock: Clock) -> None:
    _county_morning(engine, clock)
    _set_lists(engine.store, None)
    record_readings(engine, clock, "KP-1", [clock.now])
    with engine.store.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, due_list FROM cases WHERE status = 'active'")).all()
    kept: dict[str, str | None] = {case_id: listed for case_id, listed in rows}
    assert (kept["KP-1"] or "").startswith("Asia/Shanghai|1\n")
    assert kept["KP-2"] is None


def test_a_list_kept_in_another_time_zone_is_worked_out_afresh(store: Store, clock: Clock) -> None:
    """Checks at 08:00 and 16:00 are local times: an engine in another zone owes other moments."""
    _county_morning(Engine(store, clock=clock), clock)
    elsewhere = Engine(store, clock=clock, timezone="Europe/Berlin")
    listed = elsewhere.due(clock.now, within=MONTH)
    _set_lists(store, None)
    assert elsewhere.due(clock.now, within=MONTH) == listed
    shanghai = Engine(store, clock=clock).due(clock.now, within=MONTH)
    checks = {(i.case_id, i.name): i.due_at for i in listed if i.kind == "check"}
    assert checks != {(i.case_id, i.name): i.due_at for i in shanghai if i.kind == "check"}


def test_the_role_and_window_are_applied_to_kept_lists(engine: Engine, clock: Clock) -> None:
    _county_morning(engine, clock)
    everything = engine.due(clock.now, within=MONTH)
    for role in {r for i in everything for r in i.roles}:
        assert engine.due(clock.now, role=role, within=MONTH) == [i for i in everything if role in i.roles]
    soon = engine.due(clock.now)
    assert soon == [i for i in everything if i.due_at <= clock.now + timedelta(hours=2)]
    assert [i.due_at for i in soon] == sorted(i.due_at for i in soon)
    assert all(i.overdue == (i.due_at <= clock.now) for i in soon)


def test_verify_reports_a_kept_list_that_is_not_the_cases(engine: Engine, clock: Clock) -> None:
    _county_morning(engine, clock)
    assert engine.verify() == []
    kept = "Asia/Shanghai|1\ndeadline lead_logged 2020-02-03T00:30:00+00:00 grid_worker"
    _set_lists(engine.store, kept, "KP-3")
    (found,) = engine.verify()
    assert (found.case_id, found.field) == ("KP-3", "due_list")
    assert found.stored == kept.replace("\n", "; ")  # one line, as a table shows it
    assert found.replayed == "Asia/Shanghai|1; deadline collect_lead 2020-02-02T02:00:00+00:00 grid_worker"
    _set_lists(engine.store, None)
    assert engine.verify() == []
