"""Imports show a progress bar on stderr when it is a terminal, and write nothing there when it is
not (a log file, a pipe): a real pseudo-terminal, not a mock of isatty."""

from __future__ import annotations

import io
import os
import pty
import select
import sys

import pytest

from sopflow.commands.registry import progress_bars


def test_a_progress_bar_on_a_terminal_and_nothing_on_a_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    master, replica = pty.openpty()
    with open(replica, "w", encoding="utf-8") as terminal:
        monkeypatch.setattr(sys, "stderr", terminal)
        with progress_bars() as bar:
            tell = bar(1000, "导入 people.csv")
            for _ in range(10):
                tell(100)
        terminal.flush()
        shown = _everything_written(master)
    os.close(master)
    assert "导入 people.csv" in shown
    assert "100%" in shown
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    with progress_bars() as bar:
        bar(1000, "导入 people.csv")(1000)
    assert piped.getvalue() == ""


def _everything_written(master: int) -> str:
    """All a terminal holds. The kernel hands a pty's output on in chunks, some after the write
    returned: read until nothing more comes for a second (one read saw 20% under load)."""
    chunks = []
    while select.select([master], [], [], 1.0)[0]:
        chunk = os.read(master, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")
