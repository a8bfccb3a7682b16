"""The negative corpus: every file in tests/data/invalid is refused with exactly the errors it expects.

Each file starts with `# expect: LINE:COL: message` lines, one per error the loader must report (in
English; warnings are not listed). Most files are tests/data/valid/base.yaml with one mistake.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sopflow import FlowError, load_flow

DATA = Path(__file__).parent.parent / "data"
BASE = DATA / "valid" / "base.yaml"
INVALID = sorted((DATA / "invalid").glob("*.yaml"))
EXPECT = "# expect: "


def _lines(path: Path) -> list[str]:
    # Some files are deliberately not UTF-8; their header is, and a replaced byte stays one column.
    return path.read_bytes().decode("utf-8", errors="replace").splitlines()


def _expected(path: Path) -> list[str]:
    header = []
    for line in _lines(path):
        if not line.startswith("#"):
            break
        if line.startswith(EXPECT):
            header.append(line.removeprefix(EXPECT))
    return sorted(header)


def _location(expectation: str) -> tuple[int, int]:
    line, column, _ = expectation.split(":", 2)
    return int(line), int(column)


@pytest.mark.parametrize("path", INVALID, ids=[p.name for p in INVALID])
def test_invalid_file_is_refused_with_the_expected_errors(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOPFLOW_LANG", "zh")  # the expectations are English whatever the user reads
    expected = _expected(path)
    assert expected, f"{path.name} has no '{EXPECT}' lines"
    with pytest.raises(FlowError) as caught:
        load_flow(path)
    found = sorted(f"{p.location.line}:{p.location.column}: {p.message('en')}" for p in caught.value.errors)
    assert found == expected


@pytest.mark.parametrize("path", INVALID, ids=[p.name for p in INVALID])
def test_expected_locations_are_inside_the_file(path: Path) -> None:
    lines = _lines(path)
    for expectation in _expected(path):
        line, column = _location(expectation)
        assert 1 <= line <= len(lines), expectation
        assert 1 <= column <= len(lines[line - 1]) + 1, expectation


def test_the_corpus_is_large_enough() -> None:
    assert len(INVALID) >= 40


def test_the_base_flow_loads_clean() -> None:
    flow = load_flow(BASE)
    assert [p.format("en") for p in flow.warnings if p.severity == "error"] == []
    assert {str(step.kind) for step in flow.steps.values()} == {"task", "decision", "wait", "end"}
