"""Counts the store makes itself: cases by place, flow, step and role (now, or as they stood at a
moment), entries into steps between two moments, and open alerts. Each is a SELECT with GROUP BY
(two for who stood where at a moment), so a report over a county's cases reads a few hundred rows
of counts, never the cases."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sopflow.store.rows import naive
from sopflow.store.tables import alerts, cases, events, places

Below = Callable[[str], sa.ColumnElement[bool]]
# The entries a report counts: into which steps, by flow; and the flows whose starts it counts
Entries = tuple[Mapping[str, Collection[str]], Collection[str]]
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
    conn: Connection,
    now: datetime,
    *,
    place: str | None,
    below: Below,
    worker: str | None = None,
    overdue_only: bool = False,
) -> list[StepCount]:
    """Active cases now, by place, flow, step and role; overdue: a deadline or check due by `now`
    (the indexed next due time every change keeps). `overdue_only`: only the overdue cases,
    found by that index (a report's overdue columns need no others)."""
    late = sa.func.sum(sa.case((cases.c.next_due_at <= naive(now), 1), else_=0))
    query = (
        sa.select(cases.c.place, cases.c.flow_id, cases.c.step, cases.c.role, sa.func.count(), late)
        .where(cases.c.status == "active", _at_place(cases.c.place, place, below))
        .group_by(cases.c.place, cases.c.flow_id, cases.c.step, cases.c.role)
    )
    if overdue_only:
        query = query.where(cases.c.next_due_at <= naive(now))
    if worker is not None:
        query = query.where(cases.c.assigned_to == worker)
    return [StepCount(r[0], r[1], r[2], r[3], int(r[4]), int(r[5] or 0)) for r in conn.execute(query)]


def steps_at(
    conn: Connection,
    moment: datetime,
    *,
    place: str | None,
    below: Below,
    wanted: Mapping[str, Collection[str]] | None = None,
) -> list[StepCount]:
    """Cases by the step they stood at at `moment` (the step their last entry before it went to),
    by place and flow; cases cancelled or merged away are left out. `overdue` is 0: due times are
    kept only as they stand now.

    A case that has not moved since `moment` stands where its row says (a case row is the fold
    of its history, `verify` checks it): those are counted from the cases table. Only the cases
    that moved after `moment`, found by the index of moves by time, are looked up in their
    history: a county's report reads the cases that moved since its cut-off, not its millions of
    entries. With `wanted` (flow -> steps), only cases at those steps are counted."""
    return [
        StepCount(r[0], r[1], r[2], None, int(r[3]), 0)
        for query in standing_queries(moment, place=place, below=below, wanted=wanted)
        for r in conn.execute(query)
    ]


def standing_queries(
    moment: datetime, *, place: str | None, below: Below, wanted: Mapping[str, Collection[str]] | None
) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """The two counts of `steps_at`: cases not moved since `moment`, from their rows; cases moved
    since, from their last move before it."""
    cut = naive(moment)
    moved = (
        sa.select(events.c.case_id).where(events.c.at > cut, events.c.to_step.is_not(None)).scalar_subquery()
    )
    still = (
        sa.select(cases.c.place, cases.c.flow_id, cases.c.step, sa.func.count())
        .where(cases.c.id.not_in(moved), _kept(), _at_place(cases.c.place, place, below))
        .group_by(cases.c.place, cases.c.flow_id, cases.c.step)
    )
    if wanted is not None:
        still = still.where(_at_steps(cases.c.step, wanted))
    last = (
        sa.select(events.c.case_id, sa.func.max(events.c.seq).label("seq"))
        .where(events.c.case_id.in_(moved), events.c.at <= cut, events.c.to_step.is_not(None))
        .group_by(events.c.case_id)
        .subquery()
    )
    then = (
        sa.select(cases.c.place, cases.c.flow_id, events.c.to_step, sa.func.count())
        .select_from(last)
        .join(events, sa.and_(events.c.case_id == last.c.case_id, events.c.seq == last.c.seq))
        .join(cases, cases.c.id == last.c.case_id)
        .where(_kept(), _at_place(cases.c.place, place, below))
        .group_by(cases.c.place, cases.c.flow_id, events.c.to_step)
    )
    if wanted is not None:
        then = then.where(_at_steps(events.c.to_step, wanted))
    return still, then


def _kept() -> sa.ColumnElement[bool]:
    """Cases that count: not cancelled (never were) nor merged away (live on in another)."""
    return sa.or_(cases.c.outcome.is_(None), cases.c.outcome.not_in(GONE))


def _at_steps(step: Any, wanted: Mapping[str, Collection[str]]) -> sa.ColumnElement[bool]:
    """Cases whose `step` is one of the wanted steps of their flow (on the cases table, the index
    on flow and step serves it)."""
    return sa.or_(
        sa.false(),
        *(
            sa.and_(cases.c.flow_id == flow_id, step.in_(sorted(steps)))
            for flow_id, steps in sorted(wanted.items())
            if steps
        ),
    )


def entries_between(
    conn: Connection,
    start: datetime,
    end: datetime,
    *,
    place: str | None,
    below: Below,
    wanted: Entries | None = None,
) -> list[EntryCount]:
    """Starts and entries into steps with `start` <= time < `end`, by place, flow, kind and step;
    with `wanted`, only the entries and starts it names."""
    query = entries_query(start, end, place=place, below=below, wanted=wanted)
    return [EntryCount(r[0], r[1], str(r[2]), r[3], int(r[4])) for r in conn.execute(query)]


def entries_query(
    start: datetime, end: datetime, *, place: str | None, below: Below, wanted: Entries | None = None
) -> sa.Select[Any]:
    """The count of `entries_between`. The window's moves are read from the index of moves by
    time and counted by case first (the moves not wanted are left in the index: a sweep day's
    thousands of visits, which no column counts, are never joined to their cases); only then is
    each case looked up, for its place and flow. Counted by case in a subquery of its own, the
    moves are read first: joined directly, SQLite (without statistics, or with them) chose on
    the full simulated county to read every key person's whole history through the cases'
    index on flow instead."""
    moves = sa.and_(events.c.at >= naive(start), events.c.at < naive(end), events.c.to_step.is_not(None))
    if wanted is not None:
        steps = sorted({step for listed in wanted[0].values() for step in listed})
        moves = sa.and_(moves, sa.or_(events.c.kind == "start", events.c.to_step.in_(steps)))
    number = sa.func.count().label("number")
    by_case = (
        sa.select(events.c.case_id, events.c.kind, events.c.to_step, number)
        .where(moves)
        .group_by(events.c.case_id, events.c.kind, events.c.to_step)
        .subquery("moves")
    )
    query = (
        sa.select(
            cases.c.place, cases.c.flow_id, by_case.c.kind, by_case.c.to_step, sa.func.sum(by_case.c.number)
        )
        .select_from(by_case.join(cases, cases.c.id == by_case.c.case_id))
        .where(_kept(), _at_place(cases.c.place, place, below))
        .group_by(cases.c.place, cases.c.flow_id, by_case.c.kind, by_case.c.to_step)
    )
    if wanted is None:
        return query
    entered, started = wanted
    is_start = by_case.c.kind == "start"
    return query.where(
        sa.or_(
            sa.and_(is_start, cases.c.flow_id.in_(sorted(started))),
            sa.and_(by_case.c.kind != "start", _at_steps(by_case.c.to_step, entered)),
        )
    )


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
