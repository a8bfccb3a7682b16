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

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)
