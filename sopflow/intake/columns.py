"""A file's headers matched to what an import takes: an id (full_name), a label in any language
(姓名, Name) or a name staff commonly use (身份证号码, 手机号). A header nothing takes is refused
(nothing typed may be dropped unread) with a did-you-mean and the columns the import takes, in the
reader's language; so is a column given twice, and a needed column missing is named in it too."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sopflow.i18n import InLanguages, say, ui_languages
from sopflow.i18n.languages import pick
from sopflow.intake.problems import RowProblem
from sopflow.language.names import suggest

PROBLEM = "problem"  # the column a reject file adds; taken (and ignored) on re-import


@dataclass(frozen=True)
class Column:
    """What an import takes: `id`, and every header that means it (compared without case, spaces
    or full-width forms); `labels`: its name by language, to name it to the reader."""

    id: str
    names: tuple[str, ...]
    required: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)

    def label(self, lang: str) -> str:
        return pick(self.labels, lang, "en") or self.id

    def named(self) -> InLanguages:
        """Its name in the language of the message it is put into."""
        return InLanguages({lang: self.label(lang) for lang in {*ui_languages(), *self.labels}})


def key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def column(code: str, *aliases: str, required: bool = False) -> Column:
    """A column named by the catalogue's `column.<code>` in every language, and `aliases`."""
    labels = {lang: say(f"column.{code}", lang) for lang in ui_languages()}
    return Column(code, tuple(dict.fromkeys([*labels.values(), *aliases])), required, labels)


def problem_column() -> Column:
    return column(PROBLEM)


def letter(index: int) -> str:
    """A column's letter as a spreadsheet shows it: 0 -> A, 25 -> Z, 26 -> AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def accepted(columns: Iterable[Column]) -> InLanguages:
    """The columns an import takes, by name, in the language of the message (姓名、身份证号、…)."""
    listed = [c for c in columns if c.id != PROBLEM]
    languages = {*ui_languages(), *(lang for c in listed for lang in c.labels)}
    return InLanguages(
        {lang: say("list.sep", lang).join(c.label(lang) for c in listed) for lang in languages}
    )


def match_header(
    header: Sequence[str], columns: Iterable[Column], row: int
) -> tuple[dict[int, str], list[RowProblem]]:
    """Each header's column id by position (empty headers are skipped), and the problems, each at
    its column's letter on the header row: unknown headers (with the columns the import takes), a
    column given twice, a required column missing (named in the reader's language)."""
    known = [*columns, problem_column()]
    by_key = {key(name): c for c in known for name in (c.id, *c.names)}
    spellings = sorted({name for c in known for name in (c.id, *c.names)})
    found: dict[int, str] = {}
    first: dict[str, int] = {}
    problems = []
    for index, title in enumerate(header):
        if not title:
            continue
        at = letter(index)
        matched = by_key.get(key(title))
        if matched is None:
            params = {"suggestion": suggest(title, spellings), "columns": accepted(known)}
            problems.append(RowProblem(row, title, "import.unknown_column", params, letter=at))
        elif matched.id in first:
            params = {"other": letter(first[matched.id]), "first": header[first[matched.id]]}
            problems.append(RowProblem(row, title, "import.column_twice", params, letter=at))
        else:
            found[index], first[matched.id] = matched.id, index
    for missing in (c for c in known if c.required and c.id not in found.values()):
        problems.append(
            RowProblem(row, None, "import.missing_column", {"column": missing.named()}, letter="")
        )
    return found, problems
