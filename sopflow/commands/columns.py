"""Columns that line up on a terminal: widths counted as the terminal shows them (wcwidth), a
Chinese character taking two columns and a Latin letter one, so a table of mixed text lines up."""

from __future__ import annotations

from collections.abc import Sequence

from wcwidth import wcswidth, wcwidth


def width(text: str) -> int:
    """How many terminal columns `text` takes (a control character, which has no width, as 0)."""
    columns = wcswidth(text)
    return columns if columns >= 0 else sum(max(wcwidth(c), 0) for c in text)


def pad(text: str, columns: int, *, right: bool = False) -> str:
    """`text` padded with spaces to `columns` display columns (on the left if `right`)."""
    fill = " " * max(columns - width(text), 0)
    return fill + text if right else text + fill


def table(rows: Sequence[Sequence[str]], *, right: Sequence[int] = (), gap: str = "  ") -> list[str]:
    """Rows of cells as lines whose columns line up; the last column is not padded (it may be
    long), and a column's cells are right-aligned if its index is in `right` (numbers)."""
    if not rows:
        return []
    count = max(len(r) for r in rows)
    widths = [max((width(r[i]) for r in rows if i < len(r)), default=0) for i in range(count)]
    lines = []
    for row in rows:
        cells = [
            cell if i == len(row) - 1 and i not in right else pad(cell, widths[i], right=i in right)
            for i, cell in enumerate(row)
        ]
        lines.append(gap.join(cells).rstrip())
    return lines


_NO_LINE_START = frozenset("）」』】》，。、：；！？…’”)]},.:;!?%")  # closing marks stay with what they close


def wrap(text: str, columns: int) -> list[str]:
    """`text` in lines of at most `columns` display columns: broken between Chinese characters
    and at spaces in other text, never before a closing mark (，。）); a word longer than a line
    is cut."""
    pieces: list[str] = []
    for char in text:
        last = pieces[-1][-1] if pieces else ""
        joins = bool(last) and (
            (char in _NO_LINE_START and last != " ")  # with what it closes
            or (char != " " and last != " " and width(char) <= 1 and width(last) <= 1)  # a word
        )
        if joins:
            pieces[-1] += char
        else:
            pieces.append(char)
    lines: list[str] = []
    line = ""
    for piece in pieces:
        if piece == " ":
            line += " " if line else ""
            continue
        if line and width(line + piece) > columns:
            lines.append(line.rstrip())
            line = ""
        line += piece
        while width(line) > columns:  # one word wider than a line
            cut = max(1, next(i for i in range(len(line), 0, -1) if width(line[:i]) <= columns))
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.rstrip())
    return lines
