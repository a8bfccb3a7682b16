"""Resident ID numbers (GB 11643): whether one passes, for the field parser and for the guard
function `valid_id(field)` (issue 11, C14: an ID number kept as seen on the card, even when it
fails the check, so that a three-check visit keeps its evidence and a rule can ask about it).

python-stdnum does each check; its `validate` also rejects place codes missing from its GB/T 2260
table, but abolished county codes stay valid on old cards, so that one is skipped. (Imported when
first needed: python-stdnum loads pydoc and ssl, which a command that takes no ID number should
not wait for.)
"""

from __future__ import annotations

from datetime import date


def compact_id(raw: object) -> str:
    """An ID number as stored: spaces and separators dropped, the check character upper case."""
    from stdnum.cn import ric  # noqa: PLC0415 - see the module's docstring

    return "".join(str(ric.compact(str(raw))).split()).upper()


def id_number_valid(number: str, today: date) -> bool:
    """Whether `number` (compacted) passes GB 11643: 18 characters, 17 digits, a real birth date
    not after `today`, the MOD 11-2 check character."""
    from stdnum.cn import ric  # noqa: PLC0415
    from stdnum.exceptions import ValidationError as StdnumError  # noqa: PLC0415

    try:
        if len(number) != 18 or not number[:17].isdigit() or ric.calc_check_digit(number) != number[-1]:
            return False
        return bool(ric.get_birth_date(number) <= today)
    except StdnumError:
        return False
