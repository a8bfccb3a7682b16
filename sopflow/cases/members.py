"""The members of a shared case (issue 11, C4), read from its history.

The case that started it (its parent) is its first member; each JOIN event names another, each
LEAVE event one that left. The history is the record: `verify` and `case show` read it here.
"""

from __future__ import annotations

from collections.abc import Iterable

from sopflow.cases.records import Event, EventKind


def members(parent_id: str | None, history: Iterable[Event]) -> dict[str, bool]:
    """Member case id → still in, in joining order; empty for a case that nobody joined."""
    found: dict[str, bool] = {}
    for event in history:
        member = str((event.why or {}).get("member", ""))
        if event.kind is EventKind.JOIN and member:
            if not found and parent_id is not None:
                found[parent_id] = True
            found[member] = True
        elif event.kind is EventKind.LEAVE and member:
            if not found and parent_id is not None:
                found[parent_id] = True
            found[member] = False
    return found


def members_in(parent_id: str | None, history: Iterable[Event]) -> dict[str, bool]:
    """As `members`, with the parent counted even when nobody joined (a case started by one)."""
    found = members(parent_id, history)
    if not found and parent_id is not None:
        found[parent_id] = True
    return found


def joined(history: Iterable[Event]) -> list[str]:
    """The shared cases a member joined (its JOIN events), in order."""
    return [e.child_id for e in history if e.kind is EventKind.JOIN and e.child_id]
