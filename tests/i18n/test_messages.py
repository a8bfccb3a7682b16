"""The message catalogue: every code the code can raise has Chinese and English, alike in values."""

from __future__ import annotations

import re
import string
from datetime import timedelta
from pathlib import Path

import pytest

from sopflow.errors import CaseError, StoreError
from sopflow.i18n import InLanguages
from sopflow.i18n.messages import MESSAGES, Phrase, render_message
from sopflow.i18n.ui import UI, duration_words, ui
from sopflow.render.words import PAGE_WORDS

PACKAGE = Path(__file__).parents[2] / "sopflow"
PREFIXES = (
    "yaml|file|schema|end|text|name|field|ref|duration|guard|decision|timer|subflow|step|graph|"
    "wait|action|signal|flow|case|value|engine|store|option|filter|catalog"
)
CODE = re.compile(rf'"((?:{PREFIXES})\.[a-z_]+)"')


def _codes_in_source() -> set[str]:
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if path.name != "messages.py":
            found |= set(CODE.findall(path.read_text("utf-8")))
    return found


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_code_raised_has_a_message() -> None:
    missing = _codes_in_source() - set(MESSAGES) - set(UI) - set(PAGE_WORDS)
    assert not missing


# Parts of messages (a Phrase put into another message): they say what, not what to do.
FRAGMENTS = {code for code in MESSAGES if ".reason." in code}
# Messages whose 'what to do' comes with the Phrase they quote.
QUOTING = {"case.guard_error": {"detail": Phrase("guard.run.missing", name="x")}}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_both_languages_use_the_same_values_and_say_what_to_do(code: str) -> None:
    english, chinese = MESSAGES[code]
    assert _fields(english) == _fields(chinese)
    if code in FRAGMENTS:
        return
    values: dict[str, object] = dict.fromkeys(_fields(english) - {"did_you_mean"}, "x")
    values.update(QUOTING.get(code, {}))
    assert " — " in render_message(code, values, "en")
    assert " — " in render_message(code, values, "zh")


@pytest.mark.parametrize("code", sorted(UI))
def test_ui_words_exist_in_both_languages(code: str) -> None:
    english, chinese = UI[code]
    assert english and chinese and _fields(english) == _fields(chinese)


def test_suggestions_and_type_words_are_put_into_the_readers_language() -> None:
    params = {"name": "verfy", "suggestion": "verify"}
    assert "did you mean 'verify'?" in render_message("ref.step", params, "en")
    assert "是否应为 'verify'" in render_message("ref.step", params, "zh")
    typed = {"expected_type": ("array",), "actual_type": "string"}
    assert render_message("schema.type_list", typed, "zh").startswith("这里应是列表，实际是文字")


def test_a_value_in_several_languages_follows_the_message() -> None:
    roles = InLanguages({"zh": "grid_worker (网格员)", "en": "grid_worker (Grid worker)"})
    refused = CaseError("case.role_not_allowed", case="R-1", action="sorted", role="volunteer", roles=roles)
    assert "it is for: grid_worker (Grid worker) (--role" in refused.message("en")
    assert "可执行的角色：grid_worker (网格员)" in refused.message("zh")
    assert "网格员" not in str(refused)  # str() of a library error is the English message
    only_chinese = InLanguages({"zh": "网格员"}, fallback="zh")
    assert render_message("ref.role", {"name": only_chinese}, "en").startswith("no role named '网格员'")


def test_a_store_that_cannot_be_used_is_told_as_a_file_or_a_server() -> None:
    on_file = StoreError("store.unavailable", url="sqlite:////srv/county.db", detail="unable to open")
    assert on_file.message("en").startswith("the case store /srv/county.db cannot be opened (unable to open)")
    assert "folder" in str(on_file) and "running" not in str(on_file)
    on_server = StoreError("store.unavailable", url="postgresql://sopflow@db/county", detail="refused")
    assert "the database is running" in on_server.message("en")


def test_examples_of_texts_in_messages_are_valid_yaml() -> None:
    import yaml  # noqa: PLC0415

    for code in ("schema.text",):
        for template in MESSAGES[code]:
            example = re.search(r"\{\{(.*?)\}\}", template)
            assert example, template
            assert yaml.safe_load("{" + example.group(1) + "}") == {"zh": "登记", "en": "Register"}


@pytest.mark.parametrize(
    ("value", "en", "zh"),
    [
        (timedelta(days=14), "14 days", "14 天"),
        (timedelta(days=1, hours=12), "1 day 12 hours", "1 天 12 小时"),
        (timedelta(hours=1, minutes=30), "1 hour 30 minutes", "1 小时 30 分钟"),
        (timedelta(minutes=1), "1 minute", "1 分钟"),
    ],
)
def test_durations_in_words(value: timedelta, en: str, zh: str) -> None:
    assert (duration_words(value, "en"), duration_words(value, "zh"), duration_words(value, "mn")) == (
        en,
        zh,
        en,
    )


def test_counts_of_one_are_singular() -> None:
    assert ui("case.count", "en", count=1) == "1 case"
    assert ui("case.count", "en", count=2) == "2 cases"
    assert ui("tick.count", "en", count=1) == "1 case moved"
    assert ui("paths.summary", "en", count=1, outcomes="done") == "1 path; outcome reached: done"
