"""Saving a change's cases and their events: the statements Store.write runs, grouped so that a
batch of many cases (a tick's 200) is a few executemany calls, not two statements a case."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from sopflow.store.alertrows import ALERT_EVENTS, write_alerts
from sopflow.store.identities import write_identities
from sopflow.store.rows import ALL_COLUMNS, INSERT_CASE, CaseWrite, case_row, event_row
from sopflow.store.sqlrun import Prepared

MANY = 8  # updates of one set of columns sent as one executemany from this many on


def write_cases(
    conn: Connection,
    writes: Sequence[CaseWrite],
    update_of: Callable[[tuple[str, ...]], Prepared],
    insert_events: Prepared,
) -> list[str]:
    """Save `writes` in the caller's transaction; the ids someone else changed (or made) first.
    Nothing is saved for those; the caller rolls the whole transaction back."""
    conflicts = [item.case.id for item in writes if item.read_seq is None and not _inserted(conn, item)]
    groups: dict[tuple[str, ...], list[CaseWrite]] = {}
    for item in writes:
        if item.read_seq is not None:
            groups.setdefault(item.changed_columns(), []).append(item)
    for columns, items in groups.items():
        conflicts += _updated(conn, update_of(columns), columns, items)
    saved = [item for item in writes if item.case.id not in conflicts]
    events = [event_row(item.case.id, event) for item in saved for event in item.new_events]
    if events:
        insert_events.execute_many(conn, events)
    for item in saved:
        if item.identities is not None:
            write_identities(conn, item.case.id, item.identities, new=item.read_seq is None)
        moved = item.before is not None and item.before.place != item.case.place
        if moved or any(e.kind in ALERT_EVENTS for e in item.new_events):
            write_alerts(conn, item.case, item.new_events, moved=moved)
    return conflicts


def _inserted(conn: Connection, item: CaseWrite) -> bool:
    """Insert a new case; False if a case of that id was made meanwhile."""
    try:
        with conn.begin_nested():
            conn.execute(INSERT_CASE, case_row(item, ALL_COLUMNS))
    except IntegrityError:
        return False
    return True


def _updated(
    conn: Connection, update: Prepared, columns: tuple[str, ...], items: list[CaseWrite]
) -> list[str]:
    """Update cases still at the seq they were read with; the ids that were not."""
    rows = []
    for item in items:
        row: dict[str, Any] = case_row(item, columns)
        row["read_id"], row["read_seq"] = item.case.id, item.read_seq
        rows.append(row)
    if len(rows) >= MANY:
        together = conn.begin_nested()
        if update.execute_many(conn, rows) == len(rows):
            together.commit()
            return []
        together.rollback()  # someone changed one meanwhile: which, one at a time tells
    one_by_one = zip(items, rows, strict=True)
    return [item.case.id for item, row in one_by_one if update.execute_many(conn, [row]) != 1]
