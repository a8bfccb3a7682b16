"""The query layer's counts against a hand count of a small day (tests/day/county.py), on SQLite
and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from sopflow.engine import ledger
from sopflow.engine.runtime import Engine
from sopflow.engine.settings import report_columns
from sopflow.errors import LookupFailed
from sopflow.store.store import Store
from sopflow.store.tables import alerts, cases
from sopflow.store.tallies import entries_between, open_alerts, steps_at
from tests.conftest import Clock
from tests.day.county import FLOW, HAMLET, TOWNS, a_day, local

LEAD = {"lead_source": "self_report", "lead_note": "从武汉返回"}


def query(engine: Engine, under: str | None = None) -> ledger.DayQuery:
    return ledger.DayQuery(report_columns(), ledger.Places(TOWNS), engine.flows.load, under=under)


def test_day_counts_equal_the_hand_count(engine: Engine, clock: Clock, store: Store) -> None:
    a_day(engine, clock)
    with store.reading() as conn:
        yesterday = query(engine).counts(conn, store, local(2020, 2, 1, 17, 0), now=None)
        today = query(engine).counts(conn, store, local(2020, 2, 2, 17, 0), now=clock.now)
    town, village, quiet = TOWNS
    # 1 Feb: K-1 and K-2 went home and were new in 前郭镇; K-3 was new in 平凤乡; no overdue counted
    assert dict(yesterday.values[town]) == {"home": 2, "new": 2}
    assert dict(yesterday.values[village]) == {"new": 1}
    # 2 Feb: K-4 (given as 前郭镇/东风社区) new; K-1 fever; K-2 violation (still at home while it
    # is looked into). Overdue at 17:00: both households' supply cases not opened and K-4's lead
    # not verified (grid worker, 2 h), K-2's violation check (police, 1 h) and K-1's fever not
    # told to the doctor (liaison cadre, 15 min).
    assert dict(today.values[town]) == {
        "home": 1,
        "new": 1,
        "fever": 1,
        "violations": 1,
        "overdue": 5,
        "overdue:grid_worker": 3,
        "overdue:community_police": 1,
        "overdue:liaison_cadre": 1,
    }
    assert dict(today.values[village]) == {"overdue": 1, "overdue:grid_worker": 1}  # K-3's lead
    assert sum(today.values[quiet].values()) == 0  # listed, with nothing
    assert ledger.OTHER not in today.values
    assert today.roles == ("community_police", "grid_worker", "liaison_cadre")


def test_a_place_filter_counts_only_below_it(engine: Engine, clock: Clock, store: Store) -> None:
    a_day(engine, clock)
    with store.reading() as conn:
        counts = query(engine, under="前郭县/平凤乡").counts(conn, store, local(2020, 2, 1, 17, 0), now=None)
        active = ledger.active_counts(conn, store, clock.now, place=HAMLET)
    assert dict(counts.values[TOWNS[0]]) == {}
    assert dict(counts.values[TOWNS[1]]) == {"new": 1}
    assert [(c.flow_id, c.step, c.number, c.overdue) for c in active] == [
        ("key_person_control", "collect_lead", 1, 1)  # a lead is verified within 2 hours
    ]


def test_cases_outside_the_places_are_a_row_of_their_own(engine: Engine, clock: Clock, store: Store) -> None:
    a_day(engine, clock)
    with store.reading() as conn:
        places = ledger.Places(["前郭县/平凤乡"])
        counts = ledger.DayQuery(report_columns(), places, engine.flows.load).counts(
            conn, store, local(2020, 2, 2, 17, 0), now=clock.now
        )
    assert counts.values[ledger.OTHER]["new"] == 1 and counts.values[ledger.OTHER]["overdue"] == 5


def test_step_totals_sum_active_and_overdue_over_places(engine: Engine, clock: Clock, store: Store) -> None:
    a_day(engine, clock)
    with store.reading() as conn:
        totals = ledger.step_totals(ledger.active_counts(conn, store, clock.now))
    assert totals[("key_person_control", "collect_lead")] == (2, 2)
    assert totals[("home_isolation_supply", "open_case")] == (2, 2)
    assert totals[("key_person_control", "violation_verify")] == (1, 1)


def test_a_day_that_kept_no_signal_has_no_open_alerts(engine: Engine, clock: Clock, store: Store) -> None:
    a_day(engine, clock)
    with store.reading() as conn:
        assert open_alerts(conn, place=None) == []


def test_a_settings_file_with_a_mistake_is_refused_with_its_key(tmp_path: Path) -> None:
    bad = tmp_path / "report.yaml"
    bad.write_text("columns:\n  - id: x\n    label: {zh: 甲}\n    now: [home_observation]\n", "utf-8")
    with pytest.raises(LookupFailed) as refused:
        report_columns(bad)
    assert "columns[0].now" in refused.value.message("en")


def test_open_alerts_are_counted_by_the_place_of_their_case(
    engine: Engine, clock: Clock, store: Store
) -> None:
    """Rows of the alerts table as the engine writes them: open ones count, a closed one not."""
    a_day(engine, clock)
    raised = clock.now.replace(tzinfo=None)
    with store.writing() as conn:
        places = dict(conn.exec_driver_sql("SELECT id, place FROM cases").fetchall())
        for case_id, seq, closed in (("K-1", 90, None), ("K-3", 90, None), ("K-2", 90, raised)):
            conn.execute(
                alerts.insert().values(
                    case_id=case_id, seq=seq, kind="signal", name="fever_reported", raised_at=raised,
                    roles=["community_doctor"], place=places[case_id], detail={}, closed_seq=None,
                    closed_at=closed,
                )
            )  # fmt: skip
    with store.reading() as conn:
        assert open_alerts(conn, place="前郭县/平凤乡") == [(HAMLET, 1)]
        counts = query(engine).counts(conn, store, local(2020, 2, 2, 17, 0), now=clock.now)
    assert counts.values[TOWNS[0]]["alerts"] == 1 and counts.values[TOWNS[1]]["alerts"] == 1


def _stood(store: Store, moment: datetime) -> Counter[tuple[str | None, str, str]]:
    """Who stood where at `moment`, read from every case's history entry by entry: the step of
    its last move (by order of entry) dated at or before it; cancelled and merged cases left out."""
    stood: Counter[tuple[str | None, str, str]] = Counter()
    with store.reading() as conn:
        for case_id in conn.execute(sa.select(cases.c.id)).scalars():
            case = store.get(conn, case_id)
            assert case is not None
            moves = [e for e in case.history if e.to_step is not None and e.at <= moment]
            if moves and case.outcome not in ("cancelled", "merged"):
                stood[case.place, case.flow_id, moves[-1].to_step] += 1
    return stood


def test_who_stood_where_at_every_hour_is_their_last_move_before_it(
    engine: Engine, clock: Clock, store: Store
) -> None:
    """steps_at counts a case not moved since the moment from its row, and one moved since from
    its history: at every hour of two days, with a case started, one cancelled, one moved to
    another place and a reading entered late after it, the sum is the history read entry by
    entry."""
    a_day(engine, clock)
    clock.now = local(2020, 2, 2, 18, 0)
    engine.fire("K-3", "lead_logged", actor="王芳", role="grid_worker", data=LEAD)
    engine.cancel("K-4", reason="重复登记", actor="王芳", role="grid_worker")
    engine.move("K-2", "前郭县/平凤乡/新立村", actor="王芳", role="grid_worker")
    engine.fire(
        "K-1",
        "temperature_check",
        actor="张三",
        role="subject",
        at=local(2020, 2, 2, 8, 0),
        data={"temperature": "36.5", "symptoms": "no"},
    )
    clock.now = local(2020, 2, 3, 9, 0)
    engine.start(FLOW, "K-5", {}, actor="王芳", role="grid_worker", place=HAMLET)
    assert [e.late for e in engine.case("K-1").history].count(True) == 1
    moments = [local(2020, 2, 1, 8, 0) + timedelta(hours=h) for h in range(50)]
    with store.reading() as conn:
        for moment in moments:
            counted: Counter[tuple[str | None, str, str]] = Counter()
            for count in steps_at(conn, moment, place=None, below=store.below):
                counted[count.place, count.flow_id, count.step] += count.number
            assert counted == _stood(store, moment), moment
            few = steps_at(conn, moment, place=None, below=store.below, wanted={FLOW: {"home_observation"}})
            assert {(c.flow_id, c.step) for c in few} <= {(FLOW, "home_observation")}
            assert sum(c.number for c in few) == sum(
                n for (_, flow, step), n in _stood(store, moment).items() if step == "home_observation"
            )
            every = entries_between(conn, moment - ledger.DAY, moment, place=None, below=store.below)
            wanted = ({FLOW: {"home_observation"}}, {FLOW})
            picked = entries_between(
                conn, moment - ledger.DAY, moment, place=None, below=store.below, wanted=wanted
            )
            assert sorted(picked) == sorted(
                e for e in every if e.flow_id == FLOW and (e.kind == "start" or e.step == "home_observation")
            )


@pytest.mark.parametrize(
    ("place", "row"),
    [
        ("前郭县/前郭镇", "前郭县/前郭镇"),  # the row itself
        ("前郭县/前郭镇/东风社区/第1网格/幸福小区/1号楼", "前郭县/前郭镇/东风社区"),  # the deepest row above
        ("前郭县/前郭镇/西山社区", "前郭县/前郭镇"),
        ("前郭镇/东风社区/第1网格", "前郭县/前郭镇/东风社区"),  # given without the county's name
        ("前郭县/前郭镇东", ledger.OTHER),  # begins alike, is not below it
        ("前郭县", ledger.OTHER),  # above every row
        ("长山镇/x", ledger.OTHER),
        (None, ledger.OTHER),
    ],
)
def test_a_place_falls_in_the_deepest_row_it_is_or_lies_below(place: str | None, row: str) -> None:
    places = ledger.Places(["前郭县/前郭镇", "前郭县/前郭镇/东风社区", "前郭县/平凤乡"])
    assert places.of(place) == row
    assert places.of(place) == row  # and again, remembered
