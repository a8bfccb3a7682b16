"""Guards turned into Python closures once, at load time, and evaluated without Jinja's runtime.

Jinja parses the guard (so the syntax is Jinja's, and so are the filters and tests); this module
walks the vetted syntax tree and builds one small closure per node. Nothing is generated as source
code and nothing is `exec`-uted, and evaluating a guard costs a few closure calls instead of a new
Jinja context per call: the engine evaluates guards on every check and decision.

Each node does what Jinja's compiled code for it does (`jinja2/compiler.py`): Python's operators
and comparison chains, `and`/`or` returning an operand, a missing name as a StrictUndefined that
fails when used, `a if b` without `else` as a plain Undefined. The tests compare every construct
with Jinja's own sandboxed evaluation.

The closures are built from the plain tree (`guardtree.GNode`), and Jinja itself is imported only
when a guard needs it at run time (a name the case lacks, a filter or a test), so that stepping a
case whose flow comes from the checked-flow cache does not load Jinja for an ordinary guard.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from types import MappingProxyType
from typing import Any, ClassVar

from sopflow.i18n import Phrase
from sopflow.language.guardhistory import HISTORY_FUNCTIONS, HistoryMissing, history_call, history_calls
from sopflow.language.guardops import (
    BINARY,
    COMPARE,
    HELPERS,
    UNARY,
    GuardRuntimeError,
    Unsupported,
    bounded,
    concat,
    rule_is_wrong,
)
from sopflow.language.guardtree import GNode
from sopflow.language.guardvalues import VALUE_FUNCTIONS, value_call

# (data, params, now) -> value. Data comes first: a field of the case hides a param of that name.
Program = Callable[[Mapping[str, Any], Mapping[str, Any], datetime], Any]

_MISSING: Any = object()
_NOTHING: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class CompiledGuard:
    """A checked guard expression; `names` are the fields and params it reads, `program` the
    closures that evaluate it."""

    source: str
    names: frozenset[str]
    program: Program = field(compare=False, repr=False)
    uses_time: bool = False  # calls days_since()/hours_since(), which need `now`
    tree: GNode | None = field(default=None, compare=False, repr=False)  # the vetted syntax tree

    @cached_property
    def needed(self) -> frozenset[str]:
        """The names it reads as values (not those only asked `is defined`); worked out once, as
        a computed field's rules ask it at every entry."""
        return self.names if self.tree is None else names_needed(self.tree)

    @property
    def reads_history(self) -> tuple[tuple[str, str], ...]:
        """(function, check) of each history function it calls: the engine then hands it the
        case's recorded checks."""
        return history_calls(self.tree)

    def evaluate(self, values: Mapping[str, Any], now: datetime) -> bool:
        """True if the guard holds for `values` at time `now`; GuardRuntimeError if it cannot say."""
        return self.holds(values, _NOTHING, now)

    def holds(self, data: Mapping[str, Any], params: Mapping[str, Any], now: datetime) -> bool:
        """`evaluate` on a case's data and the flow's params, without merging them first."""
        try:
            return bool(self.program(data, params, now))
        except GuardRuntimeError:
            raise
        except Exception as exc:  # any failure on user data: a missing name, a type mismatch
            raise GuardRuntimeError(self._why_failed(exc, data, params)) from None

    def value(self, data: Mapping[str, Any], params: Mapping[str, Any], now: datetime) -> Any:
        """The expression's value (a computed field's rule); GuardRuntimeError if it cannot say."""
        try:
            return self.program(data, params, now)
        except GuardRuntimeError:
            raise
        except Exception as exc:
            raise GuardRuntimeError(self._why_failed(exc, data, params)) from None

    def _why_failed(self, exc: Exception, data: Mapping[str, Any], params: Mapping[str, Any]) -> Phrase:
        """A missing value is for the staff to supply; anything else is the flow's mistake."""
        if type(exc).__name__ == "UndefinedError":  # Jinja's; not imported for this
            missing = re.match(r"'([^']+)' is undefined", str(exc))
            if missing:
                return Phrase("guard.run.missing", name=missing.group(1))
        empty = sorted(n for n in self.names if data.get(n, params.get(n)) is None)
        if empty and isinstance(exc, TypeError):
            return Phrase("guard.run.missing", name=empty[0])
        if isinstance(exc, ZeroDivisionError):
            return rule_is_wrong("guard.reason.zero_division")
        if isinstance(exc, HistoryMissing):
            return rule_is_wrong("guard.reason.no_history", function=exc.function)
        if isinstance(exc, TypeError):
            return rule_is_wrong("guard.reason.types")
        return rule_is_wrong("guard.reason.other", detail=str(exc))


def compile_guard(
    tree: GNode, filters: Mapping[str, Any] | None = None, tests: Mapping[str, Any] | None = None
) -> Program:
    """The closure that evaluates `tree`; Unsupported for a node it does not know.

    `filters` and `tests`: Jinja's functions by name, checked now; None (a tree vetted before,
    read from the cache) looks each one up in Jinja when the guard first uses it."""
    return _Compiler(filters, tests).node(tree)


def _jinja_function(kind: str, name: str) -> Any:
    """Jinja's filter or test `name`: imported only when a guard first applies one."""
    from jinja2.filters import FILTERS  # noqa: PLC0415 - Jinja only when a guard needs it
    from jinja2.tests import TESTS  # noqa: PLC0415

    return (FILTERS if kind == "Filter" else TESTS)[name]


def _strict_undefined(name: str) -> Any:
    """Jinja's StrictUndefined for a name the case does not have: fails when used."""
    from jinja2 import StrictUndefined  # noqa: PLC0415 - Jinja only on this path

    return StrictUndefined(name=name)


class _Compiler:
    def __init__(self, filters: Mapping[str, Any] | None, tests: Mapping[str, Any] | None) -> None:
        self.filters = filters
        self.tests = tests

    def node(self, node: GNode) -> Program:
        kind = node.kind
        if kind in BINARY:
            return self._binary(node)
        if kind in UNARY:
            return self._unary(node)
        compile_kind = self._KINDS.get(kind)
        if compile_kind is None:
            raise Unsupported(kind)
        return compile_kind(self, node)

    def each(self, items: Sequence[GNode]) -> tuple[Program, ...]:
        return tuple(self.node(item) for item in items)

    # -- leaves -----------------------------------------------------------------------------------

    def _const(self, node: GNode) -> Program:
        value = node.value
        return lambda data, params, now: value

    def _name(self, node: GNode) -> Program:
        key = node.name

        def name(data: Mapping[str, Any], params: Mapping[str, Any], now: datetime) -> Any:
            value = data.get(key, _MISSING)
            if value is _MISSING:
                value = params.get(key, _MISSING)
                if value is _MISSING:
                    return _strict_undefined(key)
            return value

        return name

    def _list(self, node: GNode) -> Program:
        items = self.each(node.items)
        return lambda data, params, now: bounded([item(data, params, now) for item in items])

    def _tuple(self, node: GNode) -> Program:
        items = self.each(node.items)
        return lambda data, params, now: bounded(tuple(item(data, params, now) for item in items))

    def _dict(self, node: GNode) -> Program:
        pairs = tuple((self.node(pair.key), self.node(pair.value)) for pair in node.items)
        return lambda data, params, now: bounded(
            {k(data, params, now): v(data, params, now) for k, v in pairs}
        )

    # -- logic and arithmetic ----------------------------------------------------------------------

    def _and(self, node: GNode) -> Program:
        left, right = self.node(node.left), self.node(node.right)
        return lambda data, params, now: left(data, params, now) and right(data, params, now)

    def _or(self, node: GNode) -> Program:
        left, right = self.node(node.left), self.node(node.right)
        return lambda data, params, now: left(data, params, now) or right(data, params, now)

    def _binary(self, node: GNode) -> Program:
        apply, left, right = BINARY[node.kind], self.node(node.left), self.node(node.right)
        return lambda data, params, now: apply(left(data, params, now), right(data, params, now))

    def _unary(self, node: GNode) -> Program:
        apply, operand = UNARY[node.kind], self.node(node.node)
        return lambda data, params, now: apply(operand(data, params, now))

    def _concat(self, node: GNode) -> Program:
        parts = self.each(node.nodes)
        return lambda data, params, now: concat([part(data, params, now) for part in parts])

    def _cond_expr(self, node: GNode) -> Program:
        test, then = self.node(node.test), self.node(node.expr1)
        if node.expr2 is not None:
            otherwise = self.node(node.expr2)
        else:  # Jinja's value for a false `a if b` with no else: a plain (lenient) Undefined
            hint = (
                f"the inline if-expression on line {node.lineno} evaluated to false and no "
                "else section was defined."
            )

            def otherwise(data: Mapping[str, Any], params: Mapping[str, Any], now: datetime) -> Any:
                from jinja2 import Undefined  # noqa: PLC0415 - Jinja only on this path

                return Undefined(hint=hint)

        return lambda data, params, now: (
            then(data, params, now) if test(data, params, now) else otherwise(data, params, now)
        )

    def _compare(self, node: GNode) -> Program:
        first = self.node(node.expr)
        if len(node.ops) == 1:
            compare, right = COMPARE[node.ops[0].op], self.node(node.ops[0].expr)
            return lambda data, params, now: compare(first(data, params, now), right(data, params, now))
        chain = tuple((COMPARE[op.op], self.node(op.expr)) for op in node.ops)

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

    @staticmethod
    def _defined(key: str, *, wanted: bool) -> Program:
        """Jinja's `defined`/`undefined` tests of a plain name: whether the case or the flow's
        params hold it (the same answer as Jinja's, which is imported only when a value is)."""

        def defined(data: Mapping[str, Any], params: Mapping[str, Any], now: datetime) -> Any:
            return (key in data or key in params) == wanted

        return defined

    def _apply(self, node: GNode) -> Program:
        table = self.filters if node.kind == "Filter" else self.tests
        if node.node is None or node.dyn_args or node.dyn_kwargs:
            raise Unsupported(node.name)
        if _is_defined_test(node):  # `field is defined`: asked of every case, answered without Jinja
            return self._defined(node.node.name, wanted=node.name == "defined")
        function: Any = None
        if table is not None:
            function = table.get(node.name)
            if function is None or getattr(function, "jinja_pass_arg", None) is not None:
                raise Unsupported(node.name)  # unknown, or one that wants Jinja's context or environment
        kind, name = node.kind, node.name
        subject, args = self.node(node.node), self.each(node.args)
        kwargs: tuple[tuple[str, Program], ...] = tuple(
            (str(kw.key), self.node(kw.value)) for kw in node.kwargs
        )

        def apply(data: Mapping[str, Any], params: Mapping[str, Any], now: datetime) -> Any:
            nonlocal function
            if function is None:
                function = _jinja_function(kind, name)
            return bounded(
                function(
                    subject(data, params, now),
                    *(arg(data, params, now) for arg in args),
                    **{key: value(data, params, now) for key, value in kwargs},
                )
            )

        return apply

    def _call(self, node: GNode) -> Program:
        if node.node.kind == "Name" and node.node.name in HISTORY_FUNCTIONS and node.args:
            if any(a.kind != "Const" or not isinstance(a.value, str) for a in node.args):
                raise Unsupported("call")
            return history_call(node.node.name, ":".join(str(a.value) for a in node.args))
        if node.node.kind == "Name" and node.node.name in VALUE_FUNCTIONS and len(node.args) == 1:
            return value_call(node.node.name, self.node(node.args[0]))  # valid_id(id_number)
        if node.node.kind != "Name" or node.node.name not in HELPERS or len(node.args) != 1:
            raise Unsupported("call")
        helper, argument = HELPERS[node.node.name], self.node(node.args[0])
        return lambda data, params, now: helper(argument(data, params, now), now)

    _KINDS: ClassVar[dict[str, Callable[[_Compiler, GNode], Program]]] = {
        "Const": _const,
        "Name": _name,
        "List": _list,
        "Tuple": _tuple,
        "Dict": _dict,
        "And": _and,
        "Or": _or,
        "Concat": _concat,
        "CondExpr": _cond_expr,
        "Compare": _compare,
        "Filter": _apply,
        "Test": _apply,
        "Call": _call,
    }


def _is_defined_test(node: GNode) -> bool:
    """A `defined`/`undefined` test with no arguments of a plain name."""
    return (
        node.kind == "Test"
        and node.name in ("defined", "undefined")
        and not node.args
        and not node.kwargs
        and node.node is not None
        and node.node.kind == "Name"
    )


def names_needed(tree: GNode) -> frozenset[str]:
    """The names an expression reads as values: all its names but those only asked `is defined`
    (a computed field's rule is not tried until the case holds them, so that a rule over a field
    not yet entered is left for later without evaluating it)."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, GNode):
            if _is_defined_test(value):
                return
            if value.kind == "Call":  # valid_id(id_number) reads id_number, not a name valid_id
                walk(value.args)
                return
            if value.kind == "Name":
                found.add(value.name)
            for field in value.fields.values():
                walk(field)
        elif isinstance(value, tuple | list):
            for item in value:
                walk(item)

    walk(tree)
    return frozenset(found)
