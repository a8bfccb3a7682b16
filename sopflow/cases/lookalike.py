"""Whether a person's name imitates one sopflow writes in a history itself: `system` (decisions,
timers) and `case <id>` (a signal from a child case). A history must not let anyone pass for
either, so names are compared as they look, not as they are spelt: after NFKC (full-width
letters), case folding (`System`), dropping invisible format characters, and folding each
letter that looks like a Latin letter or digit (Cyrillic `у` in `sуstem`) to that letter, as
Unicode's confusables list (UTS #39) says. The list comes with confusable-homoglyphs."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

SYSTEM = "system"  # the actor of what the engine does by itself
CASE_PREFIX = "case "  # the actor of a signal: "case QG-0001.1"


def imitates_system(name: str) -> bool:
    """True for `system`, `SYSTEM`, `sуstem` (Cyrillic у), `case QG-0001`, `Ｃａｓｅ QG-0001`..."""
    if len(_visible(name)) < len(CASE_PREFIX):  # 王芳: too short to look like either
        return False
    looks = skeleton(name)
    return looks == SYSTEM or looks.startswith(CASE_PREFIX)


def skeleton(text: str) -> str:
    """`text` as it looks: compatibility-normalised, case-folded, without format characters, each
    character that is confusable with an ASCII letter or digit replaced by it."""
    return "".join(c if c.isascii() else _ascii_twin(c) for c in _visible(text))


def _visible(text: str) -> str:
    """`text` compatibility-normalised and case-folded, without format characters. Its skeleton
    has as many characters (each is replaced by one)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    visible = "".join(c for c in folded if unicodedata.category(c) != "Cf")
    return unicodedata.normalize("NFKC", visible)


@lru_cache(maxsize=4096)
def _ascii_twin(char: str) -> str:
    """The ASCII letter or digit `char` is confusable with (the first, in order), else `char`.
    The list is loaded on first use (it takes longer to load than a short name takes to check)."""
    from confusable_homoglyphs import confusables  # noqa: PLC0415 - see the docstring

    found = confusables.is_confusable(char, greedy=True, preferred_aliases=[])
    twins = sorted(
        glyph["c"].lower()
        for entry in found or []
        for glyph in entry["homoglyphs"]
        if len(glyph["c"]) == 1 and glyph["c"].isascii() and glyph["c"].isalnum()
    )
    return twins[0] if twins else char
