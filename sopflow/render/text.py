"""How wide chart text prints, and where it may break into lines (Chinese and English).

The widths are Noto Sans CJK SC Bold's own advance widths, so that the title block can be wrapped
to the paper before `dot` lays it out (bold is a little wider than regular: estimates err on the
wide side). Line breaking follows the usual Chinese rules: between any two Chinese characters, at
spaces in other text, but never before closing punctuation (，。）」…) nor after opening punctuation
(（「“); a word too long for a line is cut.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence

# Advance widths of printable ASCII (space to ~) in hundredths of an em, Noto Sans CJK SC Bold.
_ASCII_WIDTHS = (
    "23 37 58 59 59 97 74 33 38 38 51 59 33 37 33 39 59 59 59 59 59 59 59 59 59 59 33 33 59 59 59 52 "
    "101 65 69 66 72 62 59 72 76 33 57 69 58 86 75 77 67 77 69 63 63 75 62 92 63 58 62 38 39 38 59 57 "
    "63 60 65 53 65 59 38 60 64 31 31 61 32 97 65 63 65 65 44 50 43 64 58 87 57 58 52 38 30 38 59"
)
_ASCII_EM = {chr(32 + i): int(w) / 100 for i, w in enumerate(_ASCII_WIDTHS.split())}
_LATIN_EM = 0.7  # accented Latin letters (é, ü, ...)
_WIDE_EM = 1.0  # Chinese, full-width punctuation, and symbols such as · → ↻ ℃ in this font

# Never at the start of a line (they close what comes before) ...
CLOSING = frozenset("）」』】〕〉》〗〙〛，。、：；！？…—’”·％‰～)]}>,.:;!?%")
# ... and never at the end of one (they open what comes after, as the signs ↻ → ← do).
OPENING = frozenset("（「『【〔〈《〖〘〚‘“([{<↻→←")

LINE_HEIGHT = 1.4  # a line of text takes about 1.4 times its point size (Noto Sans CJK)


def char_em(char: str) -> float:
    """A character's width in ems: ASCII measured; Chinese, Japanese, Korean (East Asian wide and
    full-width) and signs one em; letters of any other script (accented Latin, Cyrillic,
    Mongolian) like a Latin letter, so that their words are kept whole, not broken between letters."""
    if char in _ASCII_EM:
        return _ASCII_EM[char]
    if unicodedata.east_asian_width(char) in ("W", "F") or unicodedata.category(char)[0] not in "LM":
        return _WIDE_EM  # CJK, and the signs a CJK font draws one em wide (→ ↻ ℃ ·)
    return _LATIN_EM


def width_pt(text: str, font_pt: float) -> float:
    """How wide `text` prints on one line at `font_pt` points."""
    return sum(char_em(char) for char in text) * font_pt


def _is_wide(char: str) -> bool:
    return char_em(char) == _WIDE_EM


def _pieces(text: str, keep: Sequence[str] = ()) -> list[str]:
    """The text cut where lines may break: each Chinese character on its own, a run of other
    characters as one word, each space on its own; punctuation kept with the neighbour it belongs
    to; each phrase of `keep` found in the text (a time limit: "时限 1 天") as one word."""
    kept = sorted((k for k in keep if k), key=len, reverse=True)
    pieces: list[str] = []
    at = 0
    while at < len(text):
        phrase = next((k for k in kept if text.startswith(k, at)), None)
        last = pieces[-1] if pieces else ""
        opened = bool(last.strip()) and last.rstrip()[-1] in OPENING  # "↻ " opens what follows
        if phrase is not None:
            if opened:
                pieces[-1] += phrase
            else:
                pieces.append(phrase)
            at += len(phrase)
            continue
        char = text[at]
        at += 1
        if char in CLOSING and last == " " and len(pieces) > 1:
            pieces[-2:] = [pieces[-2] + " " + char]  # "A ·" stays together: no line starts with "·"
        elif last and (
            char in CLOSING  # with what it closes
            or opened  # an opening mark with what it opens
            or (char != " " and last[-1] != " " and not _is_wide(char) and not _is_wide(last[-1]))
        ):
            pieces[-1] += char
        else:
            pieces.append(char)
    return pieces


def _cut(piece: str, font_pt: float, width: float) -> list[str]:
    """A word too long for a line, cut into parts that fit (an over-long line is worse)."""
    parts = [""]
    for char in piece:
        if parts[-1] and width_pt(parts[-1] + char, font_pt) > width:
            parts.append(char)
        else:
            parts[-1] += char
    return parts


def _greedy(pieces: list[str], width: float, font_pt: float) -> list[str]:
    """As many pieces on each line as fit."""
    lines: list[str] = []
    current = ""
    for piece in pieces:
        if current.strip() and width_pt(current + piece.rstrip(), font_pt) > width:
            lines.append(current.rstrip())
            current = piece.lstrip()
        else:
            current += piece
        if width_pt(current.rstrip(), font_pt) > width:  # one word wider than the line
            *whole, current = _cut(current.rstrip(), font_pt, width)
            lines += whole
    lines.append(current.rstrip())
    return [line for line in lines if line]


def _letters(line: str) -> int:
    """How many characters of `line` are more than punctuation or space."""
    return sum(1 for char in line if not char.isspace() and char not in CLOSING and char not in OPENING)


def _balanced(pieces: list[str], width: float, font_pt: float) -> list[str]:
    """The pieces on as few lines as fit `width`, but each line as short as that allows (the
    narrowest width giving no more lines, found by bisection), so that the last line is as full
    as the others: "观察期满 / （到时）", not "观察期满（到 / 时）"."""
    lines = _greedy(pieces, width, font_pt)
    narrow, wide = min(width, max(width_pt(p.strip(), font_pt) for p in pieces)), width
    while wide - narrow > 0.5:
        middle = (narrow + wide) / 2
        if len(_greedy(pieces, middle, font_pt)) <= len(lines):
            wide = middle
        else:
            narrow = middle
    return _greedy(pieces, wide, font_pt)


def wrap_lines(text: str, width: float, font_pt: float, keep: Sequence[str] = ()) -> list[str]:
    """`text` broken into lines at most `width` points wide at `font_pt` (where it can break; never
    inside a phrase of `keep` that fits a line). No line is left holding a single character
    ("测体温问症状异 / 常"): such a paragraph is broken into lines of even length instead."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        pieces = _pieces(paragraph, [k for k in keep if width_pt(k, font_pt) <= width])
        wrapped = _greedy(pieces, width, font_pt)
        if len(wrapped) > 1 and _letters(wrapped[-1]) <= 1:
            wrapped = _balanced(pieces, width, font_pt)
        lines += wrapped
    return lines


def box_width(
    text: str,
    font_pt: float,
    narrowest: float,
    widest: float,
    aspect: float = 1.0,
    *,
    keep: Sequence[str] = (),
) -> float:
    """The width to wrap a box's `text` to: `narrowest` for usual labels, so that boxes stay
    narrow; wider (up to `widest`) for a label long enough to make the text taller than `aspect`
    times narrower than wide, so that one long label does not make a box as tall as a page; and
    for a long word (an id), so that it is not cut."""
    square = math.sqrt(width_pt(text, font_pt) * font_pt * LINE_HEIGHT * aspect)
    longest_word = max((width_pt(piece.strip(), font_pt) for piece in _pieces(text, keep)), default=0.0)
    return max(narrowest, min(widest, max(square, longest_word)))


def wrap_box(
    text: str,
    font_pt: float,
    narrowest: float,
    widest: float,
    aspect: float = 1.0,
    *,
    keep: Sequence[str] = (),
) -> list[str]:
    """`text` wrapped for a box (a step, a legend cell, an arrow's label): see box_width."""
    width = box_width(text, font_pt, narrowest, widest, aspect, keep=keep)
    return wrap_lines(text, width, font_pt, keep)


def shortened(lines: list[str], most: int) -> list[str]:
    """The first `most` lines, the last of them ending in "…" if any were left out."""
    if len(lines) <= most:
        return lines
    return [*lines[: most - 1], lines[most - 1][:-1] + "…"]
