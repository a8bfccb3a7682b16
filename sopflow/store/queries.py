"""Which cases a list, `due` or `tick` reads: one SELECT per CaseFilter, each filter in a form an
index serves (tests/store/test_query_plans.py looks at the plans)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sopflow.cases.filter import CaseFilter
from sopflow.store.rows import naive, utc
from sopflow.store.tables import cases, events


def case_query(where: CaseFilter, *, sqlite: bool) -> sa.Select[Any]:
    """The SELECT of the cases matching `where`, by id."""
    query = sa.select(cases).order_by(cases.c.id)
    equal = {
        "flow_id": where.flow_id,
        "step": where.step,
        "role": where.role,
        "status": where.status,
        "parent_id": where.parent_id,
        "assigned_to": where.worker,
    }
    for column, value in equal.items():
        if value is not None:
            query = query.where(cases.c[column] == value)
    if where.after_id is not None:
        query = query.where(cases.c.id > where.after_id)
    if where.place is not None:
        query = query.where(sa.or_(cases.c.place == where.place, below(where.place, sqlite=sqlite)))
    if where.due_before is not None:
        query = query.where(cases.c.status == "active", cases.c.next_due_at <= naive(where.due_before))
    if where.timer_before is not None:
        query = query.where(cases.c.status == "active", cases.c.next_timer_at <= naive(where.timer_before))
    if where.limit is not None:
        query = query.limit(where.limit)
    return query


DueRow = tuple[str, str, str, str | None, str | None]  # id, flow, step, place, kept due list


def due_rows(conn: Connection, where: CaseFilter, *, sqlite: bool) -> Sequence[DueRow]:
    """The cases `due` reads (`where` has `due_before`), as the few columns it needs: their due
    lists are kept with them (engine/schedule.kept_times), so no case is read whole."""
    columns = (cases.c.id, cases.c.flow_id, cases.c.step, cases.c.place, cases.c.due_list)
    result = conn.execute(case_query(where, sqlite=sqlite).with_only_columns(*columns))
    try:  # text columns, which SQLAlchemy passes through as the driver gives them: its rows
        return result.cursor.fetchall()  # cost more than reading the lists (5 µs a case)
    finally:
        result.close()


def ids_matching(conn: Connection, where: CaseFilter, *, sqlite: bool) -> list[str]:
    """The ids of the cases matching `where`, in order: what `tick` reads first (each case is
    read whole, and locked, only in the transaction that changes it)."""
    return list(conn.execute(case_query(where, sqlite=sqlite).with_only_columns(cases.c.id)).scalars())


def kept_lists(conn: Connection, case_ids: Sequence[str]) -> dict[str, str | None]:
    """The due list each case's row keeps, by id (for `verify`, a batch at a time)."""
    query = sa.select(cases.c.id, cases.c.due_list).where(cases.c.id.in_(case_ids))
    return {row.id: row.due_list for row in conn.execute(query)}


Reading = tuple[datetime, str, dict[str, Any]]  # when (UTC), which check, field -> [before, after]


def last_readings(conn: Connection, case_ids: Sequence[str]) -> dict[str, Reading]:
    """The last check recorded on each case, whatever step it was at (a case's row keeps only the
    readings of its current step's visit: a fever moves the case on, and they are gone from it),
    by id: when (UTC), which check, and what it recorded (field -> [before, after])."""
    latest = (
        sa.select(events.c.case_id, sa.func.max(events.c.seq).label("seq"))
        .where(events.c.case_id.in_(case_ids), events.c.kind == "check")
        .group_by(events.c.case_id)
        .subquery()
    )
    query = sa.select(events.c.case_id, events.c.at, events.c.name, events.c.changes).join(
        latest, sa.and_(events.c.case_id == latest.c.case_id, events.c.seq == latest.c.seq)
    )
    return {row.case_id: (utc(row.at), row.name, row.changes or {}) for row in conn.execute(query)}


def below(
    place: str, *, sqlite: bool, column: sa.ColumnElement[str] = cases.c.place
) -> sa.ColumnElement[bool]:
    """Places below `place` ('前郭县/平凤乡' is below '前郭县'), in a form an index can serve.
    SQLite compares text bytewise, so they are the range from 'place/' up to 'place0' ('0'
    follows '/'); its LIKE ignores case and cannot use an index. PostgreSQL takes LIKE with
    the pattern index of tables.py. `column`: another table's place (the alerts')."""
    if sqlite:
        return sa.and_(column >= place + "/", column < place + "0")
    return column.startswith(place + "/", autoescape=True)
