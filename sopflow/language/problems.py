"""Collecting located problems while a flow file is checked."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sopflow.errors import Location, Problem, Severity
from sopflow.language.yamlsource import Path, SourceMap


@dataclass
class ProblemSink:
    """Turns (code, path) pairs into Problems placed on the file's lines."""

    file: str
    source_map: SourceMap
    problems: list[Problem] = field(default_factory=list)
    muted: set[Path] = field(default_factory=set)
    text: str = ""  # the file's text: to place a word inside a long text on its own line

    def mute_under(self, paths: Iterable[Path]) -> None:
        """Drop later problems at or below these paths (already reported as shape problems)."""
        self.muted.update(paths)

    def add(
        self,
        code: str,
        path: Path,
        *,
        on_key: bool = False,
        severity: Severity = "error",
        **params: Any,
    ) -> None:
        if any(path[: len(m)] == m for m in self.muted):
            return
        line, column = self.source_map.at(path, key=on_key)
        self.problems.append(Problem(code, Location(self.file, line, column), params, severity))

    def warn(self, code: str, path: Path, *, on_key: bool = False, **params: Any) -> None:
        self.add(code, path, on_key=on_key, severity="warning", **params)

    def add_at_word(
        self, code: str, path: Path, needle: str, nth: int, *, severity: Severity = "error", **params: Any
    ) -> None:
        """A problem placed at the `nth` (0-based) `needle` of the text at `path`: a word in a
        paragraph of instructions is reported at its own line and column, not at the paragraph's
        start. Where the file's text does not show it (an escape), at the text's start."""
        if any(path[: len(m)] == m for m in self.muted):
            return
        line, column = self.source_map.at(path)
        offset = _offset(self.text, line, column)
        found = offset - 1
        for _ in range(nth + 1):
            found = self.text.find(needle, found + 1)
            if found < 0:
                break
        if found >= 0:
            line = self.text.count("\n", 0, found) + 1
            column = found - self.text.rfind("\n", 0, found)
        self.problems.append(Problem(code, Location(self.file, line, column), params, severity))

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


def _offset(text: str, line: int, column: int) -> int:
    """Where 1-based (line, column) is in `text`."""
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return len(text)
    return start + column - 1
