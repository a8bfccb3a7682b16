"""The program's entry point (sopflow/launch.py): the collector paused only while importing."""

from __future__ import annotations

import gc
import subprocess
import sys
from importlib.metadata import entry_points

import pytest

from sopflow import launch


def test_the_sopflow_program_and_python_m_sopflow_start_through_launch() -> None:
    [script] = [e for e in entry_points(group="console_scripts") if e.name == "sopflow"]
    assert script.value == "sopflow.launch:main"
    done = subprocess.run(
        [sys.executable, "-m", "sopflow", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and done.stdout.strip(), done.stderr


def test_the_collector_runs_again_for_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command may run for hours (an import, a tick): it must not run with the collector off."""
    monkeypatch.setattr(sys, "argv", ["sopflow", "--version"])
    try:
        with pytest.raises(SystemExit) as exit_:
            launch.main()
        assert exit_.value.code == 0 and gc.isenabled()
    finally:
        gc.unfreeze()  # this test process's own objects, frozen by launch.main, walked again
