"""One exception hierarchy for sopflow, and the located problems that flow errors carry."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sopflow.i18n import InLanguages, default_language, say, ui_languages

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
        # a value that was not UTF-8 (lone surrogates) is shown with '?': a message must print
        self.params: dict[str, Any] = {k: _printable(v) if type(v) is str else v for k, v in params.items()}
        super().__init__(self.message("en"))

    def message(self, lang: str | None = None) -> str:
        return say(self.code, lang or default_language(), **self.params)


class ArgumentError(CodedError, TypeError):
    """A library call given the wrong kind of argument (a number for a case id, text for a time).
    The one rule for misuse: every public entry point checks its arguments and raises this,
    naming the argument and what it must be. It is a SopflowError (the CLI prints it as one line)
    and a TypeError (what Python callers catch for a wrong kind of argument)."""

    @classmethod
    def check(cls, name: str, value: object, kind: type | tuple[type, ...], expected: str) -> None:
        """Refuse `value` unless it is a `kind` (a bool is not a number here: True is an int).
        `expected` is the catalogue code of what it must be ("expected.text")."""
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _kinds(kind)):
            raise cls.wrong(name, value, expected)

    @classmethod
    def wrong(cls, name: str, value: object, expected: str, **values: object) -> ArgumentError:
        """The error for argument `name`, which must be what the code `expected` says."""
        what = InLanguages({lang: say(expected, lang, **values) for lang in ui_languages()})
        return cls("argument.wrong_kind", name=name, expected=what, value=_shown(value))

    @classmethod
    def check_optional(cls, name: str, value: object, kind: type | tuple[type, ...], expected: str) -> None:
        """As `check`, with None allowed (the argument's default)."""
        if value is not None:
            cls.check(name, value, kind, expected)


def _printable(text: str) -> str:
    return text if text.isascii() else text.encode("utf-8", "replace").decode("utf-8")


def _kinds(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _shown(value: object) -> str:
    """A wrong value as a message shows it: short, and printable whatever it holds."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class LookupFailed(CodedError):
    """A named thing (flow id, case id, file) that is not there; the message says what is."""


class CaseError(CodedError):
    """A case action that cannot be done; the case is left exactly as it was."""


class StoreError(CodedError):
    """The case store cannot be opened or written."""

    def message(self, lang: str | None = None) -> str:
        """A SQLite store is a file: what to check is its folder and the file, not a server."""
        url = str(self.params.get("url", ""))
        if self.code in ("store.unavailable", "store.missing") and url.startswith("sqlite"):
            params = {**self.params, "file": url.partition(":///")[2] or url}
            code = "store.file_unavailable" if self.code == "store.unavailable" else "store.file_missing"
            return say(code, lang or default_language(), **params)
        return super().message(lang)


class RenderError(CodedError):
    """A chart or handbook cannot be produced (e.g. `dot` or a font is missing)."""
