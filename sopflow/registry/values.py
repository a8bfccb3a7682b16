"""Checked values of the registry, and the error a value that does not fit raises."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sopflow.cases.inputs import has_control, tidy

MAX_PERSON_NAME = 50
_PLAIN_ID = re.compile(r"[0-9]{17}[0-9Xx]", re.ASCII)  # as most ID numbers are typed
_PLAIN_MOBILE = re.compile(r"1[0-9]{10}", re.ASCII)  # and most phone numbers


class RegistryValueError(ValueError):
    """A value that does not fit; `code` and `params` pick and fill the message (the row and
    column are added by whoever read it)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params: dict[str, Any] = params


@dataclass(frozen=True)
class IdFacts:
    """A resident ID number and what it says: sex (17th digit odd: male) and birth date."""

    number: str
    sex: str  # "male" | "female"
    birth_date: date


def id_number(raw: str, today: date) -> IdFacts:
    """GB 11643, checked with python-stdnum's cn.ric: 18 characters, 17 digits and a check
    character, a real birth date not after today, the MOD 11-2 check. Each failure says which
    (a digit typed wrong shows as a failed check). Its place-code table is not consulted: an
    abolished county's code stays valid on old cards. `x` is the check character X."""
    from stdnum.cn import ric  # noqa: PLC0415 - loads pydoc and ssl: only when a number is read

    text = tidy(raw)
    # a number as most are typed needs none of compact()'s work (a third of an import's check)
    number = text.upper() if _PLAIN_ID.fullmatch(text) else ric.compact(text).upper()
    if len(number) != 18:
        raise RegistryValueError("id.length", value=raw, count=len(number))
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise RegistryValueError("id.characters", value=raw)
    try:  # as ric.get_birth_date, which would compact the number again
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise RegistryValueError("id.birth_date", value=raw, date=number[6:14]) from None
    if born > today:
        raise RegistryValueError("id.birth_date", value=raw, date=number[6:14])
    if ric.calc_check_digit(number) != number[-1]:
        raise RegistryValueError("id.checksum", value=raw)
    return IdFacts(number, "male" if int(number[16]) % 2 else "female", born)


def person_name(raw: str) -> str:
    name = tidy(raw)
    if not name:
        raise RegistryValueError("person.no_name")
    if len(name) > MAX_PERSON_NAME or has_control(name):
        raise RegistryValueError("person.bad_name", value=raw, limit=MAX_PERSON_NAME)
    return name


def phone(raw: str) -> str:
    """A mobile (11 digits from 1) or a landline with its area code (0438-1234567), as written;
    spaces, '-' and a leading +86 are allowed between the digits."""
    text = tidy(raw)
    if _PLAIN_MOBILE.fullmatch(text):  # as most are typed: none of the work below
        return text
    digits = "".join(c for c in text if c.isdigit())
    allowed = all(c.isdigit() or c in " -+()" for c in text)
    if digits.startswith("86") and text.startswith("+"):
        digits = digits[2:]
    mobile = len(digits) == 11 and digits.startswith("1")
    landline = 10 <= len(digits) <= 12 and digits.startswith("0")
    if not allowed or not (mobile or landline):
        raise RegistryValueError("person.bad_phone", value=raw)
    return text
