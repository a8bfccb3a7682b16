"""Masking personal data in lists, charts and reports: enough left to recognise, not to misuse."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sopflow.language.model import FieldSpec, FieldType


def mask_text(value: str) -> str:
    """张三丰 -> 张**; 13812345678 -> 138****5678; 220721198503120045 -> 220721********0045."""
    if len(value) >= 15 and value[:6].isdigit():  # an ID number: keep the place code and the end
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    if len(value) >= 7 and value.isdigit():  # a phone number
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    if len(value) > 8:  # an address: the first part (town, compound) only
        return value[:6] + "***"
    return value[:1] + "*" * max(len(value) - 1, 1)


def mask_actor(actor: str, *, show_personal: bool) -> str:
    """Who did something: staff names are personal data too; the system is not a person."""
    return actor if show_personal or actor == "system" else mask_text(actor)


def mask_value(spec: FieldSpec | None, value: Any) -> Any:
    if spec is None or not spec.personal or value is None:
        return value
    if spec.type in (FieldType.TEXT, FieldType.ID_NUMBER):
        return mask_text(str(value))
    return "***"


def masked(
    fields: Mapping[str, FieldSpec], data: Mapping[str, Any], *, show_personal: bool
) -> dict[str, Any]:
    """The case data with personal fields masked unless the reader asked to see them."""
    if show_personal:
        return dict(data)
    return {name: mask_value(fields.get(name), value) for name, value in data.items()}
