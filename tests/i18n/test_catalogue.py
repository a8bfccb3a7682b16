"""The one catalogue: every code the source uses is in it, every code in it is used, both languages
fill the same values, messages say what to do, and a third language is a file and nothing else."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from sopflow import CaseStatus, EventKind, StepKind
from sopflow.cases.records import CANCELLED, MERGED
from sopflow.errors import CaseError, StoreError
from sopflow.i18n import CATALOGUE, Catalogue, InLanguages, Phrase, UnknownText, duration_words, say
from sopflow.language.model import FieldType
from sopflow.registry.places import PlaceKind

PACKAGE = Path(__file__).parents[2] / "sopflow"
TEXTS = PACKAGE / "i18n" / "texts"
ENGLISH = CATALOGUE.texts("en")
CODES = sorted(ENGLISH)
PREFIXES = sorted({code.split(".")[0] for code in CODES})
LITERAL = re.compile(r"""["']([a-z_][A-Za-z0-9_.]*)["']""")
# Codes built in the source from a prefix and a value (f"kind.{step.kind}"): every prefix the
# source builds must be listed here with the values it can take, so a new one cannot go unchecked.
DYNAMIC = {
    "kind.": [kind.value for kind in StepKind],
    "type.": [kind.value for kind in FieldType],
    "unit.": ["person", "household", "dwelling", "request"],
    "source.": list("ASKI"),
    "due.": ["deadline", "check", "timer"],
    "due.kind.": ["deadline", "check", "timer", "alert"],
    "alert.kind.": ["signal", "undelivered", "late_entry"],
    "view.due.": ["deadline", "check", "timer"],
    "event.": [kind.value for kind in EventKind if kind.value not in ("start", "child_end", "end")]
    + ["alert_late"],
    "status.": [status.value for status in CaseStatus],
    "cond.": [
        *("eq", "ne", "in", "notin", "defined", "undefined", "none", "days_since", "hours_since", "valid_id"),
        *("missed_checks", "checks_done", "hours_since_check", "visits"),
        *("children", "children_open", "children_ended"),
    ],
    "span.": ["days", "hours", "minutes"],
    "outcome.": [CANCELLED, MERGED],
    "what.": ["note", "place", "actor", "role", "worker", "amend", "move", "assign", "merge", "cancel"],
    "named.": ["role", "step", "action", "outcome", "field", "choice", "flow"],
    "db.status.": ["current", "old", "new", "newer"],
    "verify.part.": ["history"],
    "column.": [
        *(kind.value for kind in PlaceKind),
        *("name", "id_number", "phone", "sex", "birth_date", "household", "address", "problem"),
        *("case", "place", "date", "slot", "time", "temperature", "symptoms", "recorded_by"),
        *("flow", "step", "status", "worker", "due", "overdue", "last_check", "updated_at"),
    ],
    "count.": [*(kind.value for kind in PlaceKind), "households", "people"],
    "sex.": ["male", "female"],
    "value_kind.": ["string", "object", "array", "number", "integer", "boolean", "null", "other"],
}
NOT_CODES = {
    "flow.schema.json",
    "handbook.html.j2",
    "case_sheet.html.j2",
    "report.html.j2",
    "worklist.html.j2",
}  # file names, not texts
BUILT = re.compile(r"""(?:f["']|["'])([a-z_]+(?:\.[a-z_]+)*\.)(?:\{|["']\s*\+)""")


def _sources() -> list[Path]:
    return [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.j2")]


def _literals() -> set[str]:
    found: set[str] = set()
    for path in _sources():
        found |= set(LITERAL.findall(path.read_text("utf-8")))
    return {code for code in found if code in ENGLISH or _looks_like_a_code(code)} - NOT_CODES


def _looks_like_a_code(text: str) -> bool:
    return "." in text and text.split(".", maxsplit=1)[0] in PREFIXES and not text.endswith(".")


def test_every_code_the_source_names_is_in_the_catalogue() -> None:
    missing = {code for code in _literals() if code not in ENGLISH and f"{code}." not in DYNAMIC}
    assert not missing


def test_every_code_built_from_a_value_is_listed_with_its_values() -> None:
    built = {
        prefix
        for path in _sources()
        for prefix in BUILT.findall(path.read_text("utf-8"))
        if prefix.split(".")[0] in PREFIXES
    }
    assert built <= set(DYNAMIC), built - set(DYNAMIC)
    missing = [prefix + value for prefix, values in DYNAMIC.items() for value in values]
    assert [code for code in missing if code not in ENGLISH] == []


def test_every_code_in_the_catalogue_is_used() -> None:
    used = _literals() | {prefix + value for prefix, values in DYNAMIC.items() for value in values}
    unused = [code for code in CODES if code not in used and code.removesuffix(".one") not in used]
    assert unused == []


@pytest.mark.parametrize("lang", ["zh"])
def test_every_language_has_every_code_with_the_same_values(lang: str) -> None:
    texts = CATALOGUE.texts(lang)
    assert sorted(set(ENGLISH) - set(texts) - {c for c in ENGLISH if c.endswith(".one")}) == []
    assert sorted(set(texts) - set(ENGLISH)) == []
    different = [c for c in texts if CATALOGUE.fields(c, lang) != CATALOGUE.fields(c, "en")]
    assert different == []


# Parts of messages (a Phrase put into another message): they say what, not what to do.
MESSAGE_PREFIXES = (
    "yaml|file|schema|end|text|name|field|ref|duration|guard|decision|timer|subflow|step|graph|"
    "wait|action|signal|flow|case|value|engine|store|option|filter|catalog|hook|render|cli|"
    "spreadsheet|import|place|id|person"
)
MESSAGES = [
    code
    for code in CODES
    if re.match(rf"(?:{MESSAGE_PREFIXES})\.", code)
    and ".reason." not in code
    and ".run." not in code
    and not code.startswith("render.too_big.")
]
QUOTING = {"case.guard_error": {"detail": Phrase("guard.run.missing", name="x")}}
NOT_ADVICE = {
    "render.done",
    "render.case_done",
    "render.too_big",
    "cli.handbook_written",
    "cli.sheet_written",
}


@pytest.mark.parametrize("code", [c for c in MESSAGES if c not in NOT_ADVICE and not c.endswith(".one")])
def test_messages_say_what_to_do(code: str) -> None:
    values: dict[str, object] = dict.fromkeys(CATALOGUE.fields(code, "en") - {"did_you_mean"}, "x")
    values.update(QUOTING.get(code, {}))
    assert " — " in say(code, "en", **values)
    assert " — " in say(code, "zh", **values)


def test_an_unknown_code_is_one_error() -> None:
    with pytest.raises(UnknownText, match=r"no\.such"):
        say("no.such", "en")
    with pytest.raises(UnknownText):
        say("no.such", "zh")


def test_a_value_named_lang_or_code_can_be_filled_in() -> None:
    assert "'mn'" in say("option.lang_not_in_flow", "en", lang="mn", flow="f", languages="zh, en")


def test_suggestions_and_kinds_of_value_are_put_into_the_readers_language() -> None:
    assert "did you mean 'verify'?" in say("ref.step", "en", name="verfy", suggestion="verify")
    assert "是否应为 'verify'" in say("ref.step", "zh", name="verfy", suggestion="verify")
    typed = say("schema.type_list", "zh", expected_type=("array",), actual_type="string")
    assert typed.startswith("这里应是列表，实际是文字")


def test_a_value_in_several_languages_follows_the_message() -> None:
    roles = InLanguages({"zh": "grid_worker (网格员)", "en": "grid_worker (Grid worker)"})
    refused = CaseError("case.role_not_allowed", case="R-1", action="sorted", role="volunteer", roles=roles)
    assert "it is for: grid_worker (Grid worker) (--role" in refused.message("en")
    assert "可执行的角色：grid_worker (网格员)" in refused.message("zh")
    assert "网格员" not in str(refused)  # str() of a library error is the English message
    only_chinese = InLanguages({"zh": "网格员"}, fallback="zh")
    assert say("ref.role", "en", name=only_chinese).startswith("no role named '网格员'")


def test_a_store_that_cannot_be_used_is_told_as_a_file_or_a_server() -> None:
    on_file = StoreError("store.unavailable", url="sqlite:////srv/county.db", detail="unable to open")
    assert on_file.message("en").startswith("the case store /srv/county.db cannot be opened (unable to open)")
    assert "folder" in str(on_file) and "running" not in str(on_file)
    on_server = StoreError("store.unavailable", url="postgresql://sopflow@db/county", detail="refused")
    assert "the database is running" in on_server.message("en")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_examples_of_texts_in_messages_are_valid_yaml(lang: str) -> None:
    example = re.search(r"\{\{(.*?)\}\}", CATALOGUE.template("schema.text", lang))
    assert example
    assert yaml.safe_load("{" + example.group(1) + "}") == {"zh": "登记", "en": "Register"}


@pytest.mark.parametrize(
    ("value", "en", "zh"),
    [
        (timedelta(days=14), "14 days", "14 天"),
        (timedelta(days=1, hours=12), "1 day 12 hours", "1 天 12 小时"),
        (timedelta(hours=1, minutes=30), "1 hour 30 minutes", "1 小时 30 分钟"),
        (timedelta(minutes=1), "1 minute", "1 分钟"),
        (timedelta(0), "0 minutes", "0 分钟"),
    ],
)
def test_durations_in_words(value: timedelta, en: str, zh: str) -> None:
    assert (duration_words(value, "en"), duration_words(value, "zh"), duration_words(value, "mn")) == (
        en,
        zh,
        en,
    )


def test_counts_of_one_are_singular_in_english_and_need_no_twin_in_chinese() -> None:
    assert say("view.count", "en", count=1) == "1 case"
    assert say("view.count", "en", count=2) == "2 cases"
    assert say("tick.count", "en", count=1) == "1 case moved"
    assert say("paths.summary", "en", count=1, outcomes="done") == "1 path; outcome reached: done"
    assert say("view.count", "zh", count=1) == "共 1 件"


MONGOLIAN = """\
# A third language: a file beside en.toml and zh.toml, and nothing else.
"view.count" = "{count} хэрэг"
"span.days" = "{count} хоног"
"aside" = " ({text})"
"""


@pytest.fixture
def with_mongolian(tmp_path: Path) -> Catalogue:
    folder = tmp_path / "texts"
    shutil.copytree(TEXTS, folder)
    (folder / "mn.toml").write_text(MONGOLIAN, "utf-8")
    return Catalogue(folder)


def test_a_third_language_is_a_new_file(with_mongolian: Catalogue) -> None:
    assert with_mongolian.languages == ("en", "mn", "zh")
    assert with_mongolian.say("view.count", "mn", count=3) == "3 хэрэг"
    assert with_mongolian.say("view.count", "mn", count=1) == "1 хэрэг"  # no English twin borrowed
    # a code the new file lacks falls back to English, the base
    assert with_mongolian.say("tick.count", "mn", count=2) == "2 cases moved"
    assert with_mongolian.say("show.roles", "mn") == "Roles:"


def test_the_installed_languages_are_the_files() -> None:
    assert CATALOGUE.languages == tuple(
        ["en", *sorted(p.stem for p in TEXTS.glob("*.toml") if p.stem != "en")]
    )


def test_no_language_is_named_in_code_outside_the_catalogue() -> None:
    branches = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in PACKAGE.rglob("*.py")
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if re.search(r"""[!=]= ["']zh["']|["']zh["'] (?:if|in)|lang == ["']""", line)
    ]
    assert branches == []
