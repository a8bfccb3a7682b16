"""Issue 12, "Also": an error caused by one line of a flow file names that line, wherever the problem
shows up later: a param's bad value at the param (not only where it is used), a quote left open
where it opens (not only where YAML gives up at the end of the file)."""

from __future__ import annotations

import pytest

from sopflow import FlowError, load_flow_bytes

from .conftest import DATA

SOURCE = (DATA / "watch.yaml").read_text("utf-8")
PARAM = """params:
  watch_period:
    value: "three days"
    label: {zh: 观察期, en: Watch period}
    source: I
"""
WITH_BAD_PARAM = SOURCE.replace("roles:\n", PARAM + "roles:\n", 1).replace(
    "after: 1d", "after: watch_period", 1
)


def _line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def _problem_lines(text: str) -> list[int]:
    with pytest.raises(FlowError) as refused:
        load_flow_bytes(text.encode("utf-8"), "flow.yaml")
    return [p.location.line for p in refused.value.errors]


def test_a_params_bad_value_is_reported_at_the_param() -> None:
    text = WITH_BAD_PARAM
    assert _line_of(text, 'value: "three days"') in _problem_lines(text)


def test_a_params_bad_value_is_still_reported_where_it_is_used() -> None:
    text = WITH_BAD_PARAM
    assert _line_of(text, "after: watch_period") in _problem_lines(text)


@pytest.mark.parametrize("quote", ['"', "'"])
def test_a_quote_left_open_is_reported_where_it_opens(quote: str) -> None:
    text = SOURCE.replace("en: Watch}", f"en: {quote}Watch}}", 1)
    assert _line_of(text, f"en: {quote}Watch}}") in _problem_lines(text)
