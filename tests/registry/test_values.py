"""Resident ID numbers as the registry reads them (registry/values.id_number): a number typed
plainly takes a quick path past python-stdnum's compact(), and must be read exactly as the
slow path reads it; every mistake is named."""

from __future__ import annotations

from datetime import date

import pytest

from sopflow.registry.values import IdFacts, RegistryValueError, id_number

TODAY = date(2020, 2, 1)


@pytest.mark.parametrize(
    ("typed", "facts"),
    [
        ("220721198503120045", IdFacts("220721198503120045", "female", date(1985, 3, 12))),
        ("220721198503120010", IdFacts("220721198503120010", "male", date(1985, 3, 12))),
        ("22072119920101003x", IdFacts("22072119920101003X", "male", date(1992, 1, 1))),  # x is X
        ("２２０７２１１９８５０３１２００４５", IdFacts("220721198503120045", "female", date(1985, 3, 12))),
    ],
)
def test_a_number_is_read_with_what_it_says(typed: str, facts: IdFacts) -> None:
    assert id_number(typed, TODAY) == facts


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("22072119850312004", "id.length"),
        ("220721 19850312 0045", "id.length"),  # python-stdnum's compact() keeps the spaces
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
