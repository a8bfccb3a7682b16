"""The `case_identities` index (issue 11, C3): whom each case is about, written with the case in
its change's transaction, and read to find the open cases of a flow about a person, household or
dwelling, so that a signal goes to them and not to whichever case sent it."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sopflow.cases.records import CaseStatus
from sopflow.store.tables import case_identities, cases

VALUE_LENGTH = 200  # the column's length: longer values are kept by their beginning


def write_identities(conn: Connection, case_id: str, values: Mapping[str, str], *, new: bool) -> None:
    """Replace what the index holds for the case by `values` (kind → value)."""
    if not new:
        conn.execute(case_identities.delete().where(case_identities.c.case_id == case_id))
    rows = [{"case_id": case_id, "kind": k, "value": v[:VALUE_LENGTH]} for k, v in values.items()]
    if rows:
        conn.execute(case_identities.insert(), rows)


def identities_of(conn: Connection, case_id: str) -> dict[str, str]:
    """What the index holds for the case (kind → value), for `verify`."""
    query = sa.select(case_identities.c.kind, case_identities.c.value).where(
        case_identities.c.case_id == case_id
    )
    return {row.kind: row.value for row in conn.execute(query)}


def open_cases_about(conn: Connection, flow_id: str, kind: str, value: str) -> list[str]:
    """The ids of the open cases of `flow_id` about that person, household or dwelling, in id
    order (the order their rows are then locked in, as every change locks them)."""
    query = (
        sa.select(cases.c.id)
        .join(case_identities, case_identities.c.case_id == cases.c.id)
        .where(
            case_identities.c.kind == kind,
            case_identities.c.value == value[:VALUE_LENGTH],
            cases.c.flow_id == flow_id,
            cases.c.status == str(CaseStatus.ACTIVE),
        )
        .order_by(cases.c.id)
    )
    return list(conn.execute(query).scalars())
