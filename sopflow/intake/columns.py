"""A file's headers matched to what an import takes: an id (full_name), a label in any language
(姓名, Name) or a name staff commonly use (身份证号码, 手机号). A header nothing takes is refused
with a did-you-mean; so is a column given twice."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sopflow.i18n import say, ui_languages
from sopflow.intake.problems import RowProblem
from sopflow.language.names import suggest

PROBLEM = "problem"  # the column a reject file adds; taken (and ignored) on re-import


@dataclass(frozen=True)
class Column:
    """What an import takes: `id`, and every header that means it (compared without case, spaces
    or full-width forms)."""

    id: str
    names: tuple[str, ...]
    required: bool = False


def key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def column(code: str, *aliases: str, required: bool = False) -> Column:
    """A column named by the catalogue's `column.<code>` in every language, and `aliases`."""
    labels = [say(f"column.{code}", lang) for lang in ui_languages()]
    return Column(code, tuple(dict.fromkeys([*labels, *aliases])), required)


def problem_column() -> Column:
    return column(PROBLEM)


def match_header(
    header: Sequence[str], columns: Iterable[Column], row: int
) -> tuple[dict[int, str], list[RowProblem]]:
    """Each header's column id by position (empty headers are skipped), and the problems: unknown
    headers, a column given twice, a required column missing."""
    known = [*columns, problem_column()]
    by_key = {key(name): c.id for c in known for name in (c.id, *c.names)}
    spellings = sorted({name for c in known for name in (c.id, *c.names)})
    found: dict[int, str] = {}
    problems = []
    for index, title in enumerate(header):
        if not title:
            continue
        column_id = by_key.get(key(title))
        if column_id is None:
            problems.append(
                RowProblem(row, title, "import.unknown_column", {"suggestion": suggest(title, spellings)})
            )
        elif column_id in found.values():
            problems.append(RowProblem(row, title, "import.column_twice", {}))
        else:
            found[index] = column_id
    for missing in (c for c in known if c.required and c.id not in found.values()):
        problems.append(RowProblem(row, missing.names[0], "import.missing_column", {}))
    return found, problems
