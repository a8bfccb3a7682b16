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
