"""The README's Python examples run as written (in a scratch folder, with its own store)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from sopflow import Engine, open_store
from sopflow.cli import cli
from tests.conftest import Clock
from tests.scenarios.helpers import place_at_home

README = Path(__file__).parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text("utf-8"), re.DOTALL)
# a Python block followed by "It prints ..." and a text block: what running it must print
PRINTS = dict(
    re.findall(
        r"```python\n((?:(?!```).)*?)```\n\nIt prints[^\n]*\n\n```text\n(.*?)```",
        README.read_text("utf-8"),
        re.DOTALL,
    )
)


@pytest.mark.parametrize("number", range(len(BLOCKS)))
def test_readme_python_example_runs(number: int, tmp_path: Path) -> None:
    script = tmp_path / f"readme_{number + 1}.py"
    script.write_text(BLOCKS[number], "utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()
    if BLOCKS[number] in PRINTS:
        assert done.stdout == PRINTS[BLOCKS[number]]


def test_the_embedding_example_shows_its_output() -> None:
    """Each "It prints" belongs to the one block above it (and so is compared with its output)."""
    assert any("engine.fire" in block for block in PRINTS)
    assert all(block in BLOCKS for block in PRINTS)


def test_readme_starts_with_the_two_commands() -> None:
    text = README.read_text("utf-8")
    quick = text[text.index("## Quick start") :]
    assert quick.index("make demo") < quick.index("make test") < quick.index("\n## ", 3)


def _walks(text: str, heading: str) -> list[tuple[list[str], str, int]]:
    """The `$ sopflow ...` commands of a README section's first shell block, each with the output
    shown under it and its exit code ("(exit code N)"); `export` lines set the environment."""
    section = text[text.index(heading) :]
    block = section[section.index("```\n") + 4 :]
    block = block[: block.index("\n```")]
    steps: list[tuple[list[str], str, int]] = []
    lines = block.splitlines()
    while lines:
        line = lines.pop(0)
        if not line.startswith("$ "):
            continue
        command = line[2:]
        while command.endswith("\\"):
            command = command[:-1] + lines.pop(0).strip()
        shown = []
        while lines and not lines[0].startswith("$ "):
            shown.append(lines.pop(0))
        while shown and not shown[-1].strip():
            shown.pop()
        code = 0
        if shown and shown[-1].startswith("(exit code"):
            code = int(shown.pop().strip("()").split()[-1])
        steps.append((shlex.split(command, comments=True), "\n".join(shown).strip(), code))
    return steps


def _run_walk(steps: list[tuple[list[str], str, int]], monkeypatch: pytest.MonkeyPatch) -> None:
    """Each command in order through the CLI: its output and exit code as the README shows them
    (`export` lines set the environment)."""
    runner = CliRunner()
    for argv, shown, code in steps:
        if argv[0] == "export":
            for setting in argv[1:]:
                name, _, value = setting.partition("=")
                monkeypatch.setenv(name, value)
            continue
        result = runner.invoke(cli, argv[1:])
        assert (result.output.strip(), result.exit_code) == (shown, code), " ".join(argv)


def _new_walk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, county: bool = False, lang: str | None = "en"
) -> None:
    """A scratch folder with a new store (and the sample county's files), no settings of the
    user's, time fixed (SOPFLOW_NOW) so that OVERDUE marks do not depend on today."""
    if county:
        shutil.copytree(README.parent / "examples" / "county", tmp_path / "examples" / "county")
    monkeypatch.chdir(tmp_path)
    for name in ("SOPFLOW_DB", "SOPFLOW_ROLE", "SOPFLOW_FLOWS", "SOPFLOW_ACTOR"):
        monkeypatch.delenv(name, raising=False)
    if lang is not None:
        monkeypatch.setenv("SOPFLOW_LANG", lang)
    monkeypatch.setenv("SOPFLOW_NOW", "2020-02-04 08:00")


def test_the_readme_case_walk_prints_what_it_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every case command of the README, run in order on a new store, prints exactly what the
    README shows."""
    _new_walk(tmp_path, monkeypatch)
    steps = _walks(README.read_text("utf-8"), "## Command line: cases")
    assert len(steps) >= 8 and all(argv[0] in ("sopflow", "export") for argv, _, _ in steps)
    _run_walk(steps, monkeypatch)


def test_the_readme_registry_walk_prints_what_it_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The registry section's commands, run in order on a new store with the sample county."""
    _new_walk(tmp_path, monkeypatch, county=True)
    steps = _walks(README.read_text("utf-8"), "## The county's people")
    assert len(steps) >= 8
    _run_walk(steps, monkeypatch)
    assert (tmp_path / "to-fix.xlsx").is_file()


def test_the_readme_corrections_walk_prints_what_it_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The corrections section's commands, run in order on a new store."""
    _new_walk(tmp_path, monkeypatch)
    steps = _walks(README.read_text("utf-8"), "## Corrections")
    assert len(steps) >= 15
    _run_walk(steps, monkeypatch)


def test_the_readme_case_import_and_export_walk_prints_what_it_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The spreadsheets section's commands, run in order on a new store with the sample county."""
    _new_walk(tmp_path, monkeypatch, county=True, lang=None)
    steps = _walks(README.read_text("utf-8"), "## Cases, readings and the list")
    assert len(steps) >= 8
    _run_walk(steps, monkeypatch)
    assert (tmp_path / "台账.xlsx").is_file()


def test_the_readme_checks_walk_prints_what_it_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The checks sheet's commands, on a store holding two people in home observation."""
    shutil.copytree(README.parent / "examples" / "county", tmp_path / "examples" / "county")
    monkeypatch.chdir(tmp_path)
    for name in ("SOPFLOW_ROLE", "SOPFLOW_FLOWS", "SOPFLOW_ACTOR"):
        monkeypatch.delenv(name, raising=False)
    url = f"sqlite:///{tmp_path}/homes.db"
    with open_store(url) as store:
        engine = Engine(store, clock=Clock(datetime(2020, 2, 1, 1, 0, tzinfo=UTC)))
        place_at_home(engine, "QG-0001")
        place_at_home(engine, "QG-0002", household="H-3-2-502", id_number="220721199001011230", name="李四")
    monkeypatch.setenv("SOPFLOW_DB", url)
    monkeypatch.setenv("SOPFLOW_NOW", "2020-02-04 08:00")
    steps = _walks(README.read_text("utf-8"), "### Readings from the checks sheet")
    assert len(steps) >= 4
    _run_walk(steps, monkeypatch)


def test_the_readme_county_day_prints_what_it_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The county's day as `make demo` plays it (the sample county imported, scripts/demo_day.py):
    the daily report, worklists and building chart print the numbers the README shows."""
    _new_walk(tmp_path, monkeypatch, county=True, lang="zh")
    (tmp_path / "out").mkdir()
    monkeypatch.setenv("SOPFLOW_DB", "out/county.db")
    runner = CliRunner()
    for what in ("places", "people"):
        done = runner.invoke(cli, [what, "import", f"examples/county/{what}.xlsx"])
        assert done.exit_code == 0, done.output
    script = README.parent / "scripts" / "demo_day.py"
    played = subprocess.run(
        [sys.executable, str(script), "out/county.db"], capture_output=True, text=True, check=False
    )
    assert played.returncode == 0, played.stderr
    steps = _walks(README.read_text("utf-8"), "## The county's day")
    assert [argv[1] for argv, _, _ in steps] == [
        "SOPFLOW_DB=out/county.db",
        *["report"] * 2,
        *["worklist"] * 2,
        "building",
    ]
    _run_walk(steps, monkeypatch)
