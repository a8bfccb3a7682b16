"""On PostgreSQL a change first reads its case unlocked and is saved only if the case did not
change meanwhile; one that lost that race locks the case's row and reads it with its open alerts
in the next statement (store/alertrows.py, LOCK_CASE). Both ways, two people closing one alert at
once close it once. Read in the statement that waits for the lock,
the alerts would be as they stood before the change it waited for: two people closing the same
alert at once both succeeded, and the alert was closed twice (found in review, 2026-12-03)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from sopflow import CaseError, Engine, open_store
from sopflow.cases.records import EventKind
from sopflow.language.catalog import FlowCatalog
from sopflow.store.rows import CaseWrite
from sopflow.store.store import Store
from tests.conftest import PG_SERVER, Clock, postgres_url
from tests.engine.test_alerts import kept_alert
from tests.scenarios.conftest import OLD_FLOWS

WAITING = "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND wait_event_type = 'Lock'"


@pytest.fixture
def url() -> Iterator[str]:
    yield from postgres_url()


class HeldWrite:
    """A store whose writes, once made, wait (holding their locks) until released."""

    def __init__(self, store: Store) -> None:
        self.written, self.release = threading.Event(), threading.Event()
        self._write = store.write
        store.write = self  # type: ignore[method-assign]

    def __call__(self, conn: sa.Connection, writes: Sequence[CaseWrite]) -> list[str]:
        conflicts = self._write(conn, writes)
        self.written.set()
        self.release.wait(30)
        return conflicts


def _wait_until_blocked(application_name: str) -> None:
    """Return once a backend of `application_name` waits on a lock (asked of the server)."""
    admin = sa.create_engine(PG_SERVER, poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        for _ in range(10_000):
            if conn.exec_driver_sql(WAITING, (application_name,)).scalar_one():
                break
        else:
            raise AssertionError("the second change never waited for the first one's lock")
    admin.dispose()


def test_two_people_closing_one_alert_at_once_close_it_once(url: str) -> None:
    clock = Clock(datetime(2020, 2, 1, 1, 0, tzinfo=UTC))
    second_name = f"sopflow_lock_{uuid.uuid4().hex[:8]}"
    first_store, second_store = open_store(url), open_store(f"{url}&application_name={second_name}")
    kept_alert(Engine(first_store, flows=FlowCatalog([OLD_FLOWS]), clock=clock), clock)
    first, second = Engine(first_store, clock=clock), Engine(second_store, clock=clock)
    [alert] = first.alerts()
    held = HeldWrite(first_store)
    refused: list[BaseException] = []

    def close(engine: Engine, name: str, errors: list[BaseException]) -> None:
        try:
            engine.close_alert(alert.id, actor=name, role=alert.roles[0], note=f"{name} saw to it")
        except CaseError as error:
            errors.append(error)

    first_close = threading.Thread(target=close, args=(first, "甲", []))
    first_close.start()
    assert held.written.wait(30)
    second_close = threading.Thread(target=close, args=(second, "乙", refused))
    second_close.start()
    _wait_until_blocked(second_name)  # the second waits for the first's lock on the case
    held.release.set()
    first_close.join(30)
    second_close.join(30)
    closes = [e for e in first.case("K-0001").history if e.kind is EventKind.ALERT_CLOSED]
    assert [e.actor for e in closes] == ["甲"]
    assert len(refused) == 1 and "K-0001" in str(refused[0])
    assert first.verify() == []
    first_store.close()
    second_store.close()
