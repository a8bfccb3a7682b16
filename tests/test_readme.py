"""The README's Python examples run as written (in a scratch folder, with its own store)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text("utf-8"), re.DOTALL)
# a Python block followed by "It prints ..." and a text block: what running it must print
PRINTS = dict(
    re.findall(
        r"```python\n(.*?)```\n\nIt prints[^\n]*\n\n```text\n(.*?)```", README.read_text("utf-8"), re.DOTALL
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
    assert any("engine.fire" in block for block in PRINTS)


def test_readme_starts_with_the_two_commands() -> None:
    text = README.read_text("utf-8")
    quick = text[text.index("## Quick start") :]
    assert quick.index("make demo") < quick.index("make test") < quick.index("\n## ", 3)
