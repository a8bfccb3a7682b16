"""Flows said in plain words, the way a volunteer reads them: values by their labels and units,
guard conditions as "体温 ≥ 37.3 或 有症状" rather than the rule as written."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sopflow.errors import SopflowError
from sopflow.i18n import duration_words, pick, say
from sopflow.language.guardhistory import CHILD_FUNCTIONS, HISTORY_FUNCTIONS
from sopflow.language.guardtree import GNode
from sopflow.language.model import FieldSpec, FieldType, Flow


def value_words(spec: FieldSpec | None, value: Any, lang: str) -> str:  # noqa: PLR0911 - one line per kind of value
    """A value as a reader says it: choices by their label, booleans as yes/no, with the unit."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return say("word.yes" if value else "word.no", lang)
    if isinstance(value, timedelta):
        return duration_words(value, lang)
    if (
        spec is not None
        and spec.type is FieldType.CHOICE
        and isinstance(value, str)
        and value in spec.choices
    ):
        return pick(spec.choices[value], lang, lang)
    if spec is not None and spec.unit and isinstance(value, int | float):
        return f"{value} {spec.unit}"
    if isinstance(value, tuple):  # a list param (C10): its items, each as a value
        return say("cond.list_sep", lang).join(value_words(spec, item, lang) for item in value)
    return str(value)


class _Unsaid(Exception):
    """A guard construct that has no plain wording; the guard is then shown as written."""


_SYMBOLS = {"gt": ">", "gteq": "≥", "lt": "<", "lteq": "≤"}


class _Speaker:
    """Says a guard in words: field and setting names by their labels, choice codes by theirs."""

    def __init__(self, flow: Flow, lang: str) -> None:
        self.flow = flow
        self.lang = lang

    def w(self, code: str, **params: object) -> str:
        return say(code, self.lang, **params)

    def condition(self, node: GNode, inside: str | None = None) -> str:
        kind = node.kind
        if kind in ("And", "Or"):
            glue = self.w("cond.and" if kind == "And" else "cond.or")
            text = glue.join([self.condition(node.left, kind), self.condition(node.right, kind)])
            return self.w("cond.group", text=text) if inside not in (None, kind) else text
        if kind == "Not":
            return self.negation(node.node)
        if kind == "Name":
            return self.w("cond.yes", what=self.name(node.name))
        if kind == "Compare":
            return self.compare(node)
        if kind == "Test":
            return self.test(node)
        if (
            kind == "Call"
            and node.node.kind == "Name"
            and node.node.name == "valid_id"
            and len(node.args) == 1
        ):
            return self.w("cond.valid_id", what=self.value(node.args[0]))
        raise _Unsaid

    def negation(self, inner: GNode) -> str:
        if inner.kind == "Name":
            return self.w("cond.no", what=self.name(inner.name))
        if inner.kind == "Test" and inner.name in ("defined", "undefined"):
            flipped = "undefined" if inner.name == "defined" else "defined"
            return self.w(f"cond.{flipped}", what=self.value(inner.node))
        return self.w("cond.not", text=self.w("cond.group", text=self.condition(inner)))

    def compare(self, node: GNode) -> str:
        parts = []
        left = node.expr
        for operand in node.ops:
            right = operand.expr
            choices = self.choices_of(left)
            lhs, rhs = self.value(left), self.measured(left, right) or self.value(right, choices)
            if operand.op in ("eq", "ne", "in", "notin"):
                parts.append(self.w(f"cond.{operand.op}", left=lhs, right=rhs))
            elif operand.op in _SYMBOLS:
                parts.append(f"{lhs} {_SYMBOLS[operand.op]} {rhs}")
            else:
                raise _Unsaid
            left = right
        return self.w("cond.and").join(parts)

    def measured(self, left: GNode, right: GNode) -> str:
        """A setting compared with a measured field, said as a reading with its unit: 体温 ≥ 37.3 ℃
        (not the setting's name); '' when that is not the case."""
        if not (left.kind == "Name" and right.kind == "Name"):
            return ""
        spec, param = self.flow.fields.get(left.name), self.flow.params.get(right.name)
        if spec is None or param is None or not spec.unit or not isinstance(param.value, int | float):
            return ""
        return value_words(spec, param.value, self.lang)

    def test(self, node: GNode) -> str:
        if node.args or node.kwargs:
            raise _Unsaid
        what = self.value(node.node)
        if node.name in ("defined", "undefined", "none"):
            return self.w(f"cond.{node.name}", what=what)
        if node.name in ("true", "false"):
            return self.w("cond.yes" if node.name == "true" else "cond.no", what=what)
        raise _Unsaid

    def value(self, node: GNode, choices: Mapping[str, Mapping[str, str]] | None = None) -> str:
        if node.kind == "Name" and choices and node.name in self.flow.params:
            return self.listed(node.name, choices)
        if node.kind == "Name":
            return self.name(node.name, with_value=True)
        if node.kind == "Const":
            return self.constant(node.value, choices)
        if node.kind in ("List", "Tuple"):
            return self.w("cond.list_sep").join(self.value(item, choices) for item in node.items)
        if node.kind == "Call" and node.node.kind == "Name":
            return self.call(node)
        raise _Unsaid

    def call(self, node: GNode) -> str:
        """A function a guard calls, in words: days since, children counted, a check's history."""
        function = node.node.name
        if function in ("days_since", "hours_since") and len(node.args) == 1:
            return self.w(f"cond.{function}", what=self.value(node.args[0]))
        if function in CHILD_FUNCTIONS:
            return self.children_words(function, [str(a.value) for a in node.args])
        if function in HISTORY_FUNCTIONS:
            return self.w(f"cond.{function}", what=self.history_subject(node.args[0].value))
        raise _Unsaid

    def listed(self, name: str, choices: Mapping[str, Mapping[str, str]]) -> str:
        """A list param a choice field is tested against (`category in centralized_categories`):
        its label, and its codes said by the field's labels (密切接触者、境外入境人员)."""
        param = self.flow.params[name]
        items = param.value if isinstance(param.value, tuple) else (param.value,)
        label = self.flow.text(param.label, self.lang) or name
        said = self.w("cond.list_sep").join(self.constant(item, choices) for item in items)
        return self.w("cond.param", label=label, value=said)

    def history_subject(self, name: str) -> str:
        """The check (or step) a history function reads, by its label."""
        checks = {c.name: c.label for step in self.flow.steps.values() for c in step.checks}
        if name in checks:
            return self.flow.text(checks[name], self.lang) or name
        if name in self.flow.steps:
            return self.flow.text(self.flow.steps[name].label, self.lang) or name
        raise _Unsaid

    def children_words(self, function: str, args: list[str]) -> str:
        """`children_ended("occupant_check", "referred_kpc")` as 三对照逐人核查结果为“已转重点管控”的案件数:
        the child flow by its title and the outcome as its end step calls it (a built-in flow)."""
        from sopflow.language.catalog import builtin_catalog  # noqa: PLC0415 - the catalog loads flows

        try:
            child = builtin_catalog().shallow(args[0])
        except SopflowError:
            child = None
        if child is None:
            raise _Unsaid
        what = child.text(child.title, self.lang)
        if len(args) == 1:
            return self.w(f"cond.{function}", what=what)
        ends = [s.label for s in child.steps.values() if s.outcome == args[1]]
        if not ends:
            raise _Unsaid
        return self.w("cond.children_ended_as", what=what, outcome=child.text(ends[0], self.lang))

    def constant(self, value: Any, choices: Mapping[str, Mapping[str, str]] | None) -> str:
        if isinstance(value, str) and choices and value in choices:
            return pick(choices[value], self.lang, self.lang)
        if isinstance(value, bool):
            return self.w("word.yes" if value else "word.no")
        return f"“{value}”" if isinstance(value, str) else str(value)

    def name(self, name: str, *, with_value: bool = False) -> str:
        if name in self.flow.fields:
            return self.flow.text(self.flow.fields[name].label, self.lang) or name
        if name in self.flow.params:
            param = self.flow.params[name]
            label = self.flow.text(param.label, self.lang) or name
            if with_value:
                return self.w("cond.param", label=label, value=value_words(None, param.value, self.lang))
            return label
        raise _Unsaid

    def choices_of(self, node: GNode) -> Mapping[str, Mapping[str, str]] | None:
        if node.kind == "Name" and node.name in self.flow.fields:
            spec = self.flow.fields[node.name]
            return spec.choices if spec.type is FieldType.CHOICE else None
        return None


def condition_words(flow: Flow, source: str, lang: str) -> str:
    """A guard in plain words, e.g. `request_type == "medicine"` -> 需求类型为药品; a guard with
    no plain wording (arithmetic, filters) is given as written."""
    tree = flow.guard_trees.get(source)
    if tree is None:  # not one of the flow's own guards (an old version's): parse it now
        from sopflow.language.guards import GuardProblem, parse_guard, plain_tree  # noqa: PLC0415

        try:
            tree = plain_tree(parse_guard(source))
        except GuardProblem:
            return source
    try:
        return _Speaker(flow, lang).condition(tree)
    except _Unsaid:
        return source


def call_words(flow: Flow, source: str, lang: str) -> str:
    """A count a decision read from the history, as its `why` keeps it (`children("occupant_check")`,
    `missed_checks("temperature_check")`), in words; as written if it has none."""
    from sopflow.language.guards import GuardProblem, parse_guard, plain_tree  # noqa: PLC0415

    try:
        return _Speaker(flow, lang).value(plain_tree(parse_guard(source)))
    except (GuardProblem, _Unsaid):
        return source
