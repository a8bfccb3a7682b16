"""Issue 12.1: a "now" beyond the clock (beyond the slack `--at` has) must not run timers out early."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sopflow import Engine, EventKind, SopflowError, Store, StoreError, open_store
from sopflow.engine.discrepancies import discrepancy_rows

from .conftest import Run, assert_clean_failure, catalog

AHEAD = timedelta(days=15)


@pytest.mark.parametrize("how", ["15 days ahead", "datetime.max", "naive datetime.max"])
def test_tick_refuses_a_now_beyond_the_clock(trust_engine: Engine, clock: Any, how: str) -> None:
    trust_engine.start("watch", "W-1", {}, actor="王芳", role="nurse")
    now = {
        "15 days ahead": clock.now + AHEAD,
        "datetime.max": datetime.max.replace(tzinfo=UTC),
        "naive datetime.max": datetime.max,
    }[how]
    with pytest.raises(SopflowError):
        trust_engine.tick(now)
    case = trust_engine.case("W-1")
    assert case.step == "watch"
    assert [e.kind for e in case.history] == [EventKind.START]
    trust_engine.fire("W-1", "reading", actor="王芳", role="nurse", data={"temperature": "36.6"})


def test_tick_within_the_clocks_slack_is_taken(trust_engine: Engine, clock: Any) -> None:
    """What must keep working: a tick a minute ahead (machines' clocks differ a little), and a
    tick at the clock's time running out a timer that is due."""
    trust_engine.start("watch", "W-1", {}, actor="王芳", role="nurse")
    assert trust_engine.tick(clock.now + timedelta(minutes=1)) == []
    clock.advance(days=1, minutes=1)
    assert [c.step for c in trust_engine.tick()] == ["review"]


def test_due_at_the_end_of_time_is_refused_not_an_overflow(trust_engine: Engine) -> None:
    trust_engine.start("watch", "W-1", {}, actor="王芳", role="nurse")
    with pytest.raises(SopflowError):
        trust_engine.due(datetime.max.replace(tzinfo=UTC))


def test_cli_tick_now_beyond_the_clock_is_refused(sopflow: Run, tmp_path: Any) -> None:
    assert sopflow("case", "start", "watch", "--id", "W-1", "--role", "nurse").exit_code == 0
    result = sopflow("tick", "--now", "2020-02-16 09:00")  # SOPFLOW_NOW is 2020-02-01 09:00
    assert_clean_failure(result, "--now")
    store = open_store(f"sqlite:///{tmp_path}/cli.db")
    try:
        assert Engine(store, flows=catalog()).case("W-1").step == "watch"
    finally:
        store.close()


def test_cli_sopflow_now_beyond_the_real_clock_is_refused(sopflow: Run, tmp_path: Any) -> None:
    """The one test here on the real clock: SOPFLOW_NOW *is* the clock, so only the real one can
    say it is ahead. (A drill or training store may allow it; this is not one.)"""
    started = sopflow("case", "start", "watch", "--id", "W-1", "--role", "nurse", env={"SOPFLOW_NOW": None})
    assert started.exit_code == 0, started.output
    ahead = (datetime.now(UTC) + AHEAD).astimezone().strftime("%Y-%m-%d %H:%M%z")
    result = sopflow("tick", env={"SOPFLOW_NOW": ahead})
    assert_clean_failure(result, "SOPFLOW_NOW")
    store = open_store(f"sqlite:///{tmp_path}/cli.db")
    try:
        assert Engine(store, flows=catalog()).case("W-1").step == "watch"
    finally:
        store.close()


def test_verify_reports_entries_dated_after_now(store: Store, clock: Any) -> None:
    """A case moved by a clock set ahead (before this was refused) is seen, not passed as clean."""
    ahead = Engine(store, flows=catalog(), clock=lambda: clock.now + AHEAD)
    ahead.start("watch", "W-1", {}, actor="王芳", role="nurse")
    found = Engine(store, flows=catalog(), clock=clock).verify()
    assert [(d.case_id, d.field, d.stored) for d in found] == [("W-1", "history", "up to now")]
    engine = Engine(store, flows=catalog(), clock=clock)
    (row,) = discrepancy_rows(
        engine.stepper_for(engine.case("W-1")), found[0], engine.tz, show_personal=False, lang="zh"
    )
    assert (row["field_label"], row["stored"]) == ("记录", "不晚于现在")  # said in the reader's language
    assert row["replayed"].startswith("第 1 条记录的时间是") and row["replayed"].endswith("晚于现在")


def test_a_drill_store_may_be_played_forward(store_url: str, clock: Any) -> None:
    """A drill or training store is marked when it is made; its timers may be run out ahead."""
    with open_store(store_url, drill=True) as drill:
        engine = Engine(drill, flows=catalog(), clock=clock)
        engine.start("watch", "W-1", {}, actor="王芳", role="nurse")
        assert [c.step for c in engine.tick(clock.now + AHEAD)] == ["review"]
        assert engine.due(clock.now + AHEAD + AHEAD) == []  # looked at, not refused (review has no deadline)
        assert engine.verify() == []
    with open_store(store_url) as reopened:
        assert reopened.drill  # the mark is in the store, not in how it is opened


def test_an_existing_store_cannot_become_a_drill_store(store_url: str) -> None:
    open_store(store_url).close()
    with pytest.raises(StoreError) as refused:
        open_store(store_url, drill=True)
    assert refused.value.code == "store.not_drill"
    with open_store(store_url) as real:
        assert not real.drill


def test_cli_drill_store_takes_a_clock_set_ahead(sopflow: Run, tmp_path: Any) -> None:
    """`--drill` when the store is made; then SOPFLOW_NOW may be ahead of the real clock (the
    year 2199 is, whenever this runs). In a store made without it the same is refused."""
    ahead = {"SOPFLOW_NOW": "2199-12-01 09:00"}
    for name, made_as in (("drill", ["--drill"]), ("real", [])):
        db = ["--db", f"{tmp_path}/{name}.db"]
        started = sopflow(*db, *made_as, "case", "start", "watch", "--id", "W-1", "--role", "nurse")
        assert started.exit_code == 0, started.output
        ticked = sopflow(*db, "tick", env=ahead)
        if made_as:
            assert ticked.exit_code == 0, ticked.output
            assert "W-1 → Review (in progress)" in ticked.output
        else:
            assert_clean_failure(ticked, "SOPFLOW_NOW", codes=(1,))
