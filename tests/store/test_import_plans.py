"""Every lookup a people import makes in the registry (places by path, households by code,
people by ID number, by name and phone) is served by an index, on SQLite and PostgreSQL: the
database's own plan for each statement the import ran reads no whole table. A lookup that scans
makes each batch of a county's import slower than the one before."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sopflow.intake.people import PeopleIntake
from sopflow.intake.places import PlacesIntake
from sopflow.intake.run import run_import
from sopflow.store.sqlrun import Prepared
from sopflow.store.store import Store

PLACES = [
    ["县", "乡镇", "社区", "小区", "楼", "单元", "层", "户"],
    *(["前郭县", "前郭镇", "东风社区", "幸福小区", "3号楼", "1单元", "1层", f"10{n}"] for n in range(1, 7)),
]
AT = ["前郭镇", "东风社区", "幸福小区", "3号楼", "1单元", "1层"]
PEOPLE = [
    ["姓名", "身份证号", "联系电话", "户编号", "乡镇", "社区", "小区", "楼", "单元", "层", "户"],
    ["张三", "220721198503120045", "13812345678", "H-101", *AT, "101"],
    ["李四", "", "13900001111", "H-102", *AT, "102"],
    ["王五", "", "13700002222", "H-102", *AT, "102"],
]
REGISTRY_TABLES = ("people", "places", "households")


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(rows)
    return path


def plan(store: Store, statement: str, parameters: Any) -> str:
    """The database's plan for one statement as the import ran it, with its parameters."""
    with store.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        if store.is_sqlite:
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = off")  # small test tables: plan as for a county's
        cursor.execute("EXPLAIN " + statement, parameters)
        shown = "\n".join(str(row[0]) for row in cursor.fetchall())
        raw.rollback()
        return shown


def test_a_people_import_reads_the_registry_through_indexes(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_import(store, PlacesIntake(), write_csv(tmp_path / "places.csv", PLACES), lang="en")
    people_file = write_csv(tmp_path / "people.csv", PEOPLE)
    run_import(store, PeopleIntake(date(2020, 2, 4), "前郭县"), people_file, lang="en")
    selects: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and not many:
            selects.append((statement, parameters))

    def prepared(statement: Prepared, conn: sa.Connection, values: Any) -> Any:
        seen(conn, None, statement.sql, statement.params(values), None, False)
        return run_prepared(statement, conn, values)

    run_prepared = Prepared.execute
    monkeypatch.setattr(Prepared, "execute", prepared)  # statements run on the driver's cursor
    sa.event.listen(store.engine, "before_cursor_execute", seen)
    try:  # again: everyone is found, by ID number or by name and phone
        again = run_import(store, PeopleIntake(date(2020, 2, 4), "前郭县"), people_file, lang="en")
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", seen)
    assert (again.counts.unchanged, again.counts.new) == (3, 0)
    looked_up = [s for s in selects if any(f" {table}" in s[0] for table in REGISTRY_TABLES)]
    assert any("people.phone_key" in s.partition("WHERE")[2] for s, _ in looked_up)  # by name and phone
    for statement, parameters in looked_up:
        shown = plan(store, statement, parameters)
        scans = [
            line
            for line in shown.splitlines()
            if "Seq Scan" in line or any(f"SCAN {table}" in line for table in REGISTRY_TABLES)
        ]
        assert not scans, f"{statement}\n{shown}"
