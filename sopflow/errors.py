"""One exception hierarchy for sopflow, and the located problems that flow errors carry."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sopflow.i18n import default_language, say

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file, 1-based, as editors count."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a flow file: where, what (a message code and its values) and how bad."""

    code: str
    location: Location
    params: Mapping[str, object] = field(default_factory=dict)
    severity: Severity = "error"

    def message(self, lang: str | None = None) -> str:
        """'what is wrong — what to do' in the given language."""
        return say(self.code, lang or default_language(), **self.params)

    def format(self, lang: str | None = None) -> str:
        """The full line: 'file:line:col: what is wrong — what to do'."""
        lang = lang or default_language()
        text = self.message(lang)
        if self.severity == "warning":
            text = say("problem.warning", lang, text=text)
        return f"{self.location}: {text}"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.location.file, self.location.line, self.location.column, self.code)


class SopflowError(Exception):
    """Base of every error sopflow raises on purpose; the CLI turns these into one-line messages."""

    exit_code = 1

    def message(self, lang: str | None = None) -> str:
        return str(self)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled whole (code, values, the case it carries), so that an error raised in a worker
        process reaches the parent as itself; the default would call __init__ with the text."""
        return (_restored, (type(self), self.args, self.__dict__))


def _restored(cls: type[SopflowError], args: tuple[Any, ...], state: dict[str, Any]) -> SopflowError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class FlowError(SopflowError):
    """A flow definition that does not load; carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(problems, key=Problem.sort_key))
        super().__init__(self.message())

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    def message(self, lang: str | None = None) -> str:
        return "\n".join(p.format(lang) for p in self.problems)


class CodedError(SopflowError):
    """An error whose message comes from the catalogue, so it reads in the user's language."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params: dict[str, Any] = params
        super().__init__(self.message("en"))

    def message(self, lang: str | None = None) -> str:
        return say(self.code, lang or default_language(), **self.params)


class LookupFailed(CodedError):
    """A named thing (flow id, case id, file) that is not there; the message says what is."""


class CaseError(CodedError):
    """A case action that cannot be done; the case is left exactly as it was."""


class StoreError(CodedError):
    """The case store cannot be opened or written."""

    def message(self, lang: str | None = None) -> str:
        """A SQLite store is a file: what to check is its folder and the file, not a server."""
        url = str(self.params.get("url", ""))
        if self.code == "store.unavailable" and url.startswith("sqlite"):
            params = {**self.params, "file": url.partition(":///")[2] or url}
            return say("store.file_unavailable", lang or default_language(), **params)
        return super().message(lang)


class RenderError(CodedError):
    """A chart or handbook cannot be produced (e.g. `dot` or a font is missing)."""
