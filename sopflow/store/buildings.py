"""What a building chart reads: the doors of a compound (or a hamlet) from the registry, how many
people live behind each, and the cases at each door. Three SELECTs for one compound."""

from __future__ import annotations

from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sopflow.store.tables import cases, people, places


class Door(NamedTuple):
    path: str
    people: int


class DoorCase(NamedTuple):
    """A case at a door, as much of it as a chart needs."""

    id: str
    place: str
    flow_id: str
    step: str
    status: str
    data: dict[str, Any]


def _under(column: Any, path: str) -> sa.ColumnElement[bool]:
    return sa.and_(column >= path + "/", column < path + "0")  # below `path`, as an index range


def doors_under(conn: Connection, path: str) -> list[Door]:
    """Every door at or below `path`, with the number of people living there, by path."""
    living = (
        sa.select(people.c.dwelling_id, sa.func.count().label("n")).group_by(people.c.dwelling_id).subquery()
    )
    query = (
        sa.select(places.c.path, sa.func.coalesce(living.c.n, 0))
        .outerjoin(living, living.c.dwelling_id == places.c.id)
        .where(places.c.kind == "door", _under(places.c.path, path))
        .order_by(places.c.path)
    )
    return [Door(row[0], int(row[1])) for row in conn.execute(query)]


def cases_under(conn: Connection, path: str) -> list[DoorCase]:
    """The cases whose place is at or below `path` (every door of a compound), by id."""
    query = (
        sa.select(cases.c.id, cases.c.place, cases.c.flow_id, cases.c.step, cases.c.status, cases.c.data)
        .where(sa.or_(cases.c.place == path, _under(cases.c.place, path)))
        .order_by(cases.c.id)
    )
    return [DoorCase(r[0], r[1], r[2], r[3], r[4], dict(r[5] or {})) for r in conn.execute(query)]


def place_kind(conn: Connection, path: str) -> str | None:
    return conn.execute(sa.select(places.c.kind).where(places.c.path == path)).scalar_one_or_none()
