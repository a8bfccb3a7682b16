"""Guards: what they may say, what they may not, and how they evaluate."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sopflow.errors import CaseError
from sopflow.i18n import say
from sopflow.language.guards import GuardProblem, GuardRuntimeError, check_guard

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


# -- sizes: no short guard may build a huge value --------------------------------------------------

HUGE_CONSTANTS = [
    "([['a'*9999]*9999]*9999 ~ '') | length > 1",
    "(['a'*9999]*9999 ~ ['a'*9999]*9999) | length > 1",
    "([[0]*9999]*9999) == ([[0]*9999]*9999)",
    "('a' ~ 'b') * 9000 * 9000 == 'x'",
    "'a'*1000000000 == 'b'",
]


@pytest.mark.parametrize("source", HUGE_CONSTANTS)
def test_huge_constant_values_are_refused_at_load_time(source: str) -> None:
    with pytest.raises(GuardProblem) as caught:
        check_guard(source, NAMES)
    assert caught.value.code == "guard.too_large"


@pytest.mark.parametrize(
    ("source", "values"),
    [
        ("([[category]*9999]*9999 ~ '') | length > 1", {"category": "a"}),
        ("([category * 9999] * 9999 ~ '') | length > 1", {"category": "a"}),
        ("(category ~ category ~ category) | length > 1", {"category": "a" * 40_000}),
        ("(category + category + category) | length > 1", {"category": "a" * 40_000}),
        ("([category, category, category] ~ '') | length > 1", {"category": "a" * 40_000}),
        ("(category|upper ~ category) | length > 1", {"category": "a" * 60_000}),
    ],
)
def test_values_built_from_case_data_are_bounded_at_run_time(source: str, values: dict[str, object]) -> None:
    guard = check_guard(source, NAMES)
    with pytest.raises(GuardRuntimeError, match="very large value"):
        guard.evaluate(values, NOW)


def test_values_within_the_budget_still_work() -> None:
    built = check_guard("(category * 9999 ~ category) | length == 10000", NAMES)
    assert built.evaluate({"category": "a"}, NOW)
    assert check_guard("[category] * 3 == ['a', 'a', 'a']", NAMES).evaluate({"category": "a"}, NOW)


@pytest.mark.parametrize("source", ["'abc' > 3", "1 / 0 > temperature", "('x' ~ 1) - 1 > temperature"])
def test_constant_parts_that_always_fail_are_refused_at_load_time(source: str) -> None:
    with pytest.raises(GuardProblem) as caught:
        check_guard(source, NAMES)
    assert caught.value.code in ("guard.always_fails", "guard.zero_division")


# -- run time: whose fault, in the user's language --------------------------------------------------


def test_a_run_time_failure_says_whether_data_is_missing_or_the_rule_is_wrong() -> None:
    guard = check_guard("temperature / phone > 1", NAMES)

    def said(values: dict[str, object], lang: str) -> str:
        with pytest.raises(GuardRuntimeError) as caught:
            guard.evaluate(values, NOW)
        error = CaseError("case.guard_error", case="C", step="s", guard="g", detail=str(caught.value))
        return error.message(lang)

    assert "'phone' is not filled in — supply it" in said({"temperature": 37.0}, "en")
    assert "缺少 'phone'" in said({"temperature": 37.0}, "zh")
    assert "the flow's rule is wrong (it divides by zero)" in said({"temperature": 37.0, "phone": 0}, "en")
    zh = said({"temperature": "x", "phone": 2}, "zh")
    assert "流程中的这条规则有误" in zh and "请告知流程维护人员" in zh
    assert "unsupported operand" not in zh


@pytest.mark.parametrize(
    ("guard", "code", "said"),
    [
        ("temperature = 38", "guard.slip.single_equals", "用了单个 '=' — 判断相等请写 '=='"),
        ("temperature >= 37.3 && symptoms", "guard.slip.c_logic", "'&&' 不是条件的写法"),
        ("temperature >= 37.3 || symptoms", "guard.slip.c_logic", "'||' 不是条件的写法"),
        ("!symptoms", "guard.slip.c_logic", "'!' 不是条件的写法"),
        ("temperature ＞＝ 37.3", "guard.slip.full_width", "全角的 '＞' — 请改用半角的 '>'"),
    ],
)
def test_slips_from_other_languages_are_told_in_words(guard: str, code: str, said: str) -> None:
    """Jinja would say "unexpected '}}'" (brackets the author never typed) or "unexpected char"."""
    with pytest.raises(GuardProblem) as refused:
        check_guard(guard, ["temperature", "symptoms"])
    assert refused.value.code == code
    assert said in say(code, "zh", guard=guard, **refused.value.params)


@pytest.mark.parametrize("guard", ["temperature != 37", "note == 'a=b'", 'note == "好!"', "not symptoms"])
def test_what_only_looks_like_a_slip_is_a_guard(guard: str) -> None:
    check_guard(guard, ["temperature", "symptoms", "note"])
