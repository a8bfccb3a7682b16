"""The marked YAML reader: plain data only, yes/no stay text, every value has a line."""

from __future__ import annotations

import pytest

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
