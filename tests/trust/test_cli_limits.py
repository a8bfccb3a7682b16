"""Issue 12.9: values at the edges of what a command takes give a one-line error, not a traceback:
a time in year 1, a limit past any integer the database holds, a name longer than a path may be,
an output file name over 255 bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Run, assert_clean_failure

START = ["case", "start", "supply_request", "--id", "R-1", "--role", "grid_worker"]
START += ["--set", "household_id=H-1", "--set", "address=a"]


def test_due_at_year_one(sopflow: Run) -> None:
    assert sopflow(*START).exit_code == 0
    assert_clean_failure(sopflow("due", "--now", "0001-01-01 00:00"), "--now")


def test_case_list_with_a_huge_limit(sopflow: Run) -> None:
    assert sopflow(*START).exit_code == 0
    assert_clean_failure(sopflow("case", "list", "--limit", "9" * 23), "--limit")


def test_case_list_with_a_negative_limit(sopflow: Run, store_url: str) -> None:
    """Not in the issue: SQLite takes LIMIT -1 as no limit; PostgreSQL refuses it and sopflow then
    calls the store damaged."""
    assert_clean_failure(sopflow("--db", store_url, "case", "list", "--limit", "-1"), "--limit")


def test_flows_show_with_a_name_too_long_for_a_path(sopflow: Run) -> None:
    assert_clean_failure(sopflow("flows", "show", "a" * 131_000))


LONG = "x" * 300  # more than the 255 bytes a file name may have


@pytest.mark.needs_dot
@pytest.mark.parametrize(
    "command",
    [["handbook", "supply_request"], ["case", "sheet", "R-1"], ["case", "chart", "R-1"]],
    ids=["handbook", "case sheet", "case chart"],
)
def test_an_output_file_name_over_255_bytes(sopflow: Run, tmp_path: Path, command: list[str]) -> None:
    assert sopflow(*START).exit_code == 0
    suffix = ".pdf" if command[-2:-1] == ["chart"] else ".html"
    result = sopflow(*command, "-o", str(tmp_path / f"{LONG}{suffix}"))
    assert_clean_failure(result, LONG[:40], codes=(1,))


@pytest.mark.needs_dot
def test_render_into_a_folder_name_over_255_bytes(sopflow: Run, tmp_path: Path) -> None:
    """Handled already: one line naming the folder."""
    result = sopflow("render", "supply_request", "-f", "dot", "-o", str(tmp_path / LONG))
    assert_clean_failure(result, LONG[:40], codes=(1,))
