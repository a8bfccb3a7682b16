"""The operations a guard's closures call: Python's operators bounded in size, the time helpers,
and the errors a guard raises while it runs.

Apart from the compiler (guardeval) so that each stays readable; a guard can only build values
through these, which is what keeps a hostile flow file from building a gigabyte string.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sopflow.i18n import Phrase

MAX_REPEAT = 10_000  # largest string/list a guard may build with '*'
MAX_SIZE = 100_000  # largest value (characters and items, nested ones counted) a guard may build

COMPARE: dict[str, Callable[[Any, Any], Any]] = {
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
    result = "".join(map(str, parts))  # Jinja's str_join
    if len(result) > MAX_SIZE:
        raise TooLarge
    return result


def remainder(left: Any, right: Any) -> Any:
    """`left % right` for numbers; text formatting ('%999999999d' % 1 builds a gigabyte) is
    not something a guard needs."""
    if isinstance(left, str | bytes):
        raise GuardRuntimeError(rule_is_wrong("guard.reason.format"))
    return left % right


BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "Add": add,
    "Sub": operator.sub,
    "Mul": repeat,
    "Div": operator.truediv,
    "FloorDiv": operator.floordiv,
    "Mod": remainder,
}
UNARY: dict[str, Callable[[Any], Any]] = {
    "Neg": operator.neg,
    "Pos": operator.pos,
    "Not": operator.not_,
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
