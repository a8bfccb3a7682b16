"""Masking personal data in lists, charts and reports: enough left to recognise, not to misuse.

Every output that masks comes here: case data, history values and notes, who did what, a case's
place (a dwelling's door hidden: `…/1层/101` -> `…/1层/*`). A phone or
ID number is masked wherever it is written, inside any free text too (`赵干部13812345678` ->
`赵干部138****5678`, a note `电话13812345678`), not only in the fields marked personal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from sopflow.language.model import FieldSpec, FieldType

# A resident ID number (18 characters, or the old 15 digits) or a phone number (7 to 12 digits: a
# mobile, a landline with its area code; a mobile written 138-1234-5678 or 138 1234 5678), not
# inside a longer run of digits. \d takes full-width digits too: text is kept as typed.
_NUMBER = re.compile(
    r"(?<![\dA-Za-z])(?:\d{17}[\dXx]|\d{15}|1\d{2}[- ]\d{4}[- ]\d{4}|0\d{2,3}-\d{7,8}|\d{7,12})(?![\dA-Za-z])"
)


DOOR: Final = "door"  # the registry's kind of a dwelling (registry.places.PlaceKind.DOOR)
NO_KINDS: Final[Mapping[str, str]] = MappingProxyType({})
# The last level of a place the registry does not hold is a door when it reads as one: it ends
# with a number (501, A101, 3-2-501), a number and 号 or 室 (1号, 502室), or with 户 (东户).
_DOOR_NAME = re.compile(r"(?:\d[号室]?|户)$")


def _mask_number(number: str) -> str:
    """220721198503120045 -> 220721********0045 (place code and end kept); 13812345678 ->
    138****5678; 0438-1234567 -> 043*****4567: the separators are masked with the digits."""
    if len(number) >= 15 and number[:15].isdigit():
        return number[:6] + "*" * (len(number) - 10) + number[-4:]
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_numbers(text: str) -> str:
    """Free text with every phone and ID number in it masked; the rest as written."""
    return _NUMBER.sub(lambda found: _mask_number(found.group()), text)


def mask_text(value: str) -> str:
    """A personal text: 张三丰 -> 张**; 13812345678 -> 138****5678; 220721198503120045 ->
    220721********0045; an address -> its first part; a text with phone or ID numbers in it
    (a care team: 赵干部13812345678) -> those numbers masked."""
    if _NUMBER.fullmatch(value) or (len(value) >= 7 and value.isdigit()):
        return _mask_number(value)
    if _NUMBER.search(value):  # names with their phones: the numbers are what can be misused
        return mask_numbers(value)
    if len(value) > 8:  # an address: the first part (town, compound) only
        return value[:6] + "***"
    return value[:1] + "*" * max(len(value) - 1, 1)


def mask_actor(actor: str, *, show_personal: bool) -> str:
    """Who did something: staff names are personal data too; the system is not a person."""
    return actor if show_personal or actor == "system" else mask_text(actor)


def mask_value(spec: FieldSpec | None, value: Any) -> Any:
    """A value of case data as lists show it: personal fields masked, and phone and ID numbers
    masked in any other text."""
    if value is None:
        return value
    if spec is None or not spec.personal:
        return mask_numbers(value) if isinstance(value, str) else value
    if spec.type in (FieldType.TEXT, FieldType.ID_NUMBER):
        return mask_text(str(value))
    return "***"


def mask_note(note: str | None, *, show_personal: bool) -> str | None:
    """A note in a history: free text, its phone and ID numbers masked."""
    return note if note is None or show_personal else mask_numbers(note)


def masked(
    fields: Mapping[str, FieldSpec], data: Mapping[str, Any], *, show_personal: bool
) -> dict[str, Any]:
    """The case data with personal fields masked unless the reader asked to see them."""
    if show_personal:
        return dict(data)
    return {name: mask_value(fields.get(name), value) for name, value in data.items()}


def is_door(path: str, kinds: Mapping[str, str] = NO_KINDS) -> bool:
    """Whether a place is a dwelling's door: by its kind if the registry holds it (`kinds`: path
    -> kind, from store.registry.place_kinds), else by how its last level reads (101, 1号)."""
    kind = kinds.get(path)
    if kind is not None:
        return kind == DOOR
    head, _, last = path.rpartition("/")
    return bool(head) and _DOOR_NAME.search(last) is not None


def mask_place(path: str | None, kinds: Mapping[str, str] = NO_KINDS) -> str | None:
    """A case's place as lists show it: a door hidden behind `*`, the building or hamlet kept
    (…/1层/101 -> …/1层/*, 王家屯/1号 -> 王家屯/*); any other place as it is."""
    return mask_door(path) if path and is_door(path, kinds) else path


def mask_door(path: str) -> str:
    """A dwelling's path with its door hidden: …/1层/101 -> …/1层/*."""
    return path.rpartition("/")[0] + "/*" if "/" in path else path


def place_shown(path: str | None, kinds: Mapping[str, str] = NO_KINDS, *, show_personal: bool) -> str | None:
    """A case's place, its door masked unless the reader asked for personal data."""
    return path if show_personal else mask_place(path, kinds)
