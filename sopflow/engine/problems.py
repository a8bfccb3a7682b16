"""Collecting located problems while a flow file is checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sopflow.engine.yamlsource import Path, SourceMap
from sopflow.errors import Location, Problem, Severity


@dataclass
class ProblemSink:
    """Turns (code, path) pairs into Problems placed on the file's lines."""

    file: str
    source_map: SourceMap
    problems: list[Problem] = field(default_factory=list)

    def add(
        self,
        code: str,
        path: Path,
        *,
        on_key: bool = False,
        severity: Severity = "error",
        **params: Any,
    ) -> None:
        line, column = self.source_map.at(path, key=on_key)
        self.problems.append(Problem(code, Location(self.file, line, column), params, severity))

    def warn(self, code: str, path: Path, *, on_key: bool = False, **params: Any) -> None:
        self.add(code, path, on_key=on_key, severity="warning", **params)

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)
