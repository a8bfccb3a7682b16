"""The `alerts` table: written from a change's ALERT and ALERT_CLOSED events in the same
transaction, read for a case's open alerts, for `due` and `alert list` by place, and by `verify`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sopflow.cases.alerts import Alert, AlertRow, closed_seq
from sopflow.cases.records import Case, Event, EventKind
from sopflow.store.queries import below
from sopflow.store.rows import naive, utc
from sopflow.store.tables import alerts, cases

CHUNK = 500  # case ids per IN (...) list
# A case's row with its open alerts, in one statement: read with every case a change reads
# (store.Store.get). Prepared once; the alerts' columns are named "alert_<column>"; a case
# without any has one row, its alert columns null.
#
# A change on PostgreSQL reads a case unlocked first (saved only if the case did not change
# meanwhile: engine/bulk.py, Bulk._change); when it must lock it (it lost that race), its row is
# first locked by a statement of its own (LOCK_CASE), and only then read with its alerts. Locked
# and read in one statement, a change that waited for another's lock would see the other's case
# row but the alerts as they were before it (READ COMMITTED takes a statement's snapshot before
# it waits, and rechecks only the locked row): an alert closed twice, or one raised and missed.
# SQLite needs no lock: BEGIN IMMEDIATE has the whole store before anything is read.
ALERT = "alert_"
_OPEN_OF_ROW = sa.and_(alerts.c.case_id == cases.c.id, alerts.c.closed_at.is_(None))
_WITH_ALERTS = sa.select(
    cases, *(column.label(ALERT + column.name) for column in alerts.columns)
).select_from(cases.outerjoin(alerts, _OPEN_OF_ROW))
CASE_BY_ID = _WITH_ALERTS.where(cases.c.id == sa.bindparam("wanted_id")).order_by(alerts.c.seq)
LOCK_CASE = sa.select(cases.c.id).where(cases.c.id == sa.bindparam("wanted_id")).with_for_update()


def cases_with_alerts(case_ids: Sequence[str]) -> sa.Select[Any]:
    """Several cases' rows with their open alerts, as CASE_BY_ID reads one (`tick`'s batches:
    one statement a batch, not one a case), by id."""
    return _WITH_ALERTS.where(cases.c.id.in_(case_ids)).order_by(cases.c.id, alerts.c.seq)


def lock_cases(case_ids: Sequence[str]) -> sa.Select[Any]:
    """Lock several cases' rows (PostgreSQL), in id order as every batch locks them, before
    they are read with cases_with_alerts (see LOCK_CASE)."""
    return sa.select(cases.c.id).where(cases.c.id.in_(case_ids)).order_by(cases.c.id).with_for_update()


ALERT_EVENTS = frozenset({EventKind.ALERT, EventKind.ALERT_CLOSED})


class OpenAlert(NamedTuple):
    """An open alert with where its case stands (for `due` and `alert list`)."""

    alert: Alert
    flow_id: str
    flow_digest: str
    step: str
    place: str | None


def write_alerts(conn: Connection, case: Case, new_events: Sequence[Event], *, moved: bool) -> None:
    """Insert the alerts `new_events` raise and close those they close; `moved`: the case's place
    changed in this change (a transfer), so its open alerts go with it."""
    raised = [e for e in new_events if e.kind is EventKind.ALERT]
    if raised:
        conn.execute(alerts.insert(), [_row(case, e) for e in raised])
    for event in new_events:
        if event.kind is EventKind.ALERT_CLOSED:
            conn.execute(
                alerts.update()
                .where(alerts.c.case_id == case.id, alerts.c.seq == closed_seq(event.why))
                .values(closed_seq=event.seq, closed_at=naive(event.at))
            )
    if moved:
        conn.execute(
            alerts.update()
            .where(alerts.c.case_id == case.id, alerts.c.closed_at.is_(None))
            .values(place=case.place)
        )


def _row(case: Case, event: Event) -> dict[str, Any]:
    why = dict(event.why or {})
    return {
        "case_id": case.id,
        "seq": event.seq,
        "kind": str(why.get("kind")),
        "name": event.name,
        "raised_at": naive(event.at),
        "roles": list(why.get("roles", ())),
        "place": case.place,
        "detail": {k: v for k, v in why.items() if k not in ("kind", "roles")},
        "closed_seq": None,
        "closed_at": None,
    }


def open_alerts(conn: Connection, case_ids: Iterable[str]) -> dict[str, tuple[Alert, ...]]:
    """The open alerts of these cases, oldest first, by case id (cases without any left out)."""
    found: dict[str, list[Alert]] = defaultdict(list)
    ids = list(case_ids)
    for start in range(0, len(ids), CHUNK):
        query = (
            sa.select(alerts)
            .where(alerts.c.closed_at.is_(None), alerts.c.case_id.in_(ids[start : start + CHUNK]))
            .order_by(alerts.c.case_id, alerts.c.seq)
        )
        for row in conn.execute(query):
            found[row.case_id].append(_alert(row._mapping))
    return {case_id: tuple(items) for case_id, items in found.items()}


def open_alerts_of(rows: Sequence[Mapping[str, Any]]) -> tuple[Alert, ...]:
    """The open alerts of a case's rows read by CASE_BY_ID (none: one row, its alert columns null)."""
    start = len(ALERT)
    return tuple(
        _alert({name[start:]: value for name, value in row.items() if name.startswith(ALERT)})
        for row in rows
        if row[ALERT + "seq"] is not None
    )


def select_open(conn: Connection, *, case_id: str | None, place: str | None, sqlite: bool) -> list[OpenAlert]:
    """Open alerts (of one case, or at a place and below it), oldest first."""
    query = (
        sa.select(alerts, cases.c.flow_id, cases.c.flow_digest, cases.c.step)
        .join(cases, cases.c.id == alerts.c.case_id)
        .where(alerts.c.closed_at.is_(None))
        .order_by(alerts.c.raised_at, alerts.c.case_id, alerts.c.seq)
    )
    if case_id is not None:
        query = query.where(alerts.c.case_id == case_id)
    if place is not None:
        under = below(place, sqlite=sqlite, column=alerts.c.place)
        query = query.where(sa.or_(alerts.c.place == place, under))
    return [
        OpenAlert(_alert(row._mapping), row.flow_id, row.flow_digest, row.step, row.place)
        for row in conn.execute(query)
    ]


def rows_of(conn: Connection, case_id: str) -> list[AlertRow]:
    """Every alert row of a case, by seq (for `verify`)."""
    query = sa.select(alerts).where(alerts.c.case_id == case_id).order_by(alerts.c.seq)
    return [
        AlertRow(
            row.seq,
            row.kind,
            row.name,
            utc(row.raised_at),
            tuple(row.roles),
            row.closed_seq,
            None if row.closed_at is None else utc(row.closed_at),
        )
        for row in conn.execute(query)
    ]


def _alert(row: Any) -> Alert:
    return Alert(
        row["case_id"],
        row["seq"],
        row["kind"],
        row["name"],
        utc(row["raised_at"]),
        tuple(row["roles"]),
        MappingProxyType(dict(row["detail"])),
    )
