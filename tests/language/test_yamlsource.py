"""The marked YAML reader: plain data only, yes/no stay text, every value has a line."""

from __future__ import annotations

import pytest

from sopflow.i18n import say
from sopflow.language.yamlsource import YamlProblem, describe, load_marked


def test_yes_no_on_off_stay_text_and_true_false_are_booleans() -> None:
    data, _ = load_marked("a: yes\nb: no\nc: on\nd: off\ne: true\nf: false\nno: 1\n")
    assert data == {"a": "yes", "b": "no", "c": "on", "d": "off", "e": True, "f": False, "no": 1}


def test_times_of_day_stay_text_and_numbers_stay_numbers() -> None:
    # YAML 1.1 reads 16:00 as the base-60 number 960: `at: [08:00, 16:00]` must keep both times
    data, _ = load_marked("at: [08:00, 16:00, 7:30, 25:00]\nn: [12, 1_000, 1.5, 0x10]\n")
    assert data == {"at": ["08:00", "16:00", "7:30", "25:00"], "n": [12, 1000, 1.5, 16]}


def test_positions_of_values_and_keys_are_one_based() -> None:
    data, marks = load_marked("steps:\n  verify:\n    to: [a, b]\n")
    assert data == {"steps": {"verify": {"to": ["a", "b"]}}}
    assert marks.values[("steps", "verify", "to", 1)] == (3, 13)
    assert marks.keys[("steps", "verify")] == (2, 3)
    assert marks.at(("steps", "verify", "missing", 0)) == (3, 5)


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("a: 1\na: 2\n", "yaml.duplicate_key", 2),
        ("a: [1, 2\n", "yaml.syntax", 2),
        ("", "yaml.empty", 1),
        ("a: 1\n---\nb: 2\n", "yaml.many_documents", 3),
        ("a: !!python/object/apply:os.system [id]\n", "yaml.bad_tag", 1),
        ("a: !!python/name:os.system\n", "yaml.bad_tag", 1),
        ("a: &x [*x]\n", "yaml.recursive_alias", 1),
        ("? [a]\n: 1\n", "yaml.complex_key", 1),
    ],
)
def test_unusable_documents_are_refused_with_a_line(text: str, code: str, line: int) -> None:
    with pytest.raises(YamlProblem) as caught:
        load_marked(text)
    assert (caught.value.code, caught.value.line) == (code, line)


def test_an_alias_bomb_is_refused_before_it_expands() -> None:
    lines = ['a0: ["x","x","x","x","x","x","x","x","x","x"]']
    for level in range(1, 10):
        refs = ",".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    lines[0] = 'a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]'
    with pytest.raises(YamlProblem) as caught:
        load_marked("\n".join(lines) + "\n")
    assert caught.value.code == "yaml.too_large"


def test_paths_read_as_people_write_them() -> None:
    assert describe(("steps", "verify", "actions", 0, "to")) == "steps.verify.actions[1].to"
    assert describe(()) == "(top level)"


@pytest.mark.parametrize(
    ("text", "line", "zh", "en"),
    [
        ("a:\n\tb: 1\n", 2, "制表符（Tab）", "a tab — YAML indents with spaces only"),
        ("a: b: c\n", 1, "这里不该有冒号", "a colon where none can be"),
        ("a: {zh: x, en: y\nb: 1\n", 2, "{…} 没有闭合，或其中少了逗号", "a {...} not closed"),
        ("a: [1, 2\nb: 1\n", 2, "[…] 没有闭合", "a [...] not closed"),
        ('a: "abc\nb: 1\n', 1, "引号没有闭合", "a quote not closed"),
        ("a:\n  b: 1\n c: 2\n", 3, "缩进与上面同一层的行没有对齐", "does not line up"),
        ("a: @x\n", 1, "值不能以 @ 开头，请给这个值加引号", "cannot start with @"),
        ("a: *x\n", 1, "别名（*x）", "read as an alias (*x)"),
    ],
)
def test_the_usual_yaml_slips_are_told_in_the_authors_language(
    text: str, line: int, zh: str, en: str
) -> None:
    """A Chinese author is told what is wrong in Chinese, not in PyYAML's English."""
    with pytest.raises(YamlProblem) as caught:
        load_marked(text)
    problem = caught.value
    said = {lang: say(problem.code, lang, **problem.params) for lang in ("zh", "en")}
    assert problem.line == line
    assert zh in said["zh"] and en in said["en"]
    assert not any(word in said["zh"] for word in ("while", "found", "expected", "scanning"))
