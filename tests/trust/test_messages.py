"""Issue 12.13: messages that mislead or are missing: what each case should say instead."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sopflow import Engine, FlowError, SopflowError, load_flow_bytes, open_store

from .conftest import DATA, REQUEST, Run, assert_clean_failure


def test_an_in_memory_store_used_from_another_thread(clock: Callable[..., Any]) -> None:
    store = open_store("sqlite://")
    engine = Engine(store, clock=clock)
    engine.start("supply_request", "R-1", REQUEST, actor="王芳", role="grid_worker")
    seen: list[str] = []

    def look() -> None:
        try:
            seen.append(engine.case("R-1").id)
        except SopflowError as error:
            seen.append(error.message("en"))

    thread = threading.Thread(target=look)
    thread.start()
    thread.join()
    store.close()
    assert seen == ["R-1"] or "no such table" not in seen[0], seen


def _reads(engine: Engine, times: int) -> list[str]:
    errors = []
    for _ in range(times):
        try:
            engine.case("R-1")
        except Exception as error:
            errors.append(f"{type(error).__name__}: {str(error)[:200]}")
    return errors


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork() in a process with threads (3.12+)
def test_an_engine_inherited_across_fork_works_in_both(engine: Engine, store_url: str) -> None:
    engine.start("supply_request", "R-1", REQUEST, actor="王芳", role="grid_worker")
    engine.case("R-1")  # a connection is open (in the pool) when the process forks
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (the child process)
        try:
            os.write(write_end, "\n".join(_reads(engine, 300)).encode("utf-8", "replace"))
        finally:
            os._exit(0)
    os.close(write_end)
    parent_errors = _reads(engine, 300)
    os.waitpid(child, 0)
    with os.fdopen(read_end, "rb") as pipe:
        child_errors = [line for line in pipe.read().decode("utf-8").splitlines() if line]
    assert (child_errors, parent_errors) == ([], [])


@pytest.mark.needs_dot
def test_a_label_in_angle_brackets_is_drawn_as_written(sopflow: Run, tmp_path: Path) -> None:
    source = (DATA / "watch.yaml").read_text("utf-8")
    source = source.replace(
        "label: {zh: 结案, en: Close}\n        to: closed",
        'label: {zh: "<i>结案</i>", en: "<i>Close</i>"}\n        to: closed',
    )
    source = source.replace("steps:\n", 'groups:\n  g: {zh: "<发热>", en: "<Fever>"}\nsteps:\n', 1)
    source = source.replace("  review:\n    kind: task\n", "  review:\n    kind: task\n    group: g\n", 1)
    flow = tmp_path / "angles.yaml"
    flow.write_text(source, "utf-8")
    checked = sopflow("flows", "validate", str(flow))
    if checked.exit_code == 1:  # refused at load time, at its lines: also a fix
        assert f"{flow}:" in checked.output
        return
    rendered = sopflow("render", str(flow), "-f", "svg", "-o", str(tmp_path / "out"), "--lang", "zh")
    assert rendered.exit_code == 0, rendered.output
    svg = "".join(p.read_text("utf-8") for p in sorted((tmp_path / "out").glob("*.svg")))
    assert "&lt;i&gt;结案&lt;/i&gt;" in svg
    assert "&lt;发热&gt;" in svg


def test_a_nul_byte_in_a_flow_file_is_reported_at_its_line() -> None:
    source = (DATA / "watch.yaml").read_text("utf-8")
    line = source[: source.index("title:")].count("\n") + 1
    damaged = source.replace("en: Watch}", "en: Wa\x00tch}", 1)
    with pytest.raises(FlowError) as refused:
        load_flow_bytes(damaged.encode("utf-8"), "nul.yaml")
    (problem,) = refused.value.errors
    assert problem.location.line == line
    assert "\n" not in problem.format("en") and "position" not in problem.format("en")


def test_a_flows_folder_that_is_not_there(sopflow: Run, tmp_path: Path) -> None:
    assert_clean_failure(
        sopflow("--flows", str(tmp_path / "nonexistent"), "flows", "list"), "--flows", "nonexistent"
    )


@pytest.mark.parametrize("cases", [0, 1])
def test_case_list_in_a_language_no_flow_has(sopflow: Run, cases: int) -> None:
    if cases:
        start = ["case", "start", "watch", "--id", "W-1", "--role", "nurse"]
        assert sopflow(*start).exit_code == 0
    assert_clean_failure(sopflow("case", "list", "--lang", "xx"), "xx")


CLOSE_UNDER_THREADS = """
import sys, threading
from datetime import UTC, datetime
from sopflow import Engine, FlowCatalog, SopflowError, open_store

store = open_store(sys.argv[1])
engine = Engine(store, flows=FlowCatalog([__import__("pathlib").Path(sys.argv[2])]),
                clock=lambda: datetime(2020, 2, 1, 1, tzinfo=UTC))
for n in range(4):
    engine.start("watch", f"W-{n}", {}, actor="wang", role="nurse")
stop, raw, reads, progress = threading.Event(), [], [0] * 4, threading.Condition()

def read(n):
    while not stop.is_set():
        try:
            engine.case(f"W-{n}")
            engine.offers(f"W-{n}")
        except SopflowError:
            pass
        except Exception as error:
            raw.append(repr(error))
        with progress:
            reads[n] += 1
            progress.notify_all()

threads = [threading.Thread(target=read, args=(n,)) for n in range(4)]
for thread in threads:
    thread.start()
for round_ in range(1, 6):  # close it five times while they read, each after more reads
    with progress:
        progress.wait_for(lambda: min(reads) >= 20 * round_, timeout=2)
    store.close()
stop.set()
for thread in threads:
    thread.join()
store.close()
print("raw errors:", raw[:3])
sys.exit(1 if raw else 0)
"""


def test_closing_a_sqlite_store_that_threads_use(tmp_path: Path) -> None:
    """In a process of its own: closing connections other threads are using can crash Python."""
    done = subprocess.run(
        [sys.executable, "-c", CLOSE_UNDER_THREADS, f"sqlite:///{tmp_path}/threads.db", str(DATA)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, (done.returncode, done.stdout[-300:], done.stderr[-300:])
    assert "Traceback" not in done.stderr, done.stderr[-600:]


TERMINATE = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s"


def _kill_backends_while_reading(
    store_url: str, clock: Callable[..., Any], kills: int
) -> tuple[int, list[str]]:
    """Three threads read a case while its store's backends are terminated, `kills` times, each
    time among reads under way. Only this store's own backends (by application_name) are hit."""
    name = f"sopflow_i12_{uuid.uuid4().hex[:8]}"
    store = open_store(f"{store_url}&application_name={name}")
    engine = Engine(store, clock=clock)
    if not engine.cases():
        engine.start("supply_request", "R-1", REQUEST, actor="王芳", role="grid_worker")
    stop, raw, progress, reads = threading.Event(), [], threading.Condition(), [0]

    def read() -> None:
        while not stop.is_set():
            try:
                engine.case("R-1")
            except SopflowError:
                pass  # a read cut off is told in one line; the next one reconnects
            except Exception as error:
                raw.append(repr(error))
            with progress:
                reads[0] += 1
                progress.notify_all()

    readers = [threading.Thread(target=read) for _ in range(3)]
    for reader in readers:
        reader.start()
    admin = sa.create_engine(store_url, poolclass=sa.pool.NullPool)
    terminated = 0
    try:
        with admin.connect() as conn:
            for kill in range(1, kills + 1):
                with progress:
                    wanted = 5 * kill
                    progress.wait_for(lambda: reads[0] >= wanted, timeout=5)  # noqa: B023 (waited on here)
                terminated += conn.exec_driver_sql(TERMINATE, (name,)).scalar_one()
    finally:
        stop.set()
        for reader in readers:
            reader.join()
        admin.dispose()
        store.close()
    return terminated, raw


def test_a_terminated_postgresql_backend_logs_no_tracebacks(
    store_url: str,
    clock: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The adversarial run terminated 173 backends mid-run. A kill lands in the window that shows
    the defect in most runs but not all, so up to eight runs are made (stopping at the first)."""
    if not store_url.startswith("postgresql"):
        pytest.skip("PostgreSQL backends only")
    terminated, raw = 0, list[str]()
    for _ in range(8):
        killed, errors = _kill_backends_while_reading(store_url, clock, kills=60)
        terminated, raw = terminated + killed, raw + errors
        if any(r.exc_info for r in caplog.records):
            break
    assert terminated > 0
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and r.exc_info]
    assert logged == []
    assert raw == []
