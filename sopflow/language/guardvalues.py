"""Guard functions that judge a value of the case: `valid_id(id_number)` says whether an ID
number passes GB 11643 (issue 11, C14). A field with `accept_invalid: true` keeps a number as
seen on the card even when it fails, so a rule can tell the two apart: a three-check visit refuses
"matched" for a person whose ID number does not pass, and sends them to identity checks instead.

Their argument is a field of the flow (its name, not in quotes); `flows validate` refuses any other
argument, and a field of another type (guardtypes.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sopflow.language.idnumbers import compact_id, id_number_valid

Program = Callable[[Mapping[str, Any], Mapping[str, Any], datetime], Any]


def valid_id(value: Any, now: datetime) -> bool:
    """Whether `value` is an ID number that passes GB 11643 as of `now`."""
    if not isinstance(value, str) or not value:
        return False
    return id_number_valid(compact_id(value), now.date())


# function -> the field type its argument must have
VALUE_FUNCTIONS: dict[str, Callable[[Any, datetime], bool]] = {"valid_id": valid_id}
VALUE_FIELD_TYPES: dict[str, str] = {"valid_id": "id_number"}


def value_call(function: str, argument: Program) -> Program:
    judge = VALUE_FUNCTIONS[function]

    def call(data: Mapping[str, Any], params: Mapping[str, Any], now: datetime) -> Any:
        return judge(argument(data, params, now), now)

    return call
