"""Issue 12.6: a store's first use is safe to race: creating the tables, and saving a flow version
the first time a case uses it. Eight staff (each with a store of their own, as separate processes
have) start cases on a brand-new store at once: all eight are recorded, none sees a raw error."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable

from sopflow import Engine, SopflowError, open_store

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
