"""Prepared statements give what SQLAlchemy's own execution gives, on SQLite and PostgreSQL, and
their driver errors come out as SQLAlchemy's exceptions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from sopflow.engine.runtime import Engine
from sopflow.store.sqlrun import Prepared
from sopflow.store.store import Store
from sopflow.store.tables import cases, events
from tests.conftest import Clock
from tests.engine.test_key_person_walk import register_home_case


def test_a_prepared_read_equals_sqlalchemys(engine: Engine, store: Store, clock: Clock) -> None:
    register_home_case(engine, clock, "K-1")
    statement = sa.select(cases).where(cases.c.id == sa.bindparam("wanted"))
    with store.reading() as conn:
        ours = Prepared(statement, conn.dialect).first(conn, {"wanted": "K-1"})
        theirs = dict(conn.execute(statement, {"wanted": "K-1"}).one()._mapping)
        missing = Prepared(statement, conn.dialect).first(conn, {"wanted": "nobody"})
    assert ours == theirs
    assert isinstance(ours["data"], dict) and isinstance(ours["created_at"], datetime)
    assert missing is None


def test_prepared_writes_store_what_sqlalchemy_reads_back(engine: Engine, store: Store, clock: Clock) -> None:
    register_home_case(engine, clock, "K-2")
    seq = engine.case("K-2").seq
    at = datetime(2020, 2, 3, 4, 5, 6, 789, tzinfo=UTC).replace(tzinfo=None)
    row = {
        "case_id": "K-2",
        "seq": seq + 1,
        "at": at,
        "kind": "check",
        "name": "note",
        "actor": "王芳",
        "role": None,
        "from_step": None,
        "to_step": None,
        "changes": {"体温": [None, 36.6]},
        "note": "说明",
        "why": None,
        "child_id": None,
        "recorded_at": None,
        "late": False,
    }
    with store.writing() as conn:
        Prepared(events.insert(), conn.dialect).execute_many(conn, [row])
    with store.reading() as conn:
        back = conn.execute(sa.select(events).where(events.c.case_id == "K-2", events.c.seq == seq + 1)).one()
    assert back.at == at and back.changes == {"体温": [None, 36.6]} and back.note == "说明"


def test_a_driver_error_is_sqlalchemys_and_nothing_is_written(
    engine: Engine, store: Store, clock: Clock
) -> None:
    register_home_case(engine, clock, "K-3")
    before = engine.case("K-3")
    taken = {
        "case_id": "K-3",
        "seq": 1,  # the case's start event has it
        "at": datetime(2020, 2, 3),
        "kind": "check",
        "name": "again",
        "actor": "x",
        "role": None,
        "from_step": None,
        "to_step": None,
        "changes": {},
        "note": None,
        "why": None,
        "child_id": None,
        "recorded_at": None,
        "late": False,
    }
    with pytest.raises(IntegrityError), store.writing() as conn:
        fresh = {**taken, "seq": before.seq + 1}  # written first, then undone with the rest
        Prepared(events.insert(), conn.dialect).execute_many(conn, [fresh, taken])
    assert engine.case("K-3").history == before.history
