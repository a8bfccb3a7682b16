"""Guards: what they may say, what they may not, and how they evaluate."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sopflow.engine.guards import GuardProblem, GuardRuntimeError, check_guard

NAMES = ["temperature", "symptoms", "category", "arrival_date", "fever_threshold", "phone"]
NOW = datetime(2020, 2, 20, 8, 0, tzinfo=UTC)

# Strings that try to leave the expression language: every one must be refused at load time.
SANDBOX_ESCAPES = [
    "temperature.__class__",
    "temperature.__class__.__mro__[1].__subclasses__()",
    "().__class__.__base__.__subclasses__()",
    "''.__class__.__mro__[2].__subclasses__()",
    "cycler.__init__.__globals__.os.popen('id').read()",
    "joiner.__init__.__globals__",
    "namespace.__init__.__globals__",
    "lipsum.__globals__['os'].popen('id')",
    "lipsum()",
    "range(10)",
    "self.__init__.__globals__",
    "self._TemplateReference__context",
    "config.items()",
    "request.application.__globals__",
    "category|attr('__class__')",
    "category|attr('upper')",
    "temperature|map('x')|list",
    "category['__class__']",
    "category[0]",
    "category[0:1]",
    "category.upper()",
    "temperature ** 1000000",
    "2 ** 100",
    "'__class__' in category",
    "_private",
    "__import__('os')",
    "dict(a=1)",
    "category|format('%s')",
    "temperature is callable",
    "{'a': 1}.items()",
    "[].pop()",
    "(lambda: 1)()",
    "{% print 1 %}",
    "temperature }} {{ 7*7",
    "temperature) or (1",
]


@pytest.mark.parametrize("source", SANDBOX_ESCAPES)
def test_sandbox_escapes_are_refused_at_load_time(source: str) -> None:
    with pytest.raises(GuardProblem) as caught:
        check_guard(source, NAMES)
    assert caught.value.code.startswith("guard.")


@pytest.mark.parametrize(
    ("source", "values", "expected"),
    [
        ("temperature >= fever_threshold or symptoms", {"temperature": 37.3, "symptoms": False}, True),
        ("temperature >= fever_threshold or symptoms", {"temperature": 36.5, "symptoms": False}, False),
        ("temperature >= fever_threshold or symptoms", {"temperature": 36.5, "symptoms": True}, True),
        ('category in ["KP4", "KP5"]', {"category": "KP5"}, True),
        ('category in ["KP4", "KP5"]', {"category": "KP7"}, False),
        ("days_since(arrival_date) <= 14", {"arrival_date": date(2020, 2, 10)}, True),
        ("days_since(arrival_date) <= 14", {"arrival_date": date(2020, 2, 1)}, False),
        ("phone is defined", {}, False),
        ("phone is defined and phone|length == 11", {"phone": "13800000000"}, True),
        ("not symptoms", {"symptoms": "no"}, False),
    ],
)
def test_guards_evaluate_on_case_data(source: str, values: dict[str, object], expected: bool) -> None:
    guard = check_guard(source, NAMES)
    assert guard.evaluate({"fever_threshold": 37.3, **values}, NOW) is expected


def test_a_name_the_case_does_not_have_is_an_error_not_false() -> None:
    guard = check_guard("temperature >= 37.3", NAMES)
    with pytest.raises(GuardRuntimeError):
        guard.evaluate({}, NOW)


def test_huge_repetition_is_stopped_at_run_time() -> None:
    guard = check_guard("category * temperature", NAMES)
    with pytest.raises(GuardRuntimeError):
        guard.evaluate({"category": "x", "temperature": 10**9}, NOW)


def test_text_formatting_is_stopped_at_run_time() -> None:
    guard = check_guard("'%999999999d' % temperature == category", NAMES)
    with pytest.raises(GuardRuntimeError, match="format"):
        guard.evaluate({"category": "x", "temperature": 1}, NOW)
    assert check_guard("temperature % 2 == 1", NAMES).evaluate({"temperature": 3}, NOW) is True


def test_unknown_name_gets_a_did_you_mean() -> None:
    with pytest.raises(GuardProblem) as caught:
        check_guard("temprature >= 37.3", NAMES)
    assert caught.value.code == "guard.unknown_name"
    assert caught.value.params == {"name": "temprature", "suggestion": "temperature"}


def test_names_read_by_a_guard_are_recorded() -> None:
    guard = check_guard("temperature >= fever_threshold or days_since(arrival_date) < 3", NAMES)
    assert guard.names == {"temperature", "fever_threshold", "arrival_date"}
