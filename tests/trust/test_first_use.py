"""Issue 12.6: a store's first use is safe to race: creating the tables, and saving a flow version
the first time a case uses it. Eight staff (each with a store of their own, as separate processes
have) start cases on a brand-new store at once: all eight are recorded, none sees a raw error."""

from __future__ import annotations

import gc
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from sopflow import Engine, SopflowError, open_store
from sopflow.store.connect import _sqlite_pragmas

from .conftest import REQUEST, catalog

STAFF = 8


def _start_at_once(store_url: str, clock: Callable[..., object]) -> list[str]:
    """Each thread opens the store itself and starts a case; what each got."""
    start = threading.Barrier(STAFF)
    outcomes: list[str] = []

    def open_and_start(n: int) -> None:
        start.wait()
        try:
            store = open_store(store_url)
            try:
                Engine(store, flows=catalog(), clock=clock).start(  # type: ignore[arg-type]
                    "supply_request", f"R-{n}", REQUEST, actor="王芳", role="grid_worker"
                )
            finally:
                store.close()
            outcomes.append("ok")
        except SopflowError as error:
            outcomes.append(f"refused: {error}")
        except Exception as error:
            outcomes.append(f"raw {type(error).__name__}: {str(error)[:120]}")

    threads = [threading.Thread(target=open_and_start, args=(n,)) for n in range(STAFF)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    gc.collect()  # the connections of failed opens are closed now, not in a later test
    return outcomes


def test_concurrent_first_use_of_a_new_store(store_url: str, clock: Callable[..., object]) -> None:
    outcomes = _start_at_once(store_url, clock)
    assert outcomes == ["ok"] * STAFF, outcomes
    store = open_store(store_url)
    try:
        assert len(Engine(store).cases()) == STAFF
    finally:
        store.close()


def test_concurrent_first_save_of_a_flow_version(store_url: str, clock: Callable[..., object]) -> None:
    """The tables are there, the flow version is not saved yet."""
    open_store(store_url).close()
    outcomes = _start_at_once(store_url, clock)
    assert outcomes == ["ok"] * STAFF, outcomes


def test_first_connections_to_a_new_file_all_switch_it_to_wal(tmp_path: Path) -> None:
    """SQLite refuses at once, without waiting, one of two connections switching a brand-new file
    to WAL at the same moment ("database is locked": CI saw it once in a full run). Three first
    connections to each of 300 new files, set up at once by the store's own connection hook:
    every one is set up and every file ends in WAL. Without the retry in `connect._use_wal`
    about one round in thirty collides here, so this fails nearly always."""
    failures: list[str] = []
    for round_ in range(300):
        path = tmp_path / f"new-{round_}.db"
        connections = [sqlite3.connect(path, timeout=60, check_same_thread=False) for _ in range(3)]
        start = threading.Barrier(len(connections))

        def set_up(conn: sqlite3.Connection, start: threading.Barrier = start) -> None:
            start.wait()
            try:
                _sqlite_pragmas(conn, None)
                if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    failures.append("not wal")
            except sqlite3.Error as error:
                failures.append(str(error))

        threads = [threading.Thread(target=set_up, args=(conn,)) for conn in connections]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for conn in connections:
            conn.close()
    assert failures == []
