"""The benchmarks' scripted paths still walk the built-in flows as they are now (`make bench`
must run on a fresh clone): run tiny, every contender the test machine has."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import bench_cases  # noqa: E402 - from bench/, put on the path above

# pytransitions and python-statemachine are the bench extra's, not the tests'
CONTENDERS = "sopflow,dict,floor,sqlite,raw"


def test_the_case_benchmark_walks_key_person_control_to_its_release(
    capsys: pytest.CaptureFixture[str],
) -> None:
    tiny = ["--cases", "5", "--sqlite-cases", "3", "--repeat", "1", "--memory-cases", "0"]
    assert bench_cases.main([*tiny, "--profile-cases", "0", "--only", CONTENDERS]) == 0
    shown = capsys.readouterr().out
    assert "sopflow Stepper (memory)" in shown and "raw sqlite3 inserts" in shown
    catalog = bench_cases.default_catalog(None)
    ref = bench_cases.reference_run(catalog.load("key_person_control"), catalog.load("home_isolation_supply"))
    assert ref.final.step == "released" and ref.final.outcome == "released"


def test_the_scale_benchmark_steps_lists_and_ticks_at_a_tiny_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """bench_scale's figures of the stores (`make bench`'s table) at 4 cases on a SQLite file:
    each one sopflow's and the yardstick's over the same rows."""
    import bench_scale  # noqa: PLC0415 - from bench/, put on the path above

    monkeypatch.setattr(bench_scale, "CASES", 4)
    monkeypatch.setattr(bench_scale, "ROUNDS", 2)
    monkeypatch.setattr(bench_scale, "rows", [])
    url = f"sqlite:///{tmp_path}/bench.db"
    bench_scale.due_and_tick("SQLite", url)
    bench_scale.stepping("SQLite", url)
    shown = {row["what"]: row for row in bench_scale.rows}
    assert list(shown) == ["due for 4 cases, SQLite", "tick, 4 timers, SQLite", "durable stepping, SQLite"]
    assert all(row["sopflow"] > 0 and row["yardstick"] > 0 for row in shown.values())
