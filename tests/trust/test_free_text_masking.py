"""Issue 12, "Also": free text (notes, text fields such as `lead_note`) that holds a phone or ID
number is masked like personal fields are, in every output, unless --show-personal."""

from __future__ import annotations

import pytest

from .conftest import Run

PHONE, ID_NUMBER = "13812345678", "220721198503120045"
NOTE = f"本人电话 {PHONE}，身份证 {ID_NUMBER}"


@pytest.fixture
def case_with_free_text(sopflow: Run) -> str:
    started = sopflow(
        "case", "start", "key_person_control", "--id", "QG-0001", "--role", "grid_worker", "--note", NOTE
    )
    assert started.exit_code == 0, started.output
    logged = sopflow(
        "case", "advance", "QG-0001", "lead_logged", "--role", "grid_worker",
        "--set", "lead_source=self_report", "--set", f"lead_note={NOTE}",
    )  # fmt: skip
    assert logged.exit_code == 0, logged.output
    return "QG-0001"


OUTPUTS = {
    "case show": ["case", "show", "QG-0001"],
    "case show --json": ["case", "show", "QG-0001", "--json"],
    "case history": ["case", "history", "QG-0001"],
    "case history --json": ["case", "history", "QG-0001", "--json"],
    "case list": ["case", "list"],
    "case list --json": ["case", "list", "--json"],
}


@pytest.mark.parametrize("output", OUTPUTS.values(), ids=OUTPUTS.keys())
def test_numbers_in_free_text_are_masked(sopflow: Run, case_with_free_text: str, output: list[str]) -> None:
    result = sopflow(*output)
    assert result.exit_code == 0, result.output
    assert PHONE not in result.output
    assert ID_NUMBER not in result.output


def test_show_personal_shows_them(sopflow: Run, case_with_free_text: str) -> None:
    result = sopflow("case", "history", "QG-0001", "--show-personal")
    assert PHONE in result.output and ID_NUMBER in result.output
