"""Checked values of the registry, and the error a value that does not fit raises."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sopflow.cases.inputs import has_control, tidy

MAX_PERSON_NAME = 50
# 2.20721E+17: an ID number Excel held as a number and wrote in scientific notation, its last
# digits gone (a CSV saved from such a sheet)
_EXCEL_NUMBER = re.compile(r"\d(?:\.\d+)?E\+\d+")
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
    # a number as most are typed needs none of compact()'s work (a third of an import's check);
    # spaces inside (220721 19850312 0045) are dropped, as a case's ID number field drops them
    number = text.upper() if _PLAIN_ID.fullmatch(text) else "".join(ric.compact(text).split()).upper()
    if _EXCEL_NUMBER.fullmatch(number):
        raise RegistryValueError("id.scientific", value=raw)
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
    spaces, '-', '()' and a leading +86 (0086 before a mobile) are allowed between the digits."""
    text = tidy(raw)
    if _PLAIN_MOBILE.fullmatch(text):  # as most are typed: none of the work below
        return text
    if not set(text) <= _PHONE_CHARACTERS or _number(text) is None:
        raise RegistryValueError("person.bad_phone", value=raw)
    return text


def phone_digits(text: str) -> str:
    """The number a phone (as `phone` kept it) is, in digits, which the registry matches phones
    by while it keeps them as written: 138 1234 5678, 138-1234-5678, +86 138 1234 5678 and
    0086 13812345678 are 13812345678; 0438-1234567 and (0438)1234567 are 04381234567."""
    if _PLAIN_MOBILE.fullmatch(text):
        return text
    number = _number(tidy(text))
    if number is None:
        raise RegistryValueError("person.bad_phone", value=text)
    return number


_PHONE_CHARACTERS = frozenset("0123456789 -+()")


def _number(text: str) -> str | None:
    """The digits of a mobile or a landline with its area code, without a country code; None if
    the text is neither."""
    digits = "".join(c for c in text if c in _DIGITS)
    if text.startswith("+") and digits.startswith("86"):
        digits = digits[2:]
    elif digits.startswith("0086") and len(digits) == 15 and digits[4] == "1":  # a mobile dialled from abroad
        digits = digits[4:]
    mobile = len(digits) == 11 and digits.startswith("1")
    landline = 10 <= len(digits) <= 12 and digits.startswith("0")
    return digits if mobile or landline else None


_DIGITS = frozenset("0123456789")
