"""Store.write sends a batch's updates of one set of columns as one executemany (a tick's 200
cases, store/casewrites.py) and must still name exactly the cases someone changed meanwhile."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from sopflow import Case, Engine
from sopflow.cases.records import _FIELD_NAMES
from sopflow.store import casewrites
from sopflow.store.rows import CaseWrite

if TYPE_CHECKING:
    from tests.conftest import Clock

REQUEST = {"household_id": "H-1", "address": "前郭镇东风社区3号楼2单元501"}


def _next(case: Case) -> Case:
    """The case as a change would leave it: one seq on (nothing else matters here)."""
    fields = dict(zip(_FIELD_NAMES, case._fields(), strict=True))
    return Case(**{**fields, "seq": case.seq + 1})


@pytest.mark.parametrize("count", [3, casewrites.MANY, 20])  # one at a time, and executemany
def test_a_batch_names_exactly_the_cases_changed_meanwhile(engine: Engine, clock: Clock, count: int) -> None:
    ids = [f"R-{n:02}" for n in range(count)]
    for case_id in ids:
        engine.start("supply_request", case_id, REQUEST, actor="王芳", role="grid_worker")
    read = [engine.case(case_id) for case_id in ids]
    stale = {ids[1], ids[-1]}  # as if read before someone else's change
    writes = [
        CaseWrite(
            case=_next(case),
            read_seq=case.seq - 1 if case.id in stale else case.seq,
            new_events=(),
            role=None,
            next_due_at=None,
            before=case,
        )
        for case in read
    ]
    with engine.store.writing() as conn:
        conflicts = engine.store.write(conn, writes)
        conn.rollback()
    assert sorted(conflicts) == sorted(stale)
    assert [engine.case(case_id).seq for case_id in ids] == [case.seq for case in read]  # rolled back


def test_a_batch_without_conflicts_saves_every_case(engine: Engine, clock: Clock) -> None:
    ids = [f"R-{n:02}" for n in range(casewrites.MANY + 2)]
    for case_id in ids:
        engine.start("supply_request", case_id, REQUEST, actor="王芳", role="grid_worker")
    read = [engine.case(case_id) for case_id in ids]
    writes = [CaseWrite(_next(case), case.seq, (), None, None, before=case) for case in read]
    with engine.store.writing() as conn:
        assert engine.store.write(conn, writes) == []
    assert [engine.case(case_id).seq for case_id in ids] == [case.seq + 1 for case in read]


@pytest.mark.parametrize("count", [3, casewrites.MANY])
def test_a_case_someone_moved_on_by_as_many_events_is_still_a_conflict(engine: Engine, count: int) -> None:
    """Read one event ago, and this change adds one: the row's seq is the one this write would
    give it, yet someone else's event is there (found in review, 2026-12-03)."""
    ids = [f"R-{n:02}" for n in range(count)]
    for case_id in ids:
        engine.start("supply_request", case_id, REQUEST, actor="王芳", role="grid_worker")
    read = [engine.case(case_id) for case_id in ids]
    stale = ids[1]
    writes = [
        CaseWrite(
            case if case.id == stale else _next(case),
            case.seq - (case.id == stale),
            (),
            None,
            None,
            before=case,
        )
        for case in read
    ]
    with engine.store.writing() as conn:
        conflicts = engine.store.write(conn, writes)
        conn.rollback()
    assert conflicts == [stale]
