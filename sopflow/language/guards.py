"""Guards: Jinja2 expressions checked at load time, then evaluated as closures (guardeval).

A guard is code from a file, so it gets two walls. At load time the expression's syntax tree is
walked and anything beyond plain data logic is refused: attribute and item access (the road to
`__class__` and friends), calls other than the allowed date helpers, unknown filters and tests,
and `**`. What is left is turned into closures that can only do those things; no code is
generated. A name the case does not have is an error, not a silent False (the Ansible `when:`
convention), and `*` cannot build huge values.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Collection
from datetime import datetime
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.parser import Parser
from jinja2.sandbox import SandboxedEnvironment

from sopflow.language.guardeval import CompiledGuard, Program, compile_guard
from sopflow.language.guardhistory import CHILD_FUNCTIONS, HISTORY_FUNCTIONS, OUTCOME_FUNCTION
from sopflow.language.guardops import HELPERS, MAX_SIZE, GuardRuntimeError, TooLarge, Unsupported
from sopflow.language.guardtree import GNode
from sopflow.language.guardvalues import VALUE_FUNCTIONS

MAX_GUARD_LENGTH = 500

ALLOWED_FILTERS = frozenset({"length", "lower", "upper", "trim", "int", "float", "abs", "round"})
ALLOWED_TESTS = frozenset(
    {
        "defined",
        "undefined",
        "none",
        "number",
        "string",
        "boolean",
        "true",
        "false",
        "eq",
        "ne",
        "lt",
        "le",
        "gt",
        "ge",
        "in",
        "even",
        "odd",
        "divisibleby",
    }
)
FUNCTIONS = (*HELPERS, *HISTORY_FUNCTIONS, *VALUE_FUNCTIONS)
# those that read the clock (a count of missed checks grows with it); not the counts of children
TIME_FUNCTIONS = frozenset((*HELPERS, *HISTORY_FUNCTIONS)) - CHILD_FUNCTIONS


class GuardProblem(Exception):
    """A guard refused at load time; `code` picks the message, `params` fill it in."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params: dict[str, Any] = params


# Used to parse guards and for its filters and tests; guards are never compiled or run by Jinja.
_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
_FILTERS: dict[str, Any] = {name: _ENV.filters[name] for name in ALLOWED_FILTERS}
_TESTS: dict[str, Any] = {name: _ENV.tests[name] for name in ALLOWED_TESTS}


def check_guard(source: str, known_names: Collection[str] | None) -> CompiledGuard:
    """Parse and vet `source`; raise GuardProblem for syntax errors, unknown names, escapes.

    `known_names` are the fields and params a guard may read (None: not known, don't check)."""
    if len(source) > MAX_GUARD_LENGTH:
        raise GuardProblem("guard.too_long", limit=MAX_GUARD_LENGTH)
    if not source.strip():
        raise GuardProblem("guard.empty")
    tree = parse_guard(source)
    names: set[str] = set()
    for node in (tree, *tree.find_all(nodes.Node)):
        _vet(node, names)
    unknown = sorted(names - set(known_names) - set(FUNCTIONS)) if known_names is not None else []
    if unknown:
        raise GuardProblem(
            "guard.unknown_name",
            name=unknown[0],
            suggestion=_suggest(unknown[0], [*(known_names or ()), *FUNCTIONS]),
        )
    plain = plain_tree(tree)
    try:
        program = _compile(plain)
    except Unsupported as exc:  # a construct the vetting let through but nothing evaluates
        raise GuardProblem("guard.syntax", detail=f"'{exc}' is not supported in a guard") from None
    _try_constants(tree)
    return CompiledGuard(
        source=source,
        names=frozenset(names - set(FUNCTIONS)),
        program=program,
        uses_time=bool(names & TIME_FUNCTIONS),
        tree=plain,
    )


def _compile(tree: GNode) -> Program:
    return compile_guard(tree, _FILTERS, _TESTS)


def plain_tree(node: Any) -> Any:
    """Jinja's syntax tree copied into GNodes (lists as tuples), for the evaluator, the
    wording and the checked-flow cache."""
    if isinstance(node, nodes.Node):
        fields = {name: plain_tree(getattr(node, name)) for name in node.fields}
        return GNode(type(node).__name__, {**fields, "lineno": node.lineno})
    if isinstance(node, list | tuple):
        return tuple(plain_tree(item) for item in node)
    return node


_PROBE_TIME = datetime(2020, 1, 1)


def _try_constants(tree: nodes.Expr) -> None:
    """Work out, once, each part of the guard that reads no field: one that builds a huge value
    or fails (`'abc' > 3`, `1 / 0`) would do so on every case, so it is the flow's mistake."""
    pending: list[nodes.Node] = [tree]
    while pending:
        node = pending.pop()
        if not _is_constant(node):
            pending.extend(node.iter_child_nodes())
            continue
        failure = _failure(node)
        if failure is None:
            continue
        while True:  # quote the smallest part that fails the same way
            inner = next(
                (c for c in node.iter_child_nodes() if _is_constant(c) and _failure(c) is failure), None
            )
            if inner is None:
                break
            node = inner
        if failure is TooLarge:
            raise GuardProblem("guard.too_large", part=unparse(node), limit=f"{MAX_SIZE:,}")
        if failure is ZeroDivisionError:
            raise GuardProblem("guard.zero_division", part=unparse(node))
        raise GuardProblem("guard.always_fails", part=unparse(node))


def _is_constant(node: nodes.Node) -> bool:
    return (
        isinstance(node, nodes.Expr)
        and not isinstance(node, nodes.Name | nodes.Call | nodes.Const)
        and not any(True for _ in node.find_all((nodes.Name, nodes.Call)))
    )


def _failure(node: nodes.Node) -> type[Exception] | None:
    """How a constant part fails: TooLarge, ZeroDivisionError, Exception (any other), or None."""
    try:
        _compile(plain_tree(node))({}, {}, _PROBE_TIME)
    except TooLarge:
        return TooLarge
    except ZeroDivisionError:
        return ZeroDivisionError
    except Exception:  # whatever it is, it fails on every case
        return Exception
    return None


# Slips an author from other languages or a Chinese input method makes, told in words (Jinja's
# own message for them is "unexpected '}}'" or "unexpected char '&'", about brackets never typed)
_KEYWORD = re.compile(r"[(,]\s*\w+\s*$")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_SLIPS = (
    (re.compile(r"[＞＜＝！（）＆｜]"), "guard.slip.full_width"),
    (re.compile(r"&&|\|\|"), "guard.slip.c_logic"),
    (re.compile(r"(?<![=!<>])=(?!=)"), "guard.slip.single_equals"),
    (re.compile(r"!(?!=)"), "guard.slip.c_logic"),
)


def _refuse_slips(source: str) -> None:
    bare = _QUOTED.sub("''", source)  # what is inside quotes is a value, not an operator
    for pattern, code in _SLIPS:
        for found in pattern.finditer(bare):
            if code == "guard.slip.single_equals" and _KEYWORD.search(bare, 0, found.start()):
                continue  # round(precision=1): a filter's keyword argument
            char = found.group()
            raise GuardProblem(code, char=char, ascii=unicodedata.normalize("NFKC", char))


def parse_guard(source: str) -> nodes.Expr:
    """The syntax tree of a guard, parsed as one expression (as compile_expression does), so
    that syntax errors speak of what the user wrote and not of added template brackets."""
    _refuse_slips(source)
    try:
        parser = Parser(_ENV, source, state="variable")
        expression = parser.parse_expression()
    except TemplateSyntaxError as exc:
        raise GuardProblem("guard.syntax", detail=_syntax_detail(exc.message)) from None
    if not parser.stream.eos:
        token = parser.stream.current
        shown = token.value if token.type in ("name", "integer", "float", "string", "operator") else "}}"
        raise GuardProblem("guard.syntax", detail=f"unexpected '{shown}' after the expression")
    return expression


def _syntax_detail(message: str | None) -> str:
    text = (message or "syntax error").rstrip(".")
    return text.replace("'end of template'", "end of the guard").replace(
        "end of template", "end of the guard"
    )


def _vet(node: nodes.Node, names: set[str]) -> None:
    """Refuse every construct a guard does not need; collect the names it reads."""
    if isinstance(node, nodes.Name):
        if node.name.startswith("_"):
            raise GuardProblem("guard.unsafe", what=node.name)
        names.add(node.name)
    elif isinstance(node, nodes.Getattr | nodes.Getitem | nodes.Slice):
        raise GuardProblem("guard.unsafe", what=_describe_access(node))
    elif isinstance(node, nodes.Call):
        _vet_call(node)
    elif isinstance(node, nodes.Filter):
        if node.name not in ALLOWED_FILTERS:
            raise GuardProblem("guard.filter", name=node.name, allowed=", ".join(sorted(ALLOWED_FILTERS)))
    elif isinstance(node, nodes.Test):
        if node.name not in ALLOWED_TESTS:
            raise GuardProblem("guard.test", name=node.name, allowed=", ".join(sorted(ALLOWED_TESTS)))
    elif isinstance(node, nodes.Pow):
        raise GuardProblem("guard.unsafe", what="**")
    elif isinstance(node, nodes.Const) and isinstance(node.value, str) and "__" in node.value:
        raise GuardProblem("guard.unsafe", what=repr(node.value))


def _vet_call(node: nodes.Call) -> None:
    """Only the date helpers and the history functions, with one argument; a history function's
    argument is a check name in quotes (so that validate can tell a misspelt one)."""
    if not (isinstance(node.node, nodes.Name) and node.node.name in FUNCTIONS):
        raise GuardProblem("guard.unsafe_call", allowed=", ".join(FUNCTIONS))
    history = node.node.name in HISTORY_FUNCTIONS
    most = 2 if node.node.name == OUTCOME_FUNCTION else 1  # children_ended("flow", "outcome")
    if not 1 <= len(node.args) <= most or node.kwargs or node.dyn_args or node.dyn_kwargs:
        raise GuardProblem("guard.bad_history_call" if history else "guard.bad_call", function=node.node.name)
    argument = node.args[0]
    literal = all(isinstance(a, nodes.Const) and isinstance(a.value, str) for a in node.args)
    if history and not literal:
        raise GuardProblem("guard.argument_not_literal", function=node.node.name)
    if node.node.name in VALUE_FUNCTIONS and not isinstance(argument, nodes.Name):
        raise GuardProblem("guard.argument_not_field", function=node.node.name)


def literal_text(value: object) -> str:
    """A literal as a guard would write it."""
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    return "none" if value is None else str(value)


_OPERATORS = {
    nodes.Add: "+",
    nodes.Sub: "-",
    nodes.Mul: "*",
    nodes.Div: "/",
    nodes.FloorDiv: "//",
    nodes.Mod: "%",
    nodes.Pow: "**",
}
_COMPARE_WORDS = {
    "eq": "==",
    "ne": "!=",
    "gt": ">",
    "gteq": ">=",
    "lt": "<",
    "lteq": "<=",
    "in": "in",
    "notin": "not in",
}


def unparse(node: nodes.Node) -> str:  # noqa: PLR0911 - one line per kind of node
    """A guard's part written back as text, to quote it in a message (with brackets around
    every inner operation, so that it reads as it was parsed)."""
    if isinstance(node, nodes.Const):
        return literal_text(node.value) if node.value is not None else "none"
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.BinExpr) and type(node) in _OPERATORS:
        return f"{_inner(node.left)} {_OPERATORS[type(node)]} {_inner(node.right)}"
    if isinstance(node, nodes.Neg | nodes.Pos | nodes.Not):
        word = {nodes.Neg: "-", nodes.Pos: "+", nodes.Not: "not "}[type(node)]
        return f"{word}{_inner(node.node)}"
    if isinstance(node, nodes.Compare):
        parts = [_inner(node.expr)] + [f"{_COMPARE_WORDS[o.op]} {_inner(o.expr)}" for o in node.ops]
        return " ".join(parts)
    if isinstance(node, nodes.Concat):
        return " ~ ".join(_inner(part) for part in node.nodes)
    if isinstance(node, nodes.List):
        return "[" + ", ".join(unparse(item) for item in node.items) + "]"
    if isinstance(node, nodes.Filter) and node.node is not None:
        return f"{_inner(node.node)}|{node.name}"
    return "…"


def _inner(node: nodes.Node) -> str:
    text = unparse(node)
    simple = isinstance(node, nodes.Const | nodes.Name | nodes.List | nodes.Filter)
    return text if simple else f"({text})"


def _describe_access(node: nodes.Node) -> str:
    if isinstance(node, nodes.Getattr):
        return f".{node.attr}"
    return "[...]"


def _suggest(word: str, candidates: Collection[str]) -> str:
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else ""


__all__ = [
    "ALLOWED_FILTERS",
    "ALLOWED_TESTS",
    "FUNCTIONS",
    "CompiledGuard",
    "GuardProblem",
    "GuardRuntimeError",
    "check_guard",
    "literal_text",
    "parse_guard",
    "unparse",
]
