"""Read YAML safely into plain data plus a map from each value's path to its line and column.

Flow files are written by people, so every later error must point at a line. PyYAML's composer
gives nodes with marks; we build the Python values ourselves from those nodes so that each path
(`("steps", "verify", "actions", 0, "to")`) keeps its position. Only safe tags are constructed, and
`yes/no/on/off` stay text: a decision branch called "no" must not become False.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from sopflow.i18n import Phrase

Path = tuple[str | int, ...]

MAX_NODES = 200_000  # far above any real flow; stops alias bombs ("billion laughs")
MAX_DEPTH = 40  # a flow needs about 8 levels; deep nesting would exhaust the parser's stack


class YamlProblem(Exception):
    """Raised for text that is not a single well-formed YAML document of plain data."""

    def __init__(self, code: str, line: int, column: int, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.line = line
        self.column = column
        self.params = params


_STANDARD = "tag:yaml.org,2002:"
_COLLECTION_TAGS = {f"{_STANDARD}map", f"{_STANDARD}seq"}
_SCALAR_TAGS = {f"{_STANDARD}{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")}


def _shown_tag(tag: str) -> str:
    """A tag as the user wrote it: !!python/name:os.system, not tag:yaml.org,2002:python/..."""
    return "!!" + tag.removeprefix(_STANDARD) if tag.startswith(_STANDARD) else tag


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


class _StringBoolLoader(yaml.SafeLoader):
    """SafeLoader where only true/false are booleans and 16:00 is no number (YAML 1.2 style)."""


_BOOL_TAG = "tag:yaml.org,2002:bool"
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
# YAML 1.1 reads 16:00 as the base-60 number 960; a time of day (`at: [08:00, 16:00]`) stays text.
_NOT_SEXAGESIMAL = r"^(?![-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$)"


def _resolver(tag: str, regexp: re.Pattern[str]) -> tuple[str, re.Pattern[str]]:
    if tag in _NUMBER_TAGS and regexp.pattern.startswith("^"):
        return tag, re.compile(_NOT_SEXAGESIMAL + regexp.pattern[1:], regexp.flags)
    return tag, regexp


_StringBoolLoader.yaml_implicit_resolvers = {
    first: [_resolver(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StringBoolLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass
class SourceMap:
    """Where each value (and each mapping key) sits in the file, 1-based."""

    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def at(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """Position of `path` (its key if asked and known), else of its nearest ancestor."""
        if key and path in self.keys:
            return self.keys[path]
        probe = path
        while probe:
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), (1, 1))


def load_marked(text: str) -> tuple[Any, SourceMap]:
    """Parse one YAML document into plain data and its SourceMap; raise YamlProblem if unusable."""
    _refuse_deep_brackets(text)
    try:
        nodes = list(yaml.compose_all(text, Loader=_StringBoolLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        _refuse_full_width(text, line)  # the usual cause, named where it is, not after it
        if "'\\t'" in (exc.problem or ""):
            raise YamlProblem("yaml.tab", line, column) from None
        if exc.context_mark is not None and _ran_to_the_end(exc):
            # a quote left open: YAML reads on to the end of the file; the mistake is where it opens
            line, column = exc.context_mark.line + 1, exc.context_mark.column + 1
        raise YamlProblem("yaml.syntax", line, column, detail=_yaml_detail(exc)) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not take (NUL, a stray control)
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - text.rfind("\n", 0, exc.position)
        char = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        raise YamlProblem("yaml.control_char", line, column, char=char) from None
    except yaml.YAMLError as exc:
        raise YamlProblem("yaml.syntax", 1, 1, detail=str(exc).strip()) from None
    except RecursionError:
        raise YamlProblem("yaml.too_deep", 1, 1) from None
    if not nodes or nodes[0] is None:
        raise YamlProblem("yaml.empty", 1, 1)
    if len(nodes) > 1:
        second = nodes[1].start_mark
        raise YamlProblem("yaml.many_documents", second.line + 1, second.column + 1)
    builder = _Builder()
    try:
        data = builder.build_document(nodes[0])
    except RecursionError:
        raise YamlProblem("yaml.too_deep", 1, 1) from None
    return data, builder.source_map


def _ran_to_the_end(exc: yaml.MarkedYAMLError) -> bool:
    """Whether YAML gave up at the end of the file (or of the document) while inside something
    it had opened (a quoted text, a [list] or {mapping}): that something was never closed."""
    problem = exc.problem or ""
    return "end of stream" in problem or "document separator" in problem


# A key ended by a full-width colon, indentation with full-width or no-break spaces, a full-width
# comma between the entries of a {...} mapping: what a Chinese input method types by itself.
_FULL_WIDTH_KEY = re.compile(r"^[ \t\u3000\u00a0]*(?:- )?[A-Za-z_][A-Za-z0-9_-]*[ \t]*(：)")
_ODD_INDENT = re.compile(r"^ *([\u3000\u00a0])")
_FULL_WIDTH_COMMA = re.compile(r"\{[^}\"']*?(，)[ \t]*[A-Za-z_][A-Za-z0-9_-]*[ \t]*:")


def _refuse_full_width(text: str, last_line: int) -> None:
    """YamlProblem at the first full-width character that breaks the YAML structure, up to the
    line where YAML gave up."""
    for number, line in enumerate(text.splitlines()[:last_line], start=1):
        indent = _ODD_INDENT.search(line)
        if indent:
            full = indent.group(1) == "\u3000"
            space = "yaml.reason.full_width_space" if full else "yaml.reason.no_break_space"
            raise YamlProblem("yaml.odd_indent", number, indent.start(1) + 1, char=Phrase(space))
        colon = _FULL_WIDTH_KEY.search(line)
        if colon:
            raise YamlProblem("yaml.full_width", number, colon.start(1) + 1, char="：", ascii=":")
        comma = _FULL_WIDTH_COMMA.search(line)
        if comma:
            raise YamlProblem("yaml.full_width_comma", number, comma.start(1) + 1)


def _refuse_deep_brackets(text: str) -> None:
    """Find [[[[... nested beyond MAX_DEPTH before PyYAML's recursive parser runs out of stack."""
    depth, line = 0, 1
    column = 0
    quote = ""
    for char in text:
        column += 1
        if char == "\n":
            line, column, quote = line + 1, 0, ""
        elif quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlProblem("yaml.too_deep", line, column)
        elif char in "]}":
            depth = max(depth - 1, 0)


# PyYAML's words for the slips authors make most, said in the catalogue's words instead (a
# Chinese author is not handed "while scanning for the next token"); anything else as PyYAML says it
_KNOWN_SLIPS = (
    (re.compile(r"mapping values are not allowed here"), "yaml.reason.stray_colon"),
    (re.compile(r"expected ',' or '\}'"), "yaml.reason.open_mapping"),
    (re.compile(r"expected ',' or '\]'"), "yaml.reason.open_list"),
    (re.compile(r"expected <block end>"), "yaml.reason.indent"),
    (re.compile(r"found character '(?P<char>.+)' that cannot start any token"), "yaml.reason.bad_start"),
    (re.compile(r"found undefined alias '(?P<char>.*)'"), "yaml.reason.alias"),
)


def _yaml_detail(exc: yaml.MarkedYAMLError) -> str:
    problem = (exc.problem or "").strip()
    if "quoted scalar" in (exc.context or "") and "end of stream" in problem:
        return Phrase("yaml.reason.open_quote")
    for pattern, code in _KNOWN_SLIPS:
        if found := pattern.search(problem):
            return Phrase(code, **found.groupdict())
    parts = [exc.context or "", problem]
    return ", ".join(p.strip() for p in parts if p and p.strip()) or "not valid YAML"


class _Builder:
    """Turns composed nodes into dicts, lists and scalars, recording marks on the way."""

    def __init__(self) -> None:
        self.source_map = SourceMap()
        self._constructor = _StringBoolLoader("")
        self._active: set[int] = set()
        self._sizes: dict[int, int] = {}

    def build_document(self, root: yaml.Node) -> Any:
        """Check the expanded size first: aliases can make a small text enormous."""
        if self._size(root) > MAX_NODES:
            culprit = self._largest_first(root)
            mark = culprit.start_mark
            raise YamlProblem("yaml.too_large", mark.line + 1, mark.column + 1)
        return self.build(root, ())

    def _size(self, node: yaml.Node) -> int:
        """Number of values `node` expands to, aliases counted each time they are used."""
        known = self._sizes.get(id(node))
        if known is not None:
            return known
        if id(node) in self._active:
            mark = node.start_mark
            raise YamlProblem("yaml.recursive_alias", mark.line + 1, mark.column + 1)
        self._active.add(id(node))
        size = 1 + sum(min(self._size(child), MAX_NODES + 1) for child in _children(node))
        self._active.discard(id(node))
        self._sizes[id(node)] = min(size, MAX_NODES + 1)
        return self._sizes[id(node)]

    def _largest_first(self, node: yaml.Node) -> yaml.Node:
        """The first value, in reading order, that alone expands too far."""
        while True:
            too_big = [c for c in _children(node) if self._size(c) > MAX_NODES]
            if not too_big:
                return node
            node = too_big[0]

    def build(self, node: yaml.Node, path: Path) -> Any:
        mark = node.start_mark
        if len(path) > MAX_DEPTH:
            raise YamlProblem("yaml.too_deep", mark.line + 1, mark.column + 1)
        if id(node) in self._active:
            raise YamlProblem("yaml.recursive_alias", mark.line + 1, mark.column + 1)
        self.source_map.values[path] = (mark.line + 1, mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self._guarded(node, path, self._mapping)
        if isinstance(node, yaml.SequenceNode):
            return self._guarded(node, path, self._sequence)
        return self._scalar(node)

    def _guarded(self, node: Any, path: Path, build: Any) -> Any:
        if node.tag not in _COLLECTION_TAGS:
            mark = node.start_mark
            raise YamlProblem("yaml.bad_tag", mark.line + 1, mark.column + 1, tag=_shown_tag(node.tag))
        self._active.add(id(node))
        try:
            return build(node, path)
        finally:
            self._active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        try:
            self._constructor.flatten_mapping(node)  # resolves `<<: *defaults` merge keys
        except yaml.constructor.ConstructorError as exc:
            mark = exc.problem_mark or node.start_mark
            raise YamlProblem(
                "yaml.bad_value", mark.line + 1, mark.column + 1, detail=str(exc.problem)
            ) from None
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            mark = key_node.start_mark
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlProblem("yaml.complex_key", mark.line + 1, mark.column + 1)
            key = str(self._scalar(key_node))
            if key in result:
                raise YamlProblem("yaml.duplicate_key", mark.line + 1, mark.column + 1, key=key)
            self.source_map.keys[(*path, key)] = (mark.line + 1, mark.column + 1)
            result[key] = self.build(value_node, (*path, key))
        return result

    def _sequence(self, node: yaml.SequenceNode, path: Path) -> list[Any]:
        return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]

    def _scalar(self, node: yaml.Node) -> Any:
        mark = node.start_mark
        if node.tag not in _SCALAR_TAGS:
            raise YamlProblem("yaml.bad_tag", mark.line + 1, mark.column + 1, tag=_shown_tag(node.tag))
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            raise YamlProblem(
                "yaml.bad_value", mark.line + 1, mark.column + 1, detail=str(exc.problem)
            ) from None
        except (ValueError, OverflowError) as exc:
            raise YamlProblem("yaml.bad_value", mark.line + 1, mark.column + 1, detail=str(exc)) from None


def describe(path: Path) -> str:
    """A path as people read it: steps.verify.actions[1].to"""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else part
    return out or "(top level)"
