"""Issue 12, the guarantee under crashes: a process killed (SIGKILL, no clean-up of any kind) while
it records readings leaves every case whole, before or after the change it was making, never in
between; the store takes the next change at once (no lock left behind), and `verify` finds nothing.
On SQLite and PostgreSQL, with real processes."""

from __future__ import annotations

import multiprocessing
import os
import signal
from datetime import timedelta
from typing import Any

from sopflow import Engine, EventKind, open_store

from .conftest import T0, TickingClock, catalog

KILLS = 3
BEFORE_KILL = 15  # readings each writer records before it may be killed (it goes on until it is)


def _record_until_killed(url: str, start: Any, written: Any, round_: int) -> None:
    engine = Engine(open_store(url), flows=catalog(), clock=TickingClock(T0 + timedelta(minutes=round_)))
    n = 0
    while True:
        engine.fire("W-1", "reading", actor="李医生", role="nurse", data={"temperature": "36.6"})
        n += 1
        with written.get_lock():
            written.value += 1
        if n == BEFORE_KILL:
            start.set()  # from now on the kill may land anywhere, mid-change most of the time


def test_a_writer_killed_mid_change_leaves_every_case_whole(store_url: str) -> None:
    with open_store(store_url) as store:
        Engine(store, flows=catalog(), clock=TickingClock()).start(
            "watch", "W-1", {}, actor="王芳", role="nurse"
        )
    context = multiprocessing.get_context("fork")
    written = context.Value("q", 0)
    for round_ in range(1, KILLS + 1):
        started = context.Event()
        writer = context.Process(target=_record_until_killed, args=(store_url, started, written, round_))
        writer.start()
        assert started.wait(timeout=60), "the writer did not get going"
        os.kill(writer.pid or 0, signal.SIGKILL)
        writer.join(timeout=60)
        assert writer.exitcode == -signal.SIGKILL
    with open_store(store_url) as store:
        engine = Engine(store, flows=catalog(), clock=TickingClock(T0 + timedelta(hours=1)))
        case = engine.case("W-1")
        assert [e.seq for e in case.history] == list(range(1, case.seq + 1))  # no gap, no half change
        readings = sum(e.kind is EventKind.CHECK for e in case.history)
        # each killed writer's last reading may be saved but not yet counted; none counted is lost
        assert written.value <= readings <= written.value + KILLS
        assert readings >= KILLS * BEFORE_KILL
        assert engine.verify() == []
        after = engine.fire("W-1", "reading", actor="王芳", role="nurse", data={"temperature": "36.5"})
        assert after.seq == case.seq + 1  # the store takes the next change: no lock was left behind
