"""Did-you-mean: the closest known name to a misspelt one."""

from __future__ import annotations

import difflib
from collections.abc import Collection


def suggest(word: str, candidates: Collection[str]) -> str:
    """The closest candidate to `word`, or '' when nothing is close enough to be a likely typo."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else ""
