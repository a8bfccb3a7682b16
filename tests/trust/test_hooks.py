"""Issue 12.12: an on_enter hook that re-enters the Engine, round and round, is stopped clearly (a
depth limit, or refused) and never leaves a transaction open: the Engine goes on working."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sopflow import Case, Engine, Event, SopflowError, Store

from .conftest import catalog


def test_a_hook_that_loops_is_stopped_clearly_and_the_engine_goes_on(
    store: Store, clock: Callable[..., Any]
) -> None:
    errors: list[Exception] = []
    engine = Engine(
        store, flows=catalog(), clock=clock, on_hook_error=lambda _c, _e, error: errors.append(error)
    )
    engine.start("watch", "W-1", {}, actor="王芳", role="nurse")
    engine.start("watch", "W-2", {}, actor="王芳", role="nurse")

    @engine.on_enter("watch", flow="watch")
    def watch_again(case: Case, _event: Event) -> None:  # every entry to `watch` enters it again
        if case.id == "W-1":
            engine.fire("W-1", "again", actor="王芳", role="nurse")

    engine.fire("W-1", "again", actor="王芳", role="nurse")
    assert errors, "the loop was not stopped"
    assert all(isinstance(e, SopflowError) for e in errors), [type(e).__name__ for e in errors]
    assert engine.case("W-1").seq < 100  # stopped at a depth limit, not by Python's recursion limit
    # The same thread goes on working, on that case and on others.
    assert engine.fire("W-2", "reading", actor="王芳", role="nurse", data={"temperature": "36.6"}).seq == 2
    assert engine.fire("W-1", "reading", actor="王芳", role="nurse", data={"temperature": "36.6"})
    assert engine.verify() == []


def test_a_hook_may_make_one_more_change(store: Store, clock: Any) -> None:
    """What must keep working: a hook that re-enters the Engine once (not a loop)."""
    errors: list[Exception] = []
    engine = Engine(
        store, flows=catalog(), clock=clock, on_hook_error=lambda _c, _e, error: errors.append(error)
    )

    @engine.on_enter("review", flow="watch")
    def release_at_once(case: Case, _event: Event) -> None:
        engine.fire(case.id, "release", actor="王芳", role="nurse")

    engine.start("watch", "W-1", {}, actor="王芳", role="nurse")
    clock.advance(days=2)
    assert [c.id for c in engine.tick()] == ["W-1"]
    assert errors == []
    assert engine.case("W-1").outcome == "closed"
