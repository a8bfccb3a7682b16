"""Whatever the bytes, the loader answers with a Flow or a FlowError: never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sopflow import Flow, FlowError, load_flow_bytes

BASE = Path(__file__).parent.parent / "data" / "valid" / "base.yaml"
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(
        [
            "yes",
            "no",
            "task",
            "end",
            "decision",
            "wait",
            "subflow",
            "14d",
            "2h",
            "x",
            "temperature >= 37.3",
            "__class__",
            "{{ 7*7 }}",
            "verify",
            "grid_worker",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def _answer(raw: bytes) -> None:
    try:
        result = load_flow_bytes(raw, "fuzz.yaml")
    except FlowError as error:
        assert error.problems, "a FlowError must say what is wrong"
        for problem in error.problems:
            assert problem.location.file == "fuzz.yaml"
            assert problem.format("en") and problem.format("zh")
    else:
        assert isinstance(result, Flow)


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes(raw: bytes) -> None:
    _answer(raw)


@FUZZ
@given(st.text(max_size=400))
def test_arbitrary_text(text: str) -> None:
    _answer(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(values)
def test_arbitrary_yaml_documents(document: Any) -> None:
    _answer(yaml.safe_dump(document, allow_unicode=True).encode())


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@FUZZ
@given(st.data())
def test_a_valid_flow_with_one_value_replaced(data: st.DataObject) -> None:
    document = yaml.safe_load(BASE.read_text("utf-8"))
    path = data.draw(st.sampled_from(_paths(document)[1:]))
    replacement = data.draw(values)
    parent = document
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = replacement
    _answer(yaml.safe_dump(document, allow_unicode=True).encode())


@FUZZ
@given(st.data())
def test_a_valid_flow_with_lines_cut_or_repeated(data: st.DataObject) -> None:
    lines = BASE.read_text("utf-8").splitlines(keepends=True)
    start = data.draw(st.integers(0, len(lines) - 1))
    end = data.draw(st.integers(start, min(len(lines), start + 5)))
    mutated = lines[:start] + (lines[start:end] * 2 if data.draw(st.booleans()) else []) + lines[end:]
    _answer("".join(mutated).encode())
