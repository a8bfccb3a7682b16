"""The house rules of issue 9 that no linter checks: every module short enough to read whole.

(Layers and cycles are import-linter's, in `make lint`; the catalogue rules are in
tests/i18n/test_catalogue.py.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

import sopflow

MAX_LINES = 450
PACKAGE = Path(sopflow.__file__).parent


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_package_has_modules_to_check() -> None:
    assert len(_modules()) > 100


@pytest.mark.parametrize("module", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_longer_than_450_lines(module: Path) -> None:
    lines = len(module.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, (
        f"{module.relative_to(PACKAGE)} has {lines} lines: split it by what its parts do"
    )
