"""Guards turned into Python closures once, at load time, and evaluated without Jinja's runtime.

Jinja parses the guard (so the syntax is Jinja's, and so are the filters and tests); this module
walks the vetted syntax tree and builds one small closure per node. Nothing is generated as source
code and nothing is `exec`-uted, and evaluating a guard costs a few closure calls instead of a new
Jinja context per call: the engine evaluates guards on every check and decision.

Each node does what Jinja's compiled code for it does (`jinja2/compiler.py`): Python's operators
and comparison chains, `and`/`or` returning an operand, a missing name as a StrictUndefined that
fails when used, `a if b` without `else` as a plain Undefined. The tests compare every construct
with Jinja's own sandboxed evaluation.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from jinja2 import StrictUndefined, Undefined, nodes
from jinja2.runtime import str_join
from jinja2.utils import _PassArg

from sopflow.i18n import Phrase

# (data, params, now) -> value. Data comes first: a field of the case hides a param of that name.
Program = Callable[[Mapping[str, Any], Mapping[str, Any], datetime], Any]

MAX_REPEAT = 10_000  # largest string/list a guard may build with '*'
MAX_SIZE = 100_000  # largest value (characters and items, nested ones counted) a guard may build
_MISSING: Any = object()

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "gteq": operator.ge,
    "lt": operator.lt,
    "lteq": operator.le,
    "in": lambda a, b: a in b,
    "notin": lambda a, b: a not in b,
}


class GuardRuntimeError(Exception):
    """A guard that failed while being evaluated: a field the case does not have yet (the staff
    can supply it), or a rule that cannot work (the flow's maintainer must fix it).

    Its text is a Phrase, so that a message quoting it reads in the user's language."""

    def __init__(self, detail: str) -> None:
        if not isinstance(detail, Phrase):
            detail = rule_is_wrong("guard.reason.other", detail=detail)
        super().__init__(detail)
        self.detail: Phrase = detail

    def __str__(self) -> str:
        return self.detail

    @property
    def missing(self) -> bool:
        """True when the guard failed for want of a value, not because the rule is wrong."""
        return self.detail.code == "guard.run.missing"


def rule_is_wrong(reason: str, **params: object) -> Phrase:
    """Why a guard failed when the fault is the flow's, not the staff's."""
    return Phrase("guard.run.rule", reason=Phrase(reason, **params))


class TooLarge(GuardRuntimeError):
    """A guard that tried to build a value larger than MAX_SIZE (or a '*' beyond MAX_REPEAT)."""

    def __init__(self) -> None:
        super().__init__(rule_is_wrong("guard.reason.too_large"))


class Unsupported(Exception):
    """A construct the evaluator has no closure for (the vetting refuses these first)."""


def size_of(value: Any, limit: int = MAX_SIZE) -> int:
    """How big a value is: characters of a text, items of a list (each nested item counted,
    so a list of long texts is as big as all its texts). Stops counting once past `limit`.

    Repeated references count each time: `[x] * 9999` is as big as what `~` would make of it."""
    if isinstance(value, str):
        return len(value)
    if not isinstance(value, list | tuple | dict):
        return 1
    total = len(value)
    items = (part for pair in value.items() for part in pair) if isinstance(value, dict) else value
    for item in items:
        if total > limit:
            break
        if isinstance(item, str | list | tuple | dict):
            total += size_of(item, limit - total)
    return total


def bounded(value: Any) -> Any:
    """`value`, or TooLarge if it is bigger than MAX_SIZE."""
    if isinstance(value, str | list | tuple | dict) and size_of(value) > MAX_SIZE:
        raise TooLarge
    return value


def repeat(left: Any, right: Any) -> Any:
    """`left * right`, refusing a string or list longer than MAX_REPEAT or bigger than MAX_SIZE."""
    sized = [v for v in (left, right) if isinstance(v, str | list | tuple)]
    counts = [v for v in (left, right) if isinstance(v, int)]
    if sized and counts:
        count = max(counts)
        if len(sized[0]) * count > MAX_REPEAT or size_of(sized[0]) * count > MAX_SIZE:
            raise TooLarge
    return left * right


def add(left: Any, right: Any) -> Any:
    """`left + right`, refusing to join texts or lists into something bigger than MAX_SIZE."""
    sized = isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple)
    if sized and size_of(left) + size_of(right) > MAX_SIZE:
        raise TooLarge
    return left + right


def concat(parts: Sequence[Any]) -> str:
    """`a ~ b`: the parts as text, refusing a result bigger than MAX_SIZE (checked on the parts
    first, so that a huge list is not turned into text before it is refused)."""
    if sum(size_of(part) for part in parts) > MAX_SIZE:
        raise TooLarge
    result: str = str_join(parts)
    if len(result) > MAX_SIZE:
        raise TooLarge
    return result


def remainder(left: Any, right: Any) -> Any:
    """`left % right` for numbers; text formatting ('%999999999d' % 1 builds a gigabyte) is
    not something a guard needs."""
    if isinstance(left, str | bytes):
        raise GuardRuntimeError(rule_is_wrong("guard.reason.format"))
    return left % right


_BINARY: dict[type[nodes.Node], Callable[[Any, Any], Any]] = {
    nodes.Add: add,
    nodes.Sub: operator.sub,
    nodes.Mul: repeat,
    nodes.Div: operator.truediv,
    nodes.FloorDiv: operator.floordiv,
    nodes.Mod: remainder,
}
_UNARY: dict[type[nodes.Node], Callable[[Any], Any]] = {
    nodes.Neg: operator.neg,
    nodes.Pos: operator.pos,
    nodes.Not: operator.not_,
}


def days_since(value: Any, now: datetime) -> float:
    return _elapsed(value, now) / timedelta(days=1)


def hours_since(value: Any, now: datetime) -> float:
    return _elapsed(value, now) / timedelta(hours=1)


HELPERS: dict[str, Callable[[Any, datetime], float]] = {"days_since": days_since, "hours_since": hours_since}


def _elapsed(value: Any, now: datetime) -> timedelta:
    if isinstance(value, datetime):
        return now - value
    if isinstance(value, date):
        return now.date() - value
    raise GuardRuntimeError(rule_is_wrong("guard.reason.date", value=repr(value)))


def compile_guard(tree: nodes.Expr, filters: Mapping[str, Any], tests: Mapping[str, Any]) -> Program:
    """The closure that evaluates `tree`; Unsupported for a node it does not know."""
    return _Compiler(filters, tests).node(tree)


class _Compiler:
    def __init__(self, filters: Mapping[str, Any], tests: Mapping[str, Any]) -> None:
        self.filters = filters
        self.tests = tests

    def node(self, node: nodes.Node) -> Program:  # noqa: PLR0911, PLR0912 - one line per kind of node
        if type(node) in _BINARY:
            return self._binary(node)  # type: ignore[arg-type]
        if type(node) in _UNARY:
            return self._unary(node)  # type: ignore[arg-type]
        if isinstance(node, nodes.Const):
            return self._const(node)
        if isinstance(node, nodes.Name):
            return self._name(node)
        if isinstance(node, nodes.List):
            return self._list(node)
        if isinstance(node, nodes.Tuple):
            return self._tuple(node)
        if isinstance(node, nodes.Dict):
            return self._dict(node)
        if isinstance(node, nodes.And):
            return self._and(node)
        if isinstance(node, nodes.Or):
            return self._or(node)
        if isinstance(node, nodes.Concat):
            return self._concat(node)
        if isinstance(node, nodes.CondExpr):
            return self._cond_expr(node)
        if isinstance(node, nodes.Compare):
            return self._compare(node)
        if isinstance(node, nodes.Filter | nodes.Test):
            return self._apply(node, self.filters if isinstance(node, nodes.Filter) else self.tests)
        if isinstance(node, nodes.Call):
            return self._call(node)
        raise Unsupported(type(node).__name__)

    def each(self, items: Sequence[nodes.Node]) -> tuple[Program, ...]:
        return tuple(self.node(item) for item in items)

    # -- leaves -----------------------------------------------------------------------------------

    def _const(self, node: nodes.Const) -> Program:
        value = node.value
        return lambda data, params, now: value

    def _name(self, node: nodes.Name) -> Program:
        key = node.name
        undefined = StrictUndefined(name=key)

        def name(data: Mapping[str, Any], params: Mapping[str, Any], now: datetime) -> Any:
            value = data.get(key, _MISSING)
            if value is _MISSING:
                return params.get(key, undefined)
            return value

        return name

    def _list(self, node: nodes.List) -> Program:
        items = self.each(node.items)
        return lambda data, params, now: bounded([item(data, params, now) for item in items])

    def _tuple(self, node: nodes.Tuple) -> Program:
        items = self.each(node.items)
        return lambda data, params, now: bounded(tuple(item(data, params, now) for item in items))

    def _dict(self, node: nodes.Dict) -> Program:
        pairs = tuple((self.node(pair.key), self.node(pair.value)) for pair in node.items)
        return lambda data, params, now: bounded(
            {k(data, params, now): v(data, params, now) for k, v in pairs}
        )

    # -- logic and arithmetic ----------------------------------------------------------------------

    def _and(self, node: nodes.And) -> Program:
        left, right = self.node(node.left), self.node(node.right)
        return lambda data, params, now: left(data, params, now) and right(data, params, now)

    def _or(self, node: nodes.Or) -> Program:
        left, right = self.node(node.left), self.node(node.right)
        return lambda data, params, now: left(data, params, now) or right(data, params, now)

    def _binary(self, node: nodes.BinExpr) -> Program:
        apply, left, right = _BINARY[type(node)], self.node(node.left), self.node(node.right)
        return lambda data, params, now: apply(left(data, params, now), right(data, params, now))

    def _unary(self, node: nodes.UnaryExpr) -> Program:
        apply, operand = _UNARY[type(node)], self.node(node.node)
        return lambda data, params, now: apply(operand(data, params, now))

    def _concat(self, node: nodes.Concat) -> Program:
        parts = self.each(node.nodes)
        return lambda data, params, now: concat([part(data, params, now) for part in parts])

    def _cond_expr(self, node: nodes.CondExpr) -> Program:
        test, then = self.node(node.test), self.node(node.expr1)
        if node.expr2 is not None:
            otherwise = self.node(node.expr2)
        else:  # Jinja's value for a false `a if b` with no else: a plain (lenient) Undefined
            missing = Undefined(
                hint=f"the inline if-expression on line {node.lineno} evaluated to false and no "
                "else section was defined."
            )
            otherwise = lambda data, params, now: missing  # noqa: E731
        return lambda data, params, now: (
            then(data, params, now) if test(data, params, now) else otherwise(data, params, now)
        )

    def _compare(self, node: nodes.Compare) -> Program:
        first = self.node(node.expr)
        if len(node.ops) == 1:
            compare, right = _COMPARE[node.ops[0].op], self.node(node.ops[0].expr)
            return lambda data, params, now: compare(first(data, params, now), right(data, params, now))
        chain = tuple((_COMPARE[op.op], self.node(op.expr)) for op in node.ops)

        def compare_chain(data: Mapping[str, Any], params: Mapping[str, Any], now: datetime) -> Any:
            left = first(data, params, now)
            result: Any = True
            for compare, operand in chain:  # a < b < c: Python's chain, each operand once
                right = operand(data, params, now)
                result = compare(left, right)
                if not result:
                    return result
                left = right
            return result

        return compare_chain

    # -- filters, tests, helpers ------------------------------------------------------------------

    def _apply(self, node: nodes.Filter | nodes.Test, table: Mapping[str, Any]) -> Program:
        function = table.get(node.name)
        if function is None or node.node is None or node.dyn_args or node.dyn_kwargs:
            raise Unsupported(node.name)
        if _PassArg.from_obj(function) is not None:
            raise Unsupported(node.name)  # one that wants Jinja's context or environment
        subject, args = self.node(node.node), self.each(node.args)
        kwargs: tuple[tuple[str, Program], ...] = tuple(
            (str(kw.key), self.node(kw.value)) for kw in node.kwargs
        )
        if not args and not kwargs:
            return lambda data, params, now: bounded(function(subject(data, params, now)))

        def apply(data: Mapping[str, Any], params: Mapping[str, Any], now: datetime) -> Any:
            return bounded(
                function(
                    subject(data, params, now),
                    *(arg(data, params, now) for arg in args),
                    **{key: value(data, params, now) for key, value in kwargs},
                )
            )

        return apply

    def _call(self, node: nodes.Call) -> Program:
        if not isinstance(node.node, nodes.Name) or node.node.name not in HELPERS or len(node.args) != 1:
            raise Unsupported("call")
        helper, argument = HELPERS[node.node.name], self.node(node.args[0])
        return lambda data, params, now: helper(argument(data, params, now), now)
