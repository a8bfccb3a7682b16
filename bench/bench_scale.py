"""Issue 15's benchmark: each figure beside a yardstick measured in the same run, in one table
(and JSON). Not a test; `make bench` runs it. Sizes come from the environment, small by default
so that a run takes minutes; bench/README.md gives the full-size command.

  BENCH_CASES     cases stepped, ticked and listed (default 400)
  BENCH_ROUNDS    readings recorded on each case when stepping (default 3)
  BENCH_WORKERS   PostgreSQL workers racing (default 8)
  BENCH_STARTUPS  runs of each command in the startup figure (default 7)
  BENCH_PG        a PostgreSQL server URL (default the local test one; `off` skips PostgreSQL)
  BENCH_JSON      where to write the figures as JSON (default: not written)
"""

# ruff: noqa: S101, S603, S607, S608 - a benchmark: its own fixed SQL and programs, asserts as checks

from __future__ import annotations

import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from sopflow import Engine, FlowCatalog, builtin_flows, open_store
from sopflow.render import graphviz_run
from sopflow.render.printing import lay_out, write_chart

ROOT = Path(__file__).resolve().parent.parent
FLOWS = ROOT / "tests" / "trust" / "data"  # the small `watch` flow: a reading is one event
T0 = datetime(2020, 2, 1, 1, 0, tzinfo=UTC)
CASES = int(os.environ.get("BENCH_CASES", "400"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "8"))
STARTUPS = int(os.environ.get("BENCH_STARTUPS", "7"))
DUE_RUNS = 15  # `due` and its yardstick, each run this many times in turn; the medians compared
PG = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
READING = {"temperature": "36.6"}

Row = dict[str, Any]
rows: list[Row] = []


def figure(what: str, mine: float, yard: float, unit: str, yardstick: str, target: str, better: str) -> None:  # noqa: PLR0917 - a table row
    """One row: `mine` beside `yard` (both in `unit`); `better` says which way is better
    ('higher' for rates, 'lower' for times), so the ratio is always sopflow's share of it."""
    ratio = mine / yard if better == "higher" else yard / mine
    rows.append(
        {
            "what": what,
            "sopflow": mine,
            "yardstick": yard,
            "unit": unit,
            "yardstick_is": yardstick,
            "ratio": ratio,
            "target": target,
        }
    )
    print(f"  {what}: {mine:,.1f} vs {yard:,.1f} {unit} -> {ratio:.2f}x", flush=True)


class Ticking:
    """A clock that moves on 1 ms a read, as the wall clock does between changes."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


@contextmanager
def stores() -> Iterator[list[tuple[str, str]]]:
    """(name, URL) of a fresh SQLite file and, unless turned off, a fresh PostgreSQL schema."""
    with tempfile.TemporaryDirectory(prefix="sopflow-bench-") as folder:
        found = [("SQLite", f"sqlite:///{folder}/bench.db")]
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = None
        if PG != "off":
            try:
                admin = sa.create_engine(PG)
                with admin.begin() as conn:
                    conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
                found.append(("PostgreSQL", f"{PG}?options=-csearch_path%3D{schema}"))
            except sa.exc.OperationalError:
                print(f"  (no PostgreSQL at {PG}: its rows are left out)")
                admin = None
        try:
            yield found
        finally:
            if admin is not None:
                with admin.begin() as conn:
                    conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
                admin.dispose()


def _engine(url: str, clock: Callable[[], datetime]) -> Engine:
    return Engine(open_store(url), flows=FlowCatalog([FLOWS]), clock=clock)


def _start(url: str, prefix: str, count: int) -> Engine:
    engine = _engine(url, Ticking(T0))
    for n in range(count):
        engine.start("watch", f"{prefix}-{n:06}", {}, actor="王芳", role="nurse")
    return engine


class RawSteps:
    """The yardstick of durable stepping: per reading, one transaction with a conditional UPDATE
    of the case row and an INSERT of its event, on sopflow's own tables."""

    def __init__(self, url: str, prefix: str) -> None:
        self.engine = sa.create_engine(url)
        self.sqlite = url.startswith("sqlite")
        mark = "?" if self.sqlite else "%s"
        self.update = (
            f"UPDATE cases SET seq = {mark}, updated_at = {mark}, last_checks = {mark} "
            f"WHERE id = {mark} AND seq = {mark}"
        )
        self.insert = (
            "INSERT INTO events (case_id, seq, at, kind, name, actor, role, from_step, to_step, changes) "
            f"VALUES ({', '.join([mark] * 10)})"
        )
        self.prefix = prefix
        self.conn = self.engine.raw_connection()
        self.at = datetime(2020, 2, 1, 2, 0)
        self.checks = json.dumps({"reading": self.at.isoformat()})
        self.changes = json.dumps({"temperature": [None, 36.6]})

    def round(self, round_: int, count: int) -> float:
        """One reading for each of `count` cases; the seconds it took."""
        cursor = self.conn.cursor()
        started = time.perf_counter()
        for n in range(count):
            case, seq = f"{self.prefix}-{n:06}", 2 + round_
            if self.sqlite:
                cursor.execute("BEGIN IMMEDIATE")
            cursor.execute(self.update, (seq, self.at, self.checks, case, seq - 1))
            if cursor.rowcount != 1:
                raise RuntimeError("the raw yardstick lost a race it should not have")
            cursor.execute(
                self.insert,
                (case, seq, self.at, "check", "reading", "王芳", "nurse", "watch", "watch", self.changes),
            )
            self.conn.commit()
        return time.perf_counter() - started

    def close(self) -> None:
        self.conn.close()
        self.engine.dispose()


def stepping(name: str, url: str) -> None:
    """Rounds of one reading a case, sopflow's and the yardstick's taking turns, so that a disk
    or a machine that slows down for a while slows both alike."""
    engine = _start(url, "S", CASES)
    _start(url, "R", CASES).store.close()
    raw = RawSteps(url, "R")
    mine = yard = 0.0
    for round_ in range(ROUNDS):
        started = time.perf_counter()
        for n in range(CASES):
            engine.fire(f"S-{n:06}", "reading", actor="王芳", role="nurse", data=READING)
        mine += time.perf_counter() - started
        yard += raw.round(round_, CASES)
    engine.store.close()
    raw.close()
    figure(
        f"durable stepping, {name}",
        CASES * ROUNDS / mine,
        CASES * ROUNDS / yard,
        "events/s",
        "raw conditional UPDATE + INSERT, 1 transaction per call, rounds taking turns",
        ">= 0.5x",
        "higher",
    )


def workers(url: str) -> None:
    """WORKERS processes, each stepping its own cases, against one process stepping one share."""
    share = max(1, CASES // WORKERS)
    _start(url, "P", share * WORKERS).store.close()
    context = multiprocessing.get_context("fork")

    def run(count: int) -> float:
        start = context.Barrier(count + 1)
        done = context.Queue()
        procs = [
            context.Process(target=_step_share, args=(url, w * share, share, start, done))
            for w in range(count)
        ]
        for proc in procs:
            proc.start()
        start.wait()
        began = time.perf_counter()
        for _ in procs:
            done.get(timeout=600)
        seconds = time.perf_counter() - began
        for proc in procs:
            proc.join()
        return count * share * ROUNDS / seconds

    one = run(1)
    many = run(WORKERS)
    figure(
        f"{WORKERS} workers stepping different cases, PostgreSQL",
        many,
        one,
        "events/s",
        "one worker",
        f">= 4x (this machine: {os.cpu_count()} cores)",
        "higher",
    )


def _step_share(url: str, first: int, count: int, start: Any, done: Any) -> None:
    engine = _engine(url, Ticking(T0 + timedelta(minutes=1)))
    engine.case(f"P-{first:06}")
    start.wait()
    for _ in range(ROUNDS):
        for n in range(first, first + count):
            engine.fire(f"P-{n:06}", "reading", actor="王芳", role="nurse", data=READING)
    done.put(True)


def due_and_tick(name: str, url: str) -> None:
    """`due` and `tick` over CASES cases whose readings and timers are all due, each beside the
    raw statement over the same rows (on a second, identical set of cases for tick)."""
    engine = _start(url, "D", CASES)
    later = T0 + timedelta(days=2)
    engine.clock = lambda: later
    raw = sa.create_engine(url)
    select = sa.text(
        "SELECT id, flow_id, step, next_due_at, next_timer_at FROM cases "
        "WHERE status = 'active' AND next_due_at <= :now ORDER BY next_due_at, id"
    )
    mine_runs: list[float] = []
    yard_runs: list[float] = []
    with raw.connect() as conn:
        for _ in range(DUE_RUNS):  # taking turns: a machine that slows for a moment slows both
            started = time.perf_counter()
            items = engine.due(later)
            mine_runs.append(time.perf_counter() - started)
            started = time.perf_counter()
            found = conn.execute(select, {"now": (later + timedelta(hours=2)).replace(tzinfo=None)}).all()
            yard_runs.append(time.perf_counter() - started)
    assert len(found) >= CASES and len(items) >= CASES, (len(found), len(items))
    print(f"    (due, first call: {mine_runs[0] * 1000:.1f} ms vs {yard_runs[0] * 1000:.1f} ms)")
    figure(
        f"due for {CASES:,} cases, {name}",
        statistics.median(mine_runs) * 1000,
        statistics.median(yard_runs) * 1000,
        "ms",
        "raw indexed SELECT of the same rows",
        "<= 100 ms; <= 3x raw",
        "lower",
    )
    started = time.perf_counter()
    moved = engine.tick(later)
    mine = time.perf_counter() - started
    assert len(moved) == CASES, (len(moved), CASES)
    engine.store.close()
    _start(url, "T", CASES).store.close()
    update = sa.text(
        "UPDATE cases SET step = 'review', seq = seq + 1, next_timer_at = NULL "
        "WHERE id LIKE 'T-%' AND next_timer_at <= :now"
    )
    with raw.begin() as conn:
        started = time.perf_counter()
        changed = conn.execute(update, {"now": later.replace(tzinfo=None)}).rowcount
        yard = time.perf_counter() - started
    assert changed == CASES
    raw.dispose()
    figure(
        f"tick, {CASES:,} timers, {name}",
        mine * 1000,
        yard * 1000,
        "ms",
        "one raw UPDATE of the same rows",
        ">= 0.3x raw",
        "lower",
    )


def startup() -> None:
    """A single `sopflow case advance` from the shell (the flow from the checked-flow cache)
    beside `python -c "import sqlalchemy, click, yaml"`, interleaved; best wall time of each."""
    with tempfile.TemporaryDirectory(prefix="sopflow-bench-") as folder:
        url = f"sqlite:///{folder}/startup.db"
        _start(url, "U", STARTUPS + 1).store.close()
        env = {
            **os.environ,
            "SOPFLOW_DB": url,
            "SOPFLOW_FLOWS": str(FLOWS),
            "SOPFLOW_ACTOR": "王芳",
            "SOPFLOW_LANG": "zh",
            "SOPFLOW_CACHE": f"{folder}/cache",
        }
        advance = [
            sys.executable,
            "-m",
            "sopflow",
            "case",
            "advance",
            "",
            "reading",
            "--role",
            "nurse",
            "--set",
            "temperature=36.6",
        ]
        yard_command = [sys.executable, "-c", "import sqlalchemy, click, yaml"]
        mine, yard = [], []
        for n in range(STARTUPS + 1):
            advance[5] = f"U-{n:06}"
            for command, times in ((advance, mine), (yard_command, yard)):
                started = time.perf_counter()
                subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
                times.append(time.perf_counter() - started)
        mine, yard = mine[1:], yard[1:]  # the first run fills the cache and the page cache
    figure(
        "one `sopflow case advance` from the shell",
        min(mine) * 1000,
        min(yard) * 1000,
        "ms",
        'python -c "import sqlalchemy, click, yaml"',
        "<= 1.5x",
        "lower",
    )
    print(
        f"    (medians: {statistics.median(mine) * 1000:.0f} ms vs {statistics.median(yard) * 1000:.0f} ms)"
    )


def render() -> None:
    """Every built-in flow printed (PDF, both languages) beside `dot` alone on the same DOT."""
    calls: list[tuple[str, str]] = []
    real = graphviz_run.run_dot

    def recording(source: str, fmt: str) -> bytes:
        calls.append((source, fmt))
        return real(source, fmt)

    graphviz_run.run_dot = recording
    try:
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            for flow_id, flow in builtin_flows().items():
                for lang in ("zh", "en"):
                    write_chart(lay_out(flow, lang), "pdf", Path(folder), f"{flow_id}.{lang}")
            mine = time.perf_counter() - started
    finally:
        graphviz_run.run_dot = real
    started = time.perf_counter()
    for source, fmt in calls:
        subprocess.run(["dot", f"-T{fmt}"], input=source.encode(), capture_output=True, check=True)
    yard = time.perf_counter() - started
    figure(
        "render all built-in flows (PDF, zh + en)",
        mine,
        yard,
        "s",
        f"dot alone on the same {len(calls)} DOT inputs",
        "<= 1.5x",
        "lower",
    )


def main() -> None:
    print(f"cases {CASES:,}, rounds {ROUNDS}, workers {WORKERS}, startups {STARTUPS}; {os.cpu_count()} cores")
    startup()
    with stores() as found:
        for name, url in found:
            due_and_tick(name, url)  # first: the only cases with timers are its own
            stepping(name, url)
        pg = [url for name, url in found if name == "PostgreSQL"]
        if pg:
            workers(pg[0])
    render()
    print()
    print(f"{'what':<48} {'sopflow':>12} {'yardstick':>12} {'unit':<9} {'ratio':>6}  target")
    for row in rows:
        print(
            f"{row['what']:<48} {row['sopflow']:>12,.1f} {row['yardstick']:>12,.1f} {row['unit']:<9} "
            f"{row['ratio']:>5.2f}x  {row['target']}  (yardstick: {row['yardstick_is']})"
        )
    if os.environ.get("BENCH_JSON"):
        Path(os.environ["BENCH_JSON"]).write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
