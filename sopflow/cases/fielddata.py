"""Case data: turning what staff type into typed values, checking them, and storing them as JSON.

Values arrive as text from the CLI (`--set temperature=37.6`) or as Python values from the
library; both go through `parse_value`, which knows each field type. Resident ID numbers are checked
with python-stdnum's `cn.ric` (GB 11643 checksum and birth date). What is stored is JSON: dates
become ISO text and come back as dates through `from_json`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from sopflow.cases.inputs import EARLIEST_YEAR, LATEST_YEAR, MAX_ID, MAX_TEXT, has_control
from sopflow.i18n import Named, named
from sopflow.language.idnumbers import compact_id, id_number_valid
from sopflow.language.model import FieldSpec, FieldType
from sopflow.language.naming import choice_names

_TRUE = {"true", "yes", "y", "1", "on", "是", "有", "对"}
_FALSE = {"false", "no", "n", "0", "off", "否", "无", "没有"}


class FieldValueError(ValueError):
    """A value that does not fit its field; `code` and `params` pick and fill the message."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params: dict[str, Any] = params


def parse_value(spec: FieldSpec, raw: Any, tz: tzinfo, at: datetime) -> Any:
    """`raw` as a value of the field's type, or FieldValueError saying what was expected. `at`
    is when the value is given (an ID number cannot show a birth date after it).

    Numbers, dates, codes and ID numbers are read the way they were meant (NFKC: full-width
    digits, stray spaces); text — names, notes, addresses — is kept exactly as typed: a Chinese
    comma or colon in it is the writer's, not a typo."""
    if isinstance(raw, str) and spec.type is not FieldType.TEXT:
        raw = unicodedata.normalize("NFKC", raw).strip()
    parser = _PARSERS[spec.type]
    value = parser(spec, raw, tz, at)
    _check_bounds(spec, value)
    return value


def field_named(spec: FieldSpec) -> Named:
    """The field as a message names it: 体温 temperature."""
    return named(spec.id, spec.label)


Parser = Callable[[Any, datetime], Any]  # (raw value, when it is given) -> value


def field_parser(spec: FieldSpec, tz: tzinfo) -> Parser:
    """`parse_value` for one field, built once per flow: a value that already has the field's
    Python type and lies within its bounds (what a program passes) is taken as it is; anything
    else (text from the CLI, say) goes through `parse_value`."""
    low = -math.inf if spec.minimum is None else spec.minimum
    high = math.inf if spec.maximum is None else spec.maximum

    def slow(raw: Any, at: datetime) -> Any:
        return parse_value(spec, raw, tz, at)

    if spec.type is FieldType.NUMBER:
        isfinite = math.isfinite

        def number(raw: Any, at: datetime) -> Any:
            if type(raw) is float and isfinite(raw) and low <= raw <= high:
                return raw
            return parse_value(spec, raw, tz, at)

        return number
    if spec.type is FieldType.INTEGER:

        def integer(raw: Any, at: datetime) -> Any:
            if type(raw) is int and low <= raw <= high:
                return raw
            return parse_value(spec, raw, tz, at)

        return integer
    if spec.type is FieldType.BOOLEAN:
        return lambda raw, at: raw if raw is True or raw is False else parse_value(spec, raw, tz, at)
    if spec.type is FieldType.CHOICE:
        codes = frozenset(c for c in spec.choices if unicodedata.normalize("NFKC", c).strip() == c)
        return lambda raw, at: raw if type(raw) is str and raw in codes else parse_value(spec, raw, tz, at)
    return slow


def _text(spec: FieldSpec, raw: Any, tz: tzinfo, at: datetime) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise FieldValueError("value.text", field=field_named(spec))
    if len(raw) > MAX_TEXT:
        raise FieldValueError("value.too_long", field=field_named(spec), limit=MAX_TEXT)
    if has_control(raw, newlines=True):
        raise FieldValueError("value.control", field=field_named(spec))  # NUL: PostgreSQL refuses it
    return raw


def _in_range(spec: FieldSpec, value: date, raw: Any) -> None:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise FieldValueError("value.date_range", field=field_named(spec), value=raw)


_UNITS = ("°C", "°", "度")  # 36.6℃ (NFKC makes ℃ °C), 36.6度: how a reading is written down


def _integer(spec: FieldSpec, raw: Any, tz: tzinfo, at: datetime) -> int:
    if isinstance(raw, bool):
        raise FieldValueError("value.integer", field=field_named(spec), value=raw)
    if isinstance(raw, int):
        return raw
    text = str(raw)
    try:
        if "_" in text:  # Python reads 3_0 as 30; a person meant something else
            raise ValueError(text)
        return int(text)
    except ValueError:
        raise FieldValueError("value.integer", field=field_named(spec), value=raw) from None


def _number(spec: FieldSpec, raw: Any, tz: tzinfo, at: datetime) -> float:
    if isinstance(raw, bool):
        raise FieldValueError("value.number", field=field_named(spec), value=raw)
    if isinstance(raw, str):
        for unit in _UNITS:
            raw = raw.removesuffix(unit).strip()
    try:
        if isinstance(raw, str) and "_" in raw:  # Python reads 36_5 as 365
            raise ValueError(raw)
        value = float(raw)
    except (TypeError, ValueError):
        raise FieldValueError("value.number", field=field_named(spec), value=raw) from None
    except OverflowError:  # an int past any float (10**400): not a reading
        raise FieldValueError("value.number", field=field_named(spec), value=f"{Decimal(raw):.3e}") from None
    if math.isnan(value) or math.isinf(value):
        raise FieldValueError("value.number", field=field_named(spec), value=raw)
    return value


def _boolean(spec: FieldSpec, raw: Any, tz: tzinfo, at: datetime) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise FieldValueError("value.boolean", field=field_named(spec), value=raw)


def _date(spec: FieldSpec, raw: Any, tz: tzinfo, at: datetime) -> date:
    if isinstance(raw, datetime):
        _in_range(spec, raw, raw)
        value = raw.astimezone(tz).date() if raw.tzinfo else raw.date()
    elif isinstance(raw, date):
        value = raw
    else:
        try:
            value = date.fromisoformat(str(raw))
        except ValueError:
            value = _written_date(str(raw), spec, raw)
    _in_range(spec, value, raw)
    return value


# A date as Excel, WPS and people write it in Chinese: 2020/2/3, 2020.2.3, 2020年2月3日, 20200203
_WRITTEN_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{4})(\d{2})(\d{2})")


def _written_date(text: str, spec: FieldSpec, raw: Any) -> date:
    """A date not written as 2020-02-03 but as people write one; FieldValueError if it is none."""
    found = _WRITTEN_DATE.fullmatch(text.strip())
    try:
        if found is None:
            raise ValueError(text)
        year, month, day = (int(part) for part in found.groups() if part is not None)
        return date(year, month, day)
    except ValueError:
        raise FieldValueError("value.date", field=field_named(spec), value=raw) from None


def _datetime(spec: FieldSpec, raw: Any, tz: tzinfo, at: datetime) -> datetime:
    """A moment, stored in UTC; a time written without a zone is local time."""
    if isinstance(raw, datetime):
        value = raw
    else:
        try:
            value = datetime.fromisoformat(str(raw))
        except ValueError:
            raise FieldValueError("value.datetime", field=field_named(spec), value=raw) from None
    _in_range(spec, value, raw)
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


def _choice(spec: FieldSpec, raw: Any, tz: tzinfo, at: datetime) -> str:
    """A code, or the label staff see (密切接触者, 黄色（其他）, 黄色) in any language of the flow."""
    names = choice_names(spec)
    code = names.find(str(raw), refuse=FieldValueError)
    if code is None:
        raise FieldValueError("value.choice", field=field_named(spec), value=raw, choices=names.listing())
    return code


def _id_number(spec: FieldSpec, raw: Any, tz: tzinfo, at: datetime) -> str:
    """GB 11643 (language/idnumbers.py), checked against the date `at`. A field with
    `accept_invalid: true` keeps a number that fails, as written on the card (compacted), so long
    as it is text a field may hold (issue 11, C14); `valid_id(field)` tells the two apart."""
    number = compact_id(raw)
    if id_number_valid(number, at.astimezone(tz).date()):
        return number
    if spec.accept_invalid and isinstance(raw, str) and number:
        _text(spec, raw, tz, at)  # no control characters still applies
        if len(number) > MAX_ID:  # a number off a card, not a note
            raise FieldValueError("value.too_long", field=field_named(spec), limit=MAX_ID)
        return number
    raise FieldValueError("value.id_number", field=field_named(spec), value=raw)


_PARSERS = {
    FieldType.TEXT: _text,
    FieldType.INTEGER: _integer,
    FieldType.NUMBER: _number,
    FieldType.BOOLEAN: _boolean,
    FieldType.DATE: _date,
    FieldType.DATETIME: _datetime,
    FieldType.CHOICE: _choice,
    FieldType.ID_NUMBER: _id_number,
}


CELSIUS = frozenset({"℃", "°C", "C"})
FAHRENHEIT_BODY = (89.6, 113.0)  # a body temperature of 32-45 °C written in °F (98.6 is 37.0)


def _check_bounds(spec: FieldSpec, value: Any) -> None:
    if spec.minimum is not None and value < spec.minimum:
        raise FieldValueError("value.below_min", field=field_named(spec), value=value, limit=spec.minimum)
    if spec.maximum is not None and value > spec.maximum:
        if spec.unit in CELSIUS and FAHRENHEIT_BODY[0] <= value <= FAHRENHEIT_BODY[1]:
            celsius = round((float(value) - 32) * 5 / 9, 1)  # said, never put in its place
            raise FieldValueError(
                "value.fahrenheit", field=field_named(spec), value=value, limit=spec.maximum, celsius=celsius
            )
        raise FieldValueError("value.above_max", field=field_named(spec), value=value, limit=spec.maximum)


def to_json(value: Any) -> Any:
    """A value as JSON data: dates and datetimes become ISO text (datetimes in UTC)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def from_json(spec: FieldSpec | None, value: Any) -> Any:
    """Back from JSON data to the field's Python type (unknown fields stay as they are)."""
    if value is None or spec is None:
        return value
    if spec.type is FieldType.DATE:
        return date.fromisoformat(value)
    if spec.type is FieldType.DATETIME:
        return datetime.fromisoformat(value)
    return value


_DATE_TYPES = (FieldType.DATE, FieldType.DATETIME)


def data_to_json(data: Mapping[str, Any]) -> dict[str, Any]:
    """Case data as JSON data. Only dates need converting; the rest is copied as it is."""
    values = dict(data)
    for key, value in data.items():
        if isinstance(value, date):
            values[key] = to_json(value)
    return values


def data_from_json(
    fields: Mapping[str, FieldSpec], data: Mapping[str, Any], dates: frozenset[str] | None = None
) -> dict[str, Any]:
    """JSON data back as case data, dates as dates. `dates`: the names of the date fields, if the
    caller knows them (Flow.date_fields); else the field types are looked at."""
    if dates is None:
        dates = frozenset(n for n, spec in fields.items() if spec.type in _DATE_TYPES)
    values = dict(data)
    for key in data.keys() & dates:
        if values[key] is not None:
            values[key] = from_json(fields[key], values[key])
    return values
