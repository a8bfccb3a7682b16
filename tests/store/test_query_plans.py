"""The lists a county runs over 600,000 cases are served by indexes, on SQLite and PostgreSQL:
the database's own query plan for each filter names the index and reads no whole table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from sopflow.cases.filter import CaseFilter
from sopflow.store.store import Store
from sopflow.store.tables import cases, events, flow_versions
from sopflow.store.tallies import entries_query, standing_queries

NOW = datetime(2020, 2, 1, 8, 0, tzinfo=UTC)
FILTERS = {
    "due": ({"due_before": NOW}, "ix_cases_due"),
    "tick": ({"timer_before": NOW}, "ix_cases_timer"),
    "flow and step": ({"flow_id": "key_person_control", "step": "home_observation"}, "ix_cases_flow_step"),
    "role": ({"role": "liaison_cadre"}, "ix_cases_role_due"),
    "children": ({"parent_id": "K-1"}, "ix_cases_parent"),
    "place and below": ({"place": "前郭县/平凤乡"}, "ix_cases_place"),
}


def fill(store: Store, count: int = 3000) -> None:
    """Cases spread over places, steps and due times, with the database's statistics taken, so
    that its planner chooses as it would for a real county."""
    at = NOW.replace(tzinfo=None)
    steps = ["home_observation", "released", *(f"step_{k}" for k in range(38))]  # as many as a flow has
    roles = ["liaison_cadre", *(f"role_{k}" for k in range(11)), None]
    rows = [
        {
            "id": f"K-{n:05d}",
            "flow_id": "key_person_control",
            "flow_digest": "d",
            "flow_version": "1",
            "step": steps[n % len(steps)],
            "role": roles[n % len(roles)],
            "status": "ended" if n % len(steps) == 1 else "active",
            "data": {},
            "parent_id": f"K-{n // 7:05d}" if n % 7 else None,
            "place": f"前郭县/乡{n % 22}/村{n % 233}",
            "created_at": at,
            "updated_at": at,
            "entered_at": at,
            "last_checks": {},
            "children": [],
            "next_due_at": at + timedelta(minutes=n),
            "next_timer_at": at + timedelta(days=14, minutes=n) if n % 5 == 0 else None,
            "seq": 1,
        }
        for n in range(count)
    ]
    with store.writing() as conn:
        conn.execute(
            flow_versions.insert(),
            [
                {
                    "flow_id": "key_person_control",
                    "digest": "d",
                    "version": "1",
                    "source": "id: key_person_control",
                    "saved_at": at,
                }
            ],
        )
        conn.execute(cases.insert(), rows)
    with store.writing() as conn:
        conn.exec_driver_sql("ANALYZE")


def plan(store: Store, query: sa.Select[object]) -> str:
    with store.reading() as conn:
        sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        if store.is_sqlite:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql).fetchall()
            return "\n".join(str(row[-1]) for row in rows)
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # small test tables: as if large
        return "\n".join(str(row[0]) for row in conn.exec_driver_sql("EXPLAIN " + sql))


@pytest.mark.parametrize("name", FILTERS)
def test_each_list_is_served_by_an_index(store: Store, name: str) -> None:
    fill(store)
    filters, index = FILTERS[name]
    shown = plan(store, store.query(CaseFilter(**filters)))
    assert index in shown, shown
    assert "SCAN cases\n" not in shown + "\n" and "Seq Scan" not in shown, shown


def test_places_below_a_place_are_found_and_no_others(store: Store) -> None:
    rows = [
        ("A", "前郭县"),
        ("B", "前郭县/平凤乡"),
        ("C", "前郭县/平凤乡/3组"),
        ("D", "前郭县0"),
        ("E", "前郭县镇"),
        ("F", "前郭"),
        ("G", None),
        ("H", "前郭县/a_b%"),
    ]
    with store.writing() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO flow_versions (flow_id, digest, version, source, saved_at) "
                "VALUES ('f', 'd', '1', 'id: f', :at)"
            ),
            {"at": NOW.replace(tzinfo=None)},
        )
        for case_id, place in rows:
            conn.execute(
                sa.text(
                    "INSERT INTO cases (id, flow_id, flow_digest, flow_version, step, status, data, "
                    "place, created_at, updated_at, entered_at, last_checks, children, seq) VALUES "
                    "(:id, 'f', 'd', '1', 's', 'active', '{}', :place, :at, :at, :at, '{}', '[]', 1)"
                ),
                {"id": case_id, "place": place, "at": NOW.replace(tzinfo=None)},
            )
    with store.reading() as conn:

        def ids(place: str) -> list[str]:
            return [row.id for row in conn.execute(store.query(CaseFilter(place=place)))]

        assert ids("前郭县") == ["A", "B", "C", "H"]
        assert ids("前郭县/平凤乡") == ["B", "C"]
        assert ids("前郭县/a_b%") == ["H"]
        assert ids("前郭县/a") == []


def test_places_below_a_place_have_pattern_ordered_indexes_on_postgresql(store: Store) -> None:
    """Declared only when a PostgreSQL store is opened (the dialect is slow to import), and made."""
    if store.is_sqlite:
        pytest.skip("PostgreSQL's pattern ordering; SQLite's LIKE prefix uses ix_cases_place")
    with store.reading() as conn:
        inspector = sa.inspect(conn)
        made = {(table, i["name"]) for table in ("cases", "places") for i in inspector.get_indexes(table)}
    assert {("cases", "ix_cases_place_below"), ("places", "ix_places_below")} <= made


def fill_history(store: Store) -> None:
    """Each case of `fill` with a start, two checks and a move, an hour apart, ending at NOW."""
    at = NOW.replace(tzinfo=None)
    with store.reading() as conn:
        rows = conn.execute(sa.select(cases.c.id, cases.c.step)).all()
    entries = [
        {
            "case_id": case_id,
            "seq": seq,
            "at": at - timedelta(hours=4 - seq, minutes=n % 60),
            "kind": kind,
            "name": kind,
            "actor": "王芳",
            "to_step": to_step,
            "changes": {},
        }
        for n, (case_id, step) in enumerate(rows)
        for seq, kind, to_step in (
            (1, "start", "lead"),
            (2, "check", None),
            (3, "check", None),
            (4, "action", step),
        )
    ]
    with store.writing() as conn:
        conn.execute(events.insert(), entries)
    with store.writing() as conn:
        conn.exec_driver_sql("ANALYZE")


def test_the_daily_reports_counts_read_the_moves_of_the_day_not_the_whole_history(store: Store) -> None:
    """Who stood where at the cut-off and what was entered in the day: the history is searched by
    the index of moves by time, never read whole, and the cases at the report's steps are
    found by their index."""
    fill(store)
    fill_history(store)
    cut = NOW - timedelta(hours=1)
    wanted = {"key_person_control": {"home_observation", "step_3"}}
    queries = [
        *standing_queries(cut, place=None, below=store.below, wanted=wanted),
        entries_query(cut - timedelta(days=1), cut, place=None, below=store.below),
    ]
    for query in queries:
        shown = plan(store, query)
        assert "ix_events_moves_at" in shown, shown
        assert "SCAN events" not in shown and "Seq Scan on events" not in shown, shown
    still = plan(store, queries[0])
    assert "ix_cases_flow_step" in still, still
