"""Field values: the per-field parsers the engine builds give what parse_value gives, and ID
numbers are checked against the time of the action, not the wall clock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sopflow.cases.fielddata import FieldValueError, field_parser, parse_value
from sopflow.language.model import FieldSpec, FieldType

TZ = ZoneInfo("Asia/Shanghai")
AT = datetime(2020, 2, 1, 1, 0, tzinfo=UTC)
SPECS = [
    FieldSpec("temperature", FieldType.NUMBER, {}, minimum=34.0, maximum=43.0),
    FieldSpec("weight", FieldType.NUMBER, {}),
    FieldSpec("members", FieldType.INTEGER, {}, minimum=1, maximum=30),
    FieldSpec("count", FieldType.INTEGER, {}),
    FieldSpec("symptoms", FieldType.BOOLEAN, {}),
    FieldSpec("category", FieldType.CHOICE, {}, choices={"KP4": {"zh": "密切接触者"}, "KP7": {}, " odd": {}}),
    FieldSpec("name", FieldType.TEXT, {}),
    FieldSpec("arrival", FieldType.DATE, {}),
    FieldSpec("seen", FieldType.DATETIME, {}),
    FieldSpec("id_number", FieldType.ID_NUMBER, {}),
]
RAW = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-100, 100),
    st.booleans(),
    st.none(),
    st.sampled_from(["36.6", "３７．２", " 5 ", "yes", "否", "KP4", "KP7", " odd", "odd", "密切接触者", ""]),
    st.sampled_from(["2020-01-31", "2020-01-31T08:00", "220721198503120045", "22072119850312004X"]),
    st.dates(),
    st.datetimes(timezones=st.just(UTC)),
    st.text(max_size=5),
)


def outcome(parse: Any, raw: Any) -> tuple[str, Any]:
    try:
        return "value", parse(raw)
    except FieldValueError as exc:
        return "refused", (exc.code, exc.params)


@pytest.mark.parametrize("spec", SPECS, ids=[s.id for s in SPECS])
@given(raw=RAW)
def test_a_fields_parser_gives_what_parse_value_gives(spec: FieldSpec, raw: Any) -> None:
    fast = field_parser(spec, TZ)
    ours = outcome(lambda r: fast(r, AT), raw)
    reference = outcome(lambda r: parse_value(spec, r, TZ, AT), raw)
    assert ours == reference
    if ours[0] == "value":
        assert type(ours[1]) is type(reference[1])


def test_an_id_number_may_not_be_born_after_the_action() -> None:
    spec = FieldSpec("id_number", FieldType.ID_NUMBER, {})
    born_2020 = "110105202002010017"  # born 2020-02-01
    assert parse_value(spec, born_2020, TZ, datetime(2020, 2, 1, 12, 0, tzinfo=TZ)) == born_2020
    with pytest.raises(FieldValueError):
        parse_value(spec, born_2020, TZ, datetime(2020, 1, 31, 23, 0, tzinfo=TZ))


@pytest.mark.parametrize(
    ("spec", "raw", "code"),
    [
        (SPECS[7], "0001-01-01", "value.date_range"),  # arrival
        (SPECS[7], "9999-12-31", "value.date_range"),
        (SPECS[8], "0001-01-01 00:00", "value.date_range"),  # seen: year 1 minus 8 hours overflowed
        (SPECS[8], datetime(9999, 12, 31, 23, 30), "value.date_range"),
        (SPECS[6], "配送\x00", "value.control"),  # name: PostgreSQL refuses NUL in JSON
        (SPECS[6], "x" * 10_001, "value.too_long"),
    ],
)
def test_values_no_store_could_keep_are_refused(spec: FieldSpec, raw: Any, code: str) -> None:
    with pytest.raises(FieldValueError) as refused:
        parse_value(spec, raw, TZ, AT)
    assert refused.value.code == code


def test_text_keeps_its_line_breaks() -> None:
    assert parse_value(SPECS[6], "一行\n两行\t尾", TZ, AT) == "一行\n两行\t尾"


@pytest.mark.parametrize(
    ("raw", "value"), [("36.6℃", 36.6), ("36.6 °C", 36.6), ("37度", 37.0), ("３６．８℃", 36.8)]
)
def test_a_reading_may_carry_its_unit(raw: str, value: float) -> None:
    assert parse_value(SPECS[0], raw, TZ, AT) == value


@pytest.mark.parametrize(("spec", "raw"), [(SPECS[0], "36_5"), (SPECS[2], "1_0")])
def test_underscores_are_not_digit_separators_for_staff(spec: FieldSpec, raw: str) -> None:
    with pytest.raises(FieldValueError):
        parse_value(spec, raw, TZ, AT)


@pytest.mark.parametrize(
    "raw",
    [
        "2020-02-03",
        "2020/2/3",
        "2020.02.03",
        "2020年2月3日",
        " 2020 年 2 月 3 日 ",
        "20200203",
        "２０２０/２/３",
    ],
)
def test_a_date_is_taken_as_excel_wps_and_people_write_it(raw: str) -> None:
    """The people import takes 2020/2/3 and 2020年2月3日: so does a case's date field (a leads
    sheet typed in WPS), the same date every way."""
    assert parse_value(SPECS[7], raw, TZ, AT) == date(2020, 2, 3)


@pytest.mark.parametrize(
    "raw", ["2020/2/30", "2020/13/1", "2020-2", "2020年2月", "02/03/2020", "43864", "2020x2y3"]
)
def test_a_date_that_is_not_one_is_refused_not_guessed(raw: str) -> None:
    with pytest.raises(FieldValueError) as refused:
        parse_value(SPECS[7], raw, TZ, AT)
    assert refused.value.code == "value.date"


@pytest.mark.parametrize(("raw", "celsius"), [("98.6", 37.0), ("102.2", 39.0), ("89.6", 32.0)])
def test_a_reading_that_looks_fahrenheit_is_refused_with_its_celsius(raw: str, celsius: float) -> None:
    """Never taken as its Celsius (nothing typed is changed), but the message says what it is."""
    spec = FieldSpec("temperature", FieldType.NUMBER, {}, minimum=34.0, maximum=43.0, unit="℃")
    with pytest.raises(FieldValueError) as refused:
        parse_value(spec, raw, TZ, AT)
    assert (refused.value.code, refused.value.params["celsius"]) == ("value.fahrenheit", celsius)
    plain = FieldSpec("weight", FieldType.NUMBER, {}, maximum=43.0)  # no °C unit: no such guess
    with pytest.raises(FieldValueError) as other:
        parse_value(plain, raw, TZ, AT)
    assert other.value.code == "value.above_max"
    with pytest.raises(FieldValueError) as hot:  # far above any body in °F either
        parse_value(spec, "120", TZ, AT)
    assert hot.value.code == "value.above_max"
