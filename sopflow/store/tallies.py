"""Counts the store makes itself: cases by place, flow, step and role (now, or as they stood at a
moment), entries into steps between two moments, and open alerts. Each is one SELECT with GROUP
BY, so a report over a county's cases reads a few hundred rows of counts, never the cases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sopflow.store.rows import naive
from sopflow.store.tables import alerts, cases, events, places

Below = Callable[[str], sa.ColumnElement[bool]]
GONE = ("cancelled", "merged")  # outcomes of cases that never were (cancelled) or live on in another


class StepCount(NamedTuple):
    """How many cases of a flow stand at a step at a place; of them, how many are overdue."""

    place: str | None
    flow_id: str
    step: str
    role: str | None
    number: int
    overdue: int


class EntryCount(NamedTuple):
    """How many times cases of a flow at a place entered a step (or were started: kind "start")."""

    place: str | None
    flow_id: str
    kind: str
    step: str | None
    number: int


def _at_place(column: Any, place: str | None, below: Below) -> sa.ColumnElement[bool]:
    return sa.true() if place is None else sa.or_(column == place, below(place))


def active_steps(
    conn: Connection, now: datetime, *, place: str | None, below: Below, worker: str | None = None
) -> list[StepCount]:
    """Active cases now, by place, flow, step and role; overdue: a deadline or check due by `now`
    (the indexed next due time every change keeps)."""
    late = sa.func.sum(sa.case((cases.c.next_due_at <= naive(now), 1), else_=0))
    query = (
        sa.select(cases.c.place, cases.c.flow_id, cases.c.step, cases.c.role, sa.func.count(), late)
        .where(cases.c.status == "active", _at_place(cases.c.place, place, below))
        .group_by(cases.c.place, cases.c.flow_id, cases.c.step, cases.c.role)
    )
    if worker is not None:
        query = query.where(cases.c.assigned_to == worker)
    return [StepCount(r[0], r[1], r[2], r[3], int(r[4]), int(r[5] or 0)) for r in conn.execute(query)]


def steps_at(conn: Connection, moment: datetime, *, place: str | None, below: Below) -> list[StepCount]:
    """Cases by the step they stood at at `moment` (the step their last entry before it went to),
    by place and flow; cases cancelled or merged away are left out. `overdue` is 0: due times are
    kept only as they stand now."""
    last = (
        sa.select(events.c.case_id, sa.func.max(events.c.seq).label("seq"))
        .where(events.c.at <= naive(moment), events.c.to_step.is_not(None))
        .group_by(events.c.case_id)
        .subquery()
    )
    query = (
        sa.select(cases.c.place, cases.c.flow_id, events.c.to_step, sa.func.count())
        .select_from(last)
        .join(events, sa.and_(events.c.case_id == last.c.case_id, events.c.seq == last.c.seq))
        .join(cases, cases.c.id == last.c.case_id)
        .where(sa.or_(cases.c.outcome.is_(None), cases.c.outcome.not_in(GONE)))
        .where(_at_place(cases.c.place, place, below))
        .group_by(cases.c.place, cases.c.flow_id, events.c.to_step)
    )
    return [StepCount(r[0], r[1], r[2], None, int(r[3]), 0) for r in conn.execute(query)]


def entries_between(
    conn: Connection, start: datetime, end: datetime, *, place: str | None, below: Below
) -> list[EntryCount]:
    """Starts and entries into steps with `start` <= time < `end`, by place, flow, kind and step."""
    query = (
        sa.select(cases.c.place, cases.c.flow_id, events.c.kind, events.c.to_step, sa.func.count())
        .select_from(events)
        .join(cases, cases.c.id == events.c.case_id)
        .where(events.c.at >= naive(start), events.c.at < naive(end), events.c.to_step.is_not(None))
        .where(sa.or_(cases.c.outcome.is_(None), cases.c.outcome.not_in(GONE)))
        .where(_at_place(cases.c.place, place, below))
        .group_by(cases.c.place, cases.c.flow_id, events.c.kind, events.c.to_step)
    )
    return [EntryCount(r[0], r[1], str(r[2]), r[3], int(r[4])) for r in conn.execute(query)]


def open_alerts(conn: Connection, *, place: str | None) -> list[tuple[str | None, int]]:
    """Open alerts (signals kept on a case until someone sees to them, issue 11) by the place of
    their case, from the `alerts` table's index on (place, closed_at)."""
    query = (
        sa.select(alerts.c.place, sa.func.count())
        .where(alerts.c.closed_at.is_(None))
        .where(_at_or_below(alerts.c.place, place))
        .group_by(alerts.c.place)
    )
    return [(r[0], int(r[1])) for r in conn.execute(query)]


def place_paths(conn: Connection, kinds: tuple[str, ...], under: str | None) -> list[str]:
    """The registry's places of `kinds` at or below `under`, by path (a report's rows)."""
    query = sa.select(places.c.path).where(places.c.kind.in_(kinds)).order_by(places.c.path)
    if under is not None:
        query = query.where(sa.or_(places.c.path == under, _path_below(places.c.path, under)))
    return list(conn.execute(query).scalars())


def _at_or_below(column: Any, place: str | None) -> sa.ColumnElement[bool]:
    """A place column at `place` or below it (by its path); anything when no place is wanted."""
    return sa.true() if place is None else sa.or_(column == place, _path_below(column, place))


def _path_below(column: Any, path: str) -> sa.ColumnElement[bool]:
    """Paths below `path`, as a range an index serves (see Store.below)."""
    return sa.and_(column >= path + "/", column < path + "0")
