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
