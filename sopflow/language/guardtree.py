"""A guard's syntax tree as plain data, apart from Jinja: what the evaluator and the wording read.

Jinja parses and vets a guard once, when its flow is checked (`guards`); the tree is then copied
into `GNode`s (kind = the Jinja node's class name, the same fields), which can be kept as JSON in
the checked-flow cache. A flow read from that cache evaluates and words its guards without
importing Jinja at all, so stepping a case from the command line starts quickly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class GNode:
    """One node: `kind` (Add, Name, Compare, ...) and the fields Jinja gives that kind, read as
    attributes (`node.left`, `node.ops`). Lists of nodes are tuples."""

    __slots__ = ("fields", "kind")

    def __init__(self, kind: str, fields: Mapping[str, Any]) -> None:
        self.kind = kind
        self.fields = dict(fields)

    def __getattr__(self, name: str) -> Any:
        if name in ("kind", "fields"):  # not set yet (copying): no recursion
            raise AttributeError(name)
        try:
            return self.fields[name]
        except KeyError:
            raise AttributeError(name) from None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GNode) and (self.kind, self.fields) == (other.kind, other.fields)

    def __hash__(self) -> int:
        return hash(self.kind)

    def __repr__(self) -> str:
        return f"GNode({self.kind!r}, {self.fields!r})"

    def children(self) -> list[GNode]:
        """The nodes directly under this one, in field order."""
        found: list[GNode] = []
        for value in self.fields.values():
            if isinstance(value, GNode):
                found.append(value)
            elif isinstance(value, tuple):
                found.extend(v for v in value if isinstance(v, GNode))
        return found


def tree_to_json(value: Any) -> Any:
    """A tree as JSON-ready data: a node is {"kind": ..., "fields": {...}}, a tuple a list."""
    if isinstance(value, GNode):
        return {"kind": value.kind, "fields": {k: tree_to_json(v) for k, v in value.fields.items()}}
    if isinstance(value, tuple | list):
        return [tree_to_json(v) for v in value]
    return value


def tree_from_json(value: Any) -> Any:
    """The inverse of tree_to_json."""
    if isinstance(value, dict):
        return GNode(str(value["kind"]), {k: tree_from_json(v) for k, v in value["fields"].items()})
    if isinstance(value, list):
        return tuple(tree_from_json(v) for v in value)
    return value
