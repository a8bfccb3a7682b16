"""Guards checked against the flow's fields: mistakes a flow author makes that would only show
when a case runs, found at load time instead.

A choice field compared with its label instead of its code (`origin == "湖北"` where the code is
`hubei`) is simply never true; a yes/no field compared with "是", a number field with a text, a
text field with a number, or a division by the literal 0 either never holds or fails on every case.
Only comparisons between a field and a literal (and `field in [literals]`) are judged: they are
the ones whose meaning is certain.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping

from jinja2 import nodes

from sopflow.language.guards import GuardProblem, literal_text, parse_guard, unparse
from sopflow.language.guardvalues import VALUE_FIELD_TYPES
from sopflow.language.model import FieldSpec, FieldType, Param

_TEXT_TYPES = (FieldType.TEXT, FieldType.ID_NUMBER)
_NUMBER_TYPES = (FieldType.INTEGER, FieldType.NUMBER)
_DATE_TYPES = (FieldType.DATE, FieldType.DATETIME)
_COMPARISONS = frozenset({"eq", "ne", "gt", "gteq", "lt", "lteq"})


def guard_type_problem(
    source: str, fields: Mapping[str, FieldSpec], params: Mapping[str, Param] | None = None
) -> GuardProblem | None:
    """The first mistake of this kind in a guard that has passed `check_guard`, or None. A list
    param on the right of `in` is judged item by item, as a literal list is (C10)."""
    tree = parse_guard(source)
    for node in (tree, *tree.find_all(nodes.Node)):
        if isinstance(node, nodes.Div | nodes.FloorDiv | nodes.Mod) and _is_zero(node.right):
            return GuardProblem("guard.zero_division", part=unparse(node))
        if isinstance(node, nodes.Call):
            problem = _call_problem(node, fields)
            if problem is not None:
                return problem
        if isinstance(node, nodes.Compare):
            for left, op, right in _pairs(node):
                problem = _comparison_problem(left, op, right, fields, params or {})
                if problem is not None:
                    return problem
    return None


def _call_problem(node: nodes.Call, fields: Mapping[str, FieldSpec]) -> GuardProblem | None:
    """`valid_id(x)` of a field that holds no ID number (guardvalues.py)."""
    function = node.node.name if isinstance(node.node, nodes.Name) else None
    if function not in VALUE_FIELD_TYPES or len(node.args) != 1:
        return None
    spec = _field(node.args[0], fields)
    wanted = VALUE_FIELD_TYPES[function]
    if spec is not None and spec.type.value != wanted:
        return GuardProblem("guard.wrong_field_type", function=function, field=spec.id, type=wanted)
    return None


def _pairs(node: nodes.Compare) -> Iterator[tuple[nodes.Expr, str, nodes.Expr]]:
    left = node.expr
    for operand in node.ops:
        yield left, operand.op, operand.expr
        left = operand.expr


def _comparison_problem(
    left: nodes.Expr,
    op: str,
    right: nodes.Expr,
    fields: Mapping[str, FieldSpec],
    params: Mapping[str, Param],
) -> GuardProblem | None:
    if op in ("in", "notin"):
        return _membership_problem(left, right, fields, params)
    if op not in _COMPARISONS:
        return None
    for name_side, literal_side in ((left, right), (right, left)):
        spec = _field(name_side, fields)
        if spec is not None and isinstance(literal_side, nodes.Const):
            return _literal_problem(spec, literal_side.value)
    return None


def _membership_problem(
    left: nodes.Expr, right: nodes.Expr, fields: Mapping[str, FieldSpec], params: Mapping[str, Param]
) -> GuardProblem | None:
    """`field in [literals]` or `field in list_param`: each item judged as a literal would be."""
    spec = _field(left, fields)
    if spec is not None and isinstance(right, nodes.Name) and right.name in params:
        return _list_param_problem(spec, params[right.name])
    if spec is None or not isinstance(right, nodes.List | nodes.Tuple):
        return None
    for item in right.items:
        if isinstance(item, nodes.Const):
            problem = _literal_problem(spec, item.value)
            if problem is not None:
                return problem
    return None


def _list_param_problem(spec: FieldSpec, param: Param) -> GuardProblem | None:
    """`field in some_param`: each item of a list param as a literal compared with the field;
    an item that is no code of a choice field is named with the param, where it is changed."""
    if not isinstance(param.value, tuple):
        return None
    for item in param.value:
        if spec.type is FieldType.CHOICE and isinstance(item, str) and item not in spec.choices:
            codes = ", ".join(spec.choices)
            return GuardProblem(
                "guard.param_not_a_code", value=item, param=param.id, field=spec.id, codes=codes
            )
        problem = _literal_problem(spec, item)
        if problem is not None:
            return problem
    return None


def _literal_problem(spec: FieldSpec, value: object) -> GuardProblem | None:  # noqa: PLR0911
    """Why `spec` compared with the literal `value` is a mistake, or None if it is fine."""
    if value is None:
        return None
    name, shown = spec.id, literal_text(value)
    is_text = isinstance(value, str)
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if spec.type is FieldType.CHOICE:
        codes = list(spec.choices)
        if not is_text:
            return GuardProblem(
                "guard.choice_not_code", field=name, value=shown, codes=", ".join(codes), example=codes[0]
            )
        if value not in spec.choices and codes:
            return GuardProblem(
                "guard.not_a_code",
                field=name,
                value=value,
                codes=", ".join(codes),
                example=_code_for(str(value), spec),
            )
    elif spec.type in _TEXT_TYPES and not is_text:
        return GuardProblem("guard.text_vs_other", field=name, value=shown)
    elif spec.type in _NUMBER_TYPES and is_text:
        return GuardProblem("guard.number_vs_text", field=name, value=shown)
    elif spec.type is FieldType.BOOLEAN and is_text:
        return GuardProblem("guard.boolean_vs_text", field=name, value=shown)
    elif spec.type in _DATE_TYPES and (is_text or is_number):
        return GuardProblem("guard.date_vs_literal", field=name, value=shown)
    return None


def _code_for(value: str, spec: FieldSpec) -> str:
    """The code whose label is `value` (the usual mistake), else the closest code, else the first."""
    for code, label in spec.choices.items():
        if value in label.values():
            return code
    close = difflib.get_close_matches(value, list(spec.choices), n=1, cutoff=0.5)
    return close[0] if close else next(iter(spec.choices))


def _field(node: nodes.Expr, fields: Mapping[str, FieldSpec]) -> FieldSpec | None:
    return fields.get(node.name) if isinstance(node, nodes.Name) else None


def _is_zero(node: nodes.Expr) -> bool:
    value = node.value if isinstance(node, nodes.Const) else None
    return isinstance(value, int | float) and not isinstance(value, bool) and value == 0


__all__ = ["guard_type_problem"]
