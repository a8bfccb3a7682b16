"""Guards evaluated as closures give what Jinja's own sandboxed evaluation gives, construct by
construct: the same value, or an error where Jinja raises one."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2 import StrictUndefined, Undefined
from jinja2.sandbox import SandboxedEnvironment

from sopflow.language.guardops import HELPERS, add, remainder, repeat
from sopflow.language.guards import (
    ALLOWED_FILTERS,
    ALLOWED_TESTS,
    GuardProblem,
    GuardRuntimeError,
    check_guard,
)

NOW = datetime(2020, 2, 20, 8, 0, tzinfo=UTC)
NAMES = ["a", "b", "s", "t", "d", "flag", "items", "absent"]


class _Reference(SandboxedEnvironment):
    """Jinja's sandbox with the same caps on `*`, `+` and `%` as the closures: the semantics
    guards promise."""

    intercepted_binops = frozenset({"*", "%", "+"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        capped = {"*": repeat, "%": remainder, "+": add}
        return (
            capped[operator](left, right)
            if operator in capped
            else super().call_binop(context, operator, left, right)
        )


REFERENCE = _Reference(undefined=StrictUndefined, autoescape=False)
REFERENCE.filters = {name: REFERENCE.filters[name] for name in ALLOWED_FILTERS}
REFERENCE.tests = {name: REFERENCE.tests[name] for name in ALLOWED_TESTS}
REFERENCE.globals.clear()


def jinja_value(source: str, values: dict[str, Any]) -> tuple[str, Any]:
    helpers = {name: (lambda v, f=f: f(v, NOW)) for name, f in HELPERS.items()}
    try:
        return "value", REFERENCE.compile_expression(source, undefined_to_none=False)(**values, **helpers)
    except Exception as exc:
        return "error", type(exc).__name__


def closure_value(source: str, values: dict[str, Any]) -> tuple[str, Any]:
    guard = check_guard(source, NAMES)
    try:
        return "value", guard.program(values, {}, NOW)
    except Exception as exc:
        return "error", type(exc).__name__


def same(left: tuple[str, Any], right: tuple[str, Any]) -> bool:
    if left[0] != right[0]:
        return False
    if left[0] == "error":
        return True  # both refuse; the wording may differ (e.g. a helper used as a value)
    return _plain(left[1]) == _plain(right[1])


def _plain(value: Any) -> Any:
    """A value with its type, comparable without tripping over Undefined or NaN inside it."""
    if isinstance(value, Undefined):
        return ("undefined", type(value).__name__)
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    if isinstance(value, list | tuple):
        return (type(value).__name__, [_plain(v) for v in value])
    if isinstance(value, dict):
        return ("dict", sorted((repr(k), _plain(v)) for k, v in value.items()))
    return (type(value).__name__, value)


# -- hand-picked constructs ---------------------------------------------------------------------------

VALUES: dict[str, Any] = {
    "a": 3,
    "b": 4.5,
    "s": " KP4 ",
    "t": "kp5",
    "d": date(2020, 2, 10),
    "flag": False,
    "items": ["KP4", "KP5"],
}

CONSTRUCTS = [
    "a < b",
    "a < b < 2",
    "1 < a <= 3 < b",
    "a == 3 and b != 4",
    "a and b",
    "flag or s",
    "flag or absent",
    "not flag",
    "not absent",
    "absent",
    "absent is defined",
    "absent is undefined",
    "absent is none",
    "absent is string",
    "absent == 1",
    "absent in items",
    "absent in []",
    "a + b - 1",
    "a * 2",
    "s * 3",
    "s * 100000",
    "a / 2",
    "a // 2",
    "a % 2",
    "'%999999999d' % a",
    "s % 2",
    "a / 0",
    "-a",
    "+b",
    "s ~ t ~ a",
    "t in items",
    "t not in items",
    "'K' in s",
    "s|trim|lower in ['kp4']",
    "s|length",
    "t|upper",
    "b|int",
    "s|int",
    "s|float",
    "'3.5'|float",
    "b|round",
    "b|round(0, 'floor')",
    "b|round(precision=1)",
    "-b|abs",
    "a is number",
    "s is string",
    "flag is boolean",
    "flag is false",
    "a is eq 3",
    "a is gt 2",
    "a is divisibleby 3",
    "a is even",
    "a is odd",
    "t is in items",
    "a if flag else b",
    "a if flag",
    "a if not flag",
    "(a, b)",
    "[a, b, s]",
    "{'x': a}",
    "days_since(d) <= 14",
    "hours_since(d) > 100",
    "days_since(a)",
    "days_since > 1",
    "items|length == 2",
    "a < s",
    "none is none",
    "true and false",
]


@pytest.mark.parametrize("source", CONSTRUCTS)
def test_each_construct_evaluates_as_jinja_does(source: str) -> None:
    ours, jinjas = closure_value(source, VALUES), jinja_value(source, VALUES)
    assert same(ours, jinjas), (ours, jinjas)


def test_a_field_hides_a_param_of_the_same_name() -> None:
    guard = check_guard("a > 1", NAMES)
    assert guard.holds({"a": 2}, {"a": 0}, NOW) is True
    assert guard.holds({}, {"a": 0}, NOW) is False


def test_errors_on_user_data_are_guard_runtime_errors() -> None:
    guard = check_guard("a / b > 1", NAMES)
    with pytest.raises(GuardRuntimeError, match="divides by zero"):
        guard.holds({"a": 1, "b": 0}, {}, NOW)
    with pytest.raises(GuardRuntimeError, match="'absent' is not filled in"):
        check_guard("absent > 1", NAMES).holds({}, {}, NOW)


# -- random expressions ----------------------------------------------------------------------------------

_ATOMS = st.sampled_from(
    ["a", "b", "s", "t", "flag", "items", "absent", "0", "1", "2", "-3", "2.5", "'KP4'", "''", "true", "none"]
)
_BINARY = ["+", "-", "*", "/", "//", "%", "~", "and", "or", "==", "!=", "<", "<=", ">", ">=", "in", "not in"]
_SUFFIX = [
    "|length",
    "|lower",
    "|upper",
    "|trim",
    "|int",
    "|float",
    "|abs",
    "|round",
    "|round(1)",
    " is defined",
    " is none",
    " is number",
    " is string",
    " is divisibleby 2",
    " is even",
    " is in items",
]


def _expressions() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, st.sampled_from(_BINARY), inner).map(lambda p: f"({p[0]} {p[1]} {p[2]})"),
            inner.map(lambda e: f"(not {e})"),
            inner.map(lambda e: f"(-{e})"),
            st.tuples(inner, st.sampled_from(_SUFFIX)).map(lambda p: f"({p[0]}{p[1]})"),
            st.tuples(inner, inner, inner).map(lambda p: f"({p[0]} if {p[1]} else {p[2]})"),
            st.tuples(inner, inner).map(lambda p: f"({p[0]} if {p[1]})"),
            st.tuples(inner, inner, inner).map(lambda p: f"({p[0]} < {p[1]} <= {p[2]})"),
            st.lists(inner, max_size=3).map(lambda items: f"[{', '.join(items)}]"),
        )

    return st.recursive(_ATOMS, extend, max_leaves=6)


_VALUE = st.one_of(
    st.integers(-5, 20),
    st.floats(-10, 50, allow_nan=False),
    st.sampled_from(["KP4", "kp5", " x ", "", "36.5"]),
    st.booleans(),
    st.lists(st.sampled_from(["KP4", "KP5", 1]), max_size=3),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=_expressions(), values=st.dictionaries(st.sampled_from(NAMES[:-1]), _VALUE))
def test_random_guards_evaluate_as_jinja_does(source: str, values: dict[str, Any]) -> None:
    try:
        check_guard(source, NAMES)
    except GuardProblem:
        return  # refused at load time: never evaluated
    ours, jinjas = closure_value(source, values), jinja_value(source, values)
    assert same(ours, jinjas), (source, values, ours, jinjas)
