"""Flows said in plain words, the way a volunteer reads them: values by their labels and units,
guard conditions as "体温 ≥ 37.3 或 有症状" rather than the rule as written."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from jinja2 import nodes

from sopflow.i18n import duration_words, pick, say
from sopflow.language.guards import GuardProblem, parse_guard
from sopflow.language.model import FieldSpec, FieldType, Flow


def value_words(spec: FieldSpec | None, value: Any, lang: str) -> str:
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

    def condition(self, node: nodes.Node, inside: type | None = None) -> str:
        if isinstance(node, nodes.And | nodes.Or):
            glue = self.w("cond.and" if isinstance(node, nodes.And) else "cond.or")
            text = glue.join([self.condition(node.left, type(node)), self.condition(node.right, type(node))])
            return self.w("cond.group", text=text) if inside not in (None, type(node)) else text
        if isinstance(node, nodes.Not):
            return self.negation(node.node)
        if isinstance(node, nodes.Name):
            return self.w("cond.yes", what=self.name(node.name))
        if isinstance(node, nodes.Compare):
            return self.compare(node)
        if isinstance(node, nodes.Test):
            return self.test(node)
        raise _Unsaid

    def negation(self, inner: nodes.Node) -> str:
        if isinstance(inner, nodes.Name):
            return self.w("cond.no", what=self.name(inner.name))
        if isinstance(inner, nodes.Test) and inner.name in ("defined", "undefined"):
            flipped = "undefined" if inner.name == "defined" else "defined"
            return self.w(f"cond.{flipped}", what=self.value(inner.node))
        return self.w("cond.not", text=self.w("cond.group", text=self.condition(inner)))

    def compare(self, node: nodes.Compare) -> str:
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

    def measured(self, left: nodes.Node, right: nodes.Node) -> str:
        """A setting compared with a measured field, said as a reading with its unit: 体温 ≥ 37.3 ℃
        (not the setting's name); '' when that is not the case."""
        if not (isinstance(left, nodes.Name) and isinstance(right, nodes.Name)):
            return ""
        spec, param = self.flow.fields.get(left.name), self.flow.params.get(right.name)
        if spec is None or param is None or not spec.unit or not isinstance(param.value, int | float):
            return ""
        return value_words(spec, param.value, self.lang)

    def test(self, node: nodes.Test) -> str:
        if node.args or node.kwargs:
            raise _Unsaid
        what = self.value(node.node)
        if node.name in ("defined", "undefined", "none"):
            return self.w(f"cond.{node.name}", what=what)
        if node.name in ("true", "false"):
            return self.w("cond.yes" if node.name == "true" else "cond.no", what=what)
        raise _Unsaid

    def value(self, node: nodes.Node, choices: Mapping[str, Mapping[str, str]] | None = None) -> str:
        if isinstance(node, nodes.Name):
            return self.name(node.name, with_value=True)
        if isinstance(node, nodes.Const):
            return self.constant(node.value, choices)
        if isinstance(node, nodes.List | nodes.Tuple):
            return self.w("cond.list_sep").join(self.value(item, choices) for item in node.items)
        if (
            isinstance(node, nodes.Call)
            and isinstance(node.node, nodes.Name)
            and node.node.name in ("days_since", "hours_since")
            and len(node.args) == 1
        ):
            return self.w(f"cond.{node.node.name}", what=self.value(node.args[0]))
        raise _Unsaid

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

    def choices_of(self, node: nodes.Node) -> Mapping[str, Mapping[str, str]] | None:
        if isinstance(node, nodes.Name) and node.name in self.flow.fields:
            spec = self.flow.fields[node.name]
            return spec.choices if spec.type is FieldType.CHOICE else None
        return None


def condition_words(flow: Flow, source: str, lang: str) -> str:
    """A guard in plain words, e.g. `request_type == "medicine"` -> 需求类型为药品; a guard with
    no plain wording (arithmetic, filters) is given as written."""
    try:
        return _Speaker(flow, lang).condition(parse_guard(source))
    except (GuardProblem, _Unsaid):
        return source
