"""Resident ID numbers, phones and names as the registry reads them (registry/values): a value
typed plainly takes a quick path (past python-stdnum's compact(), past the phone's character
walk, past the name's character categories), and must be read exactly as the slow path reads
it; every mistake is named."""

from __future__ import annotations

from datetime import date

import pytest

from sopflow.registry.values import (
    IdFacts,
    RegistryValueError,
    id_number,
    person_name,
    phone,
    phone_digits,
)

TODAY = date(2020, 2, 1)


@pytest.mark.parametrize(
    ("typed", "facts"),
    [
        ("220721198503120045", IdFacts("220721198503120045", "female", date(1985, 3, 12))),
        ("220721198503120010", IdFacts("220721198503120010", "male", date(1985, 3, 12))),
        ("22072119920101003x", IdFacts("22072119920101003X", "male", date(1992, 1, 1))),  # x is X
        ("２２０７２１１９８５０３１２００４５", IdFacts("220721198503120045", "female", date(1985, 3, 12))),
        # spaces inside, as a card's number is read out in groups: dropped, as a case's field drops them
        ("220721 19850312 0045", IdFacts("220721198503120045", "female", date(1985, 3, 12))),
    ],
)
def test_a_number_is_read_with_what_it_says(typed: str, facts: IdFacts) -> None:
    assert id_number(typed, TODAY) == facts


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("22072119850312004", "id.length"),
        ("2.20721E+17", "id.scientific"),  # Excel held it as a number: its last digits are gone
        ("2.20721e+17", "id.scientific"),
        ("2207211985031200451", "id.length"),
        ("22072119850312004A", "id.characters"),
        ("220721198513320045", "id.birth_date"),  # a 13th month
        ("220721198502300045", "id.birth_date"),  # 30 February
        ("220721203001010000", "id.birth_date"),  # born after today
        ("220721198503120046", "id.checksum"),
    ],
)
def test_each_mistake_is_named(typed: str, code: str) -> None:
    with pytest.raises(RegistryValueError) as refused:
        id_number(typed, TODAY)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("typed", "kept", "digits"),
    [
        ("13812345678", "13812345678", "13812345678"),
        ("  13812345678 ", "13812345678", "13812345678"),
        (
            "１３８１２３４５６７８",
            "13812345678",
            "13812345678",
        ),  # full-width, as a phone keyboard may type it
        ("138 1234 5678", "138 1234 5678", "13812345678"),  # as written: nothing typed is changed
        ("138-1234-5678", "138-1234-5678", "13812345678"),
        ("+86 138-1234-5678", "+86 138-1234-5678", "13812345678"),
        ("+8613812345678", "+8613812345678", "13812345678"),
        ("0086 138 1234 5678", "0086 138 1234 5678", "13812345678"),  # dialled from abroad
        ("0438-1234567", "0438-1234567", "04381234567"),
        ("(0438)1234567", "(0438)1234567", "04381234567"),
        ("+86 0438-1234567", "+86 0438-1234567", "04381234567"),
    ],
)
def test_a_phone_is_kept_as_written_and_matched_by_its_digits(typed: str, kept: str, digits: str) -> None:
    assert phone(typed) == kept
    assert phone_digits(kept) == digits


@pytest.mark.parametrize(
    "typed",
    [
        "1381234567",
        "138123456789",
        "23812345678",
        "1381234567x",
        "13812345678\u202e",
        "138\x0012345678",
        "+1 138",
        "0086 1381234567",  # a digit short
        "0086 0438 1234567",  # a landline has no 0086 form here: 0438-1234567
        "١٣٨١٢٣٤٥٦٧٨",  # digits of another script: no one dials them
    ],
)
def test_a_phone_that_is_not_one_is_refused(typed: str) -> None:
    with pytest.raises(RegistryValueError) as refused:
        phone(typed)
    assert refused.value.code == "person.bad_phone"


@pytest.mark.parametrize(
    "typed", ["张\u200b三", "张三\u202e", "张\x00三", "张\ud800三", "张\x1b三", "\ufeff张三"]
)
def test_a_name_with_a_character_no_one_types_is_refused(typed: str) -> None:
    with pytest.raises(RegistryValueError) as refused:
        person_name(typed)
    assert refused.value.code == "person.bad_name"


def test_a_name_as_typed_is_kept() -> None:
    assert person_name(" 阿卜杜·热合曼 ") == "阿卜杜·热合曼"
    assert person_name("Ｌｉ Ｍｉｎｇ") == "Li Ming"
