"""Issue 12.4: look-alike and spoofed names. Unicode format characters (Cf) are refused wherever
control characters are; `system` is reserved case-insensitively after confusable folding, and so is
the `case ` prefix (the actor of a signal from a child case)."""

from __future__ import annotations

import unicodedata

import pytest

from sopflow import CaseError, Engine

# zero-width space, word joiner, byte order mark, right-to-left override, soft hyphen
FORMAT_CHARACTERS = ["\u200b", "\u2060", "\ufeff", "\u202e", "\u00ad"]
IDS = {f"U+{ord(c):04X}": c for c in FORMAT_CHARACTERS}


@pytest.mark.parametrize("char", IDS.values(), ids=IDS.keys())
def test_a_case_id_with_a_format_character_is_refused(local_engine: Engine, char: str) -> None:
    with pytest.raises(CaseError):
        local_engine.start("watch", f"QG-0001{char}", {}, actor="王芳", role="nurse")


def test_no_two_cases_display_alike(local_engine: Engine) -> None:
    local_engine.start("watch", "QG-0001", {}, actor="王芳", role="nurse")
    for char in FORMAT_CHARACTERS:
        try:
            local_engine.start("watch", f"QG-{char}0001", {}, actor="王芳", role="nurse")
        except CaseError:
            continue
    shown = ["".join(c for c in case.id if unicodedata.category(c) != "Cf") for case in local_engine.cases()]
    assert len(shown) == len(set(shown)), shown


@pytest.mark.parametrize("char", IDS.values(), ids=IDS.keys())
def test_a_place_with_a_format_character_is_refused(local_engine: Engine, char: str) -> None:
    with pytest.raises(CaseError):
        local_engine.start("watch", "QG-0001", {}, actor="王芳", role="nurse", place=f"前郭镇{char}/东风社区")


SPOOFED_ACTORS = {
    "System": "System",
    "SYSTEM": "SYSTEM",
    "cyrillic-u": "s\u0443stem",  # sуstem
    "cyrillic-e": "syst\u0435m",  # systеm
    "case-prefix": "case QG-0001",
    "case-prefix-upper": "Case QG-0001",
    "rlo-first": "\u202e王芳",
    "zwsp-system": "sys\u200btem",
}


@pytest.mark.parametrize("actor", SPOOFED_ACTORS.values(), ids=SPOOFED_ACTORS.keys())
def test_a_spoofed_actor_is_refused(local_engine: Engine, actor: str) -> None:
    local_engine.start("watch", "QG-0001", {}, actor="王芳", role="nurse")
    with pytest.raises(CaseError):
        local_engine.start("watch", "QG-0002", {}, actor=actor, role="nurse")
    with pytest.raises(CaseError):
        local_engine.fire("QG-0001", "reading", actor=actor, role="nurse", data={"temperature": "36.6"})
    assert [e.actor for e in local_engine.case("QG-0001").history] == ["王芳"]


@pytest.mark.parametrize("actor", ["system", "ｓｙｓｔｅｍ", " system "])
def test_system_itself_stays_refused(local_engine: Engine, actor: str) -> None:
    with pytest.raises(CaseError):
        local_engine.start("watch", "QG-0001", {}, actor=actor, role="nurse")


@pytest.mark.parametrize("actor", ["王芳", "Systematic Sam", "caseworker Li", "Sam Case", "Zoë"])
def test_ordinary_names_are_taken(local_engine: Engine, actor: str) -> None:
    case = local_engine.start("watch", "QG-0001", {}, actor=actor, role="nurse")
    assert case.history[0].actor == actor


def test_a_note_with_a_direction_override_is_refused(local_engine: Engine) -> None:
    with pytest.raises(CaseError):
        local_engine.start("watch", "QG-0001", {}, actor="王芳", role="nurse", note="\u202e回访正常")


def test_a_role_with_a_format_character_is_refused_as_such(local_engine: Engine) -> None:
    """Refused today too, but as an unknown role; it should be refused for the character."""
    with pytest.raises(CaseError) as refused:
        local_engine.start("watch", "QG-0001", {}, actor="王芳", role="nurse\u200b")
    assert refused.value.code != "case.unknown_role"
