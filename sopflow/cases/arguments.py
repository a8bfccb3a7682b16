"""The one rule for a library call given the wrong kind of value: every public entry point checks
its arguments before anything is computed, and raises an ArgumentError (a SopflowError and a
TypeError) naming the argument and what it must be, never a raw error from deep inside."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, cast

from sopflow.errors import ArgumentError

MAX_SPAN = timedelta(days=3660)  # looking further ahead than ten years is a mistake (or an overflow)
MAX_LIMIT = 1_000_000  # cases in one list: more is a mistake (and past 2**63 no database takes it)


def text(name: str, value: object) -> str:
    """A required text argument (a case id, an action's name)."""
    ArgumentError.check(name, value, str, "expected.text")
    return cast(str, value)


def optional_text(name: str, value: object) -> str | None:
    """A text argument that may be left out (None)."""
    ArgumentError.check_optional(name, value, str, "expected.text_or_none")
    return value if isinstance(value, str) else None


def moment(name: str, value: object) -> datetime | None:
    """A moment that may be left out (None: now)."""
    ArgumentError.check_optional(name, value, datetime, "expected.datetime")
    return value if isinstance(value, datetime) else None


def span(name: str, value: object) -> timedelta:
    """A length of time to look ahead (`due(within=...)`), up to MAX_SPAN."""
    if not isinstance(value, timedelta) or not timedelta(0) <= value <= MAX_SPAN:
        raise ArgumentError.wrong(name, value, "expected.span", days=MAX_SPAN.days)
    return value


def data(value: object) -> Mapping[str, Any]:
    """Case data: a mapping whose keys are field names (text); None is no data."""
    if value is None:
        return {}
    ArgumentError.check("data", value, Mapping, "expected.data")
    for key in cast(Mapping[object, Any], value):
        if not isinstance(key, str):
            raise ArgumentError.wrong("data", key, "expected.data")
    return cast(Mapping[str, Any], value)


def limit(name: str, value: object) -> int | None:
    """How many at most: a whole number from 1 to MAX_LIMIT, or None for no limit."""
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_LIMIT:
        raise ArgumentError.wrong(name, value, "expected.limit", high=MAX_LIMIT)
    return value


def checked_clock(clock: Callable[[], datetime]) -> Callable[[], datetime]:
    """The library user's clock, checked each time it is read: what it gives is used as a
    datetime everywhere, so text or a number from it is refused here, not met as an
    AttributeError deep in a change."""

    def now() -> datetime:
        moment = clock()
        if not isinstance(moment, datetime):
            raise ArgumentError.wrong("clock()", moment, "expected.datetime")
        return moment

    return now
