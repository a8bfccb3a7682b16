"""Issue 12.7: bytes that are not UTF-8 (a terminal in another encoding, a pasted binary) give a
one-line error naming the option, never a traceback. Python hands such arguments over as lone
surrogates (U+DC80-U+DCFF): the library must refuse those as well."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sopflow import CaseError, Engine

from .conftest import REQUEST, Run, assert_clean_failure

BAD = "\udcff"  # what b"\xff" on the command line becomes
START = [
    "case",
    "start",
    "supply_request",
    "--role",
    "grid_worker",
    "--set",
    "household_id=H-1",
    "--set",
    "address=a",
]

OPTIONS = {
    "--id": [*START, "--id", f"U-{BAD}"],
    "--place": [*START, "--id", "R-2", "--place", f"前郭镇{BAD}"],
    "--set": [*START[:-4], "--id", "R-3", "--set", f"household_id=H{BAD}", "--set", "address=a"],
    "--note": [*START, "--id", "R-4", "--note", f"n{BAD}"],
    "--actor": [*START, "--id", "R-5", "--actor", f"王{BAD}"],
    "--place (case list)": ["case", "list", "--place", f"前郭镇{BAD}"],
}


@pytest.mark.parametrize("args", OPTIONS.values(), ids=OPTIONS.keys())
def test_an_option_that_is_not_utf8_is_a_one_line_error(sopflow: Run, args: list[str]) -> None:
    result = sopflow(*args)
    option = next(name for name, given in OPTIONS.items() if given is args).split()[0]
    assert_clean_failure(result, option)


def test_an_actor_from_the_environment_that_is_not_utf8(sopflow: Run) -> None:
    result = sopflow(*START, "--id", "R-6", env={"SOPFLOW_ACTOR": f"王{BAD}"})
    assert_clean_failure(result, "SOPFLOW_ACTOR", "--actor")


def test_a_case_id_argument_that_is_not_utf8(sopflow: Run) -> None:
    assert sopflow(*START, "--id", "R-1").exit_code == 0
    assert_clean_failure(sopflow("case", "show", f"R{BAD}"))


def test_a_db_path_that_is_not_utf8(sopflow: Run, tmp_path: Path) -> None:
    assert_clean_failure(sopflow("--db", f"{tmp_path}/x{BAD}.db", "case", "list"), "--db", "SOPFLOW_DB")


def test_the_real_command_line(tmp_path: Path) -> None:
    """The issue's own example, through a real process and real bytes."""
    command = [sys.executable, "-m", "sopflow", "--db", str(tmp_path / "x.db"), *START[:2], "supply_request"]
    command += ["--id", b"U-\xff", "--role", "grid_worker", "--set", "household_id=H", "--set", "address=a"]  # type: ignore[list-item]
    done = subprocess.run(
        command,
        capture_output=True,
        timeout=60,
        env={"SOPFLOW_ACTOR": "wang", "LANG": "C.UTF-8"},
        check=False,
    )
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode in (1, 2), stderr
    assert "Traceback" not in stderr
    assert "--id" in stderr
    assert len(stderr.strip().splitlines()) <= 3, stderr  # one line (click's usage errors add two)


LIBRARY = {
    "case_id": {"case_id": f"U-{BAD}"},
    "actor": {"actor": f"王{BAD}"},
    "place": {"place": f"前郭镇{BAD}"},
    "note": {"note": f"n{BAD}"},
    "data": {"data": {**REQUEST, "household_id": f"H{BAD}"}},
}


@pytest.mark.parametrize("given", LIBRARY.values(), ids=LIBRARY.keys())
def test_the_library_refuses_lone_surrogates(engine: Engine, given: dict[str, object]) -> None:
    arguments: dict[str, object] = {"case_id": "R-1", "data": REQUEST, "actor": "王芳", "role": "grid_worker"}
    arguments.update(given)
    with pytest.raises(CaseError):
        engine.start("supply_request", **arguments)  # type: ignore[arg-type]
    assert engine.cases() == []
