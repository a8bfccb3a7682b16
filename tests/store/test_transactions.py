"""What each kind of transaction is on PostgreSQL: a read is one snapshot and read-only
(REPEATABLE READ, READ ONLY, sent with its BEGIN), and the connection it used, back in the pool,
writes again as READ COMMITTED: a read's settings never stay on a pooled connection."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sopflow.store.store import Store


def settings(conn: sa.Connection) -> tuple[str, str]:
    run = conn.exec_driver_sql
    return str(run("SHOW transaction_isolation").scalar()), str(run("SHOW transaction_read_only").scalar())


def test_reads_are_snapshots_and_writes_are_not_left_read_only(store: Store) -> None:
    if store.is_sqlite:
        pytest.skip("PostgreSQL's isolation levels; SQLite's transactions are snapshots")
    for _ in range(3):  # the pool lends the same connection again and again
        with store.reading() as conn:
            assert settings(conn) == ("repeatable read", "on")
        with store.writing() as conn:
            assert settings(conn) == ("read committed", "off")
