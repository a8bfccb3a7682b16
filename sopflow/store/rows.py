"""Cases and events to and from table rows, and the statements that write them (built once)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, NamedTuple, TypeVar

import sqlalchemy as sa

from sopflow.cases.alerts import Alert
from sopflow.cases.fielddata import data_from_json, data_to_json
from sopflow.cases.records import Case, CaseStatus, Event, EventKind
from sopflow.errors import StoreError
from sopflow.language.model import Flow
from sopflow.store.tables import cases, events

T = TypeVar("T")


def utc(value: datetime) -> datetime:
    """Stored naive-UTC back to an aware UTC datetime."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def naive(value: datetime | None) -> datetime | None:
    """A time as stored: naive UTC."""
    if value is None:
        return None
    return (value if value.tzinfo is UTC else value.astimezone(UTC)).replace(tzinfo=None)


# Built once: one statement object per kind of call keeps SQLAlchemy's per-call work small. (A
# case's row is read with its open alerts: store/alertrows.py, CASE_BY_ID. On PostgreSQL a
# change is first worked out unlocked and saved by update_if_unchanged; one that lost a race is
# worked out again with the row locked until it commits (engine/bulk.py, Bulk._change), so staff
# changing one case at once queue up as they do on SQLite, whose BEGIN IMMEDIATE locks the
# whole file, instead of all but one finding it changed.)
INSERT_CASE = cases.insert()
INSERT_EVENTS = events.insert()
# What a change can alter; a case's flow and creation never change (its parent and place only by
# a merge or a transfer, its worker by an assignment).
CHANGING = (
    *("step", "role", "status", "outcome", "data", "updated_at", "entered_at"),
    *("last_checks", "children", "next_due_at", "next_timer_at", "due_list", "seq"),
    *("parent_id", "place", "assigned_to"),
)
ALL_COLUMNS = tuple(c.name for c in cases.columns)
_GROUP = {  # columns that change together (the rest change with every event)
    **dict.fromkeys(("step", "role", "status", "outcome", "entered_at"), "position"),
    **{"data": "data", "last_checks": "last_checks", "children": "children"},
    **dict.fromkeys(("parent_id", "place", "assigned_to"), "hands"),
}


def update_if_unchanged(columns: tuple[str, ...]) -> sa.Update:
    return (
        cases.update()
        .where(cases.c.id == sa.bindparam("read_id"), cases.c.seq == sa.bindparam("read_seq"))
        .values({name: sa.bindparam(name) for name in columns})
    )


class CaseWrite(NamedTuple):
    """A case to save: `read_seq` is the seq it had when read (None: a new case). With `before`,
    the case as it was read, only the columns that changed are written."""

    case: Case
    read_seq: int | None
    new_events: tuple[Event, ...]
    role: str | None
    next_due_at: datetime | None
    next_timer_at: datetime | None = None
    before: Case | None = None
    identities: Mapping[str, str] | None = None  # whom the case is about, when that changed
    due_list: str | None = None  # what it owes, as `due` reads it (engine/schedule.kept_times)

    def changed_columns(self) -> tuple[str, ...]:
        """The case columns this write changes (in CHANGING's order, so that each set of columns
        has one statement). A check, the commonest change, touches only its time, its seq, its
        checks and when the next one is due: the data is not encoded and sent again."""
        before, after = self.before, self.case
        if before is None:
            return CHANGING
        moved = (before.step, before.status, before.entered_at) != (
            after.step,
            after.status,
            after.entered_at,
        )
        changed = {
            "position": moved,
            "data": after.data is not before.data,
            "last_checks": after.last_checks is not before.last_checks,
            "children": after.children is not before.children,
            "hands": (before.parent_id, before.place, before.assigned_to)
            != (after.parent_id, after.place, after.assigned_to),
        }
        return tuple(c for c in CHANGING if changed.get(_GROUP.get(c, ""), True))


def case_row(item: CaseWrite, columns: tuple[str, ...]) -> dict[str, Any]:
    """The case's row, with `columns` at least: the values that take work (JSON, UTC times) are
    made only for the columns written."""
    case = item.case
    row: dict[str, Any] = {
        "id": case.id,
        "flow_id": case.flow_id,
        "flow_digest": case.flow_digest,
        "flow_version": case.flow_version,
        "step": case.step,
        "role": item.role,
        "status": str(case.status),
        "outcome": case.outcome,
        "parent_id": case.parent_id,
        "place": case.place,
        "updated_at": naive(case.updated_at),
        "next_due_at": naive(item.next_due_at),
        "next_timer_at": naive(item.next_timer_at),
        "due_list": item.due_list,
        "seq": case.seq,
        "assigned_to": case.assigned_to,
    }
    for name in columns:
        if name not in row:
            row[name] = _COSTLY[name](case)
    return row


_COSTLY: dict[str, Callable[[Case], Any]] = {
    "data": lambda case: data_to_json(case.data),
    "created_at": lambda case: naive(case.created_at),
    "entered_at": lambda case: naive(case.entered_at),
    "last_checks": lambda case: {k: v.astimezone(UTC).isoformat() for k, v in case.last_checks.items()},
    "children": lambda case: list(case.children),
}


def event_row(case_id: str, event: Event) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "seq": event.seq,
        "at": naive(event.at),
        "kind": str(event.kind),
        "name": event.name,
        "actor": event.actor,
        "role": event.role,
        "from_step": event.from_step,
        "to_step": event.to_step,
        "changes": dict(event.changes),
        "note": event.note,
        "why": dict(event.why) if event.why is not None else None,
        "child_id": event.child_id,
        "recorded_at": naive(event.recorded_at),
        "late": event.late,
    }


# -- rows back to cases and events ---------------------------------------------------------------
# A row may have been edited by hand, or damaged: each value is checked as it is decoded, and what
# does not fit is a StoreError naming the case (`damaged`), never a raw error from deep inside.


def damaged(case_id: object, error: Exception) -> StoreError:
    """The error for a row of case `case_id` that cannot be read as what sopflow wrote."""
    detail = f"unreadable JSON: {error}" if isinstance(error, json.JSONDecodeError) else str(error)
    return StoreError("store.damaged_case", case=str(case_id), detail=detail.splitlines()[0][:200])


UNREADABLE = (ValueError, TypeError, KeyError, AttributeError, LookupError)  # what decoding raises


def case_of(
    flow: Flow, row: Mapping[str, Any], past: tuple[Event, ...], alerts: tuple[Alert, ...] = ()
) -> Case:
    """A case row (and its history) as a Case; StoreError if a value is not what sopflow writes."""
    try:
        step = row["step"]
        if step not in flow.steps:
            raise ValueError(f"step {step!r} is not in flow {flow.id} {flow.version}")
        return Case(
            id=row["id"],
            flow_id=row["flow_id"],
            flow_version=row["flow_version"],
            flow_digest=row["flow_digest"],
            step=step,
            status=CaseStatus(row["status"]),
            outcome=row["outcome"],
            data=MappingProxyType(data_from_json(flow.fields, _a(dict, row["data"]), flow.date_fields)),
            parent_id=row["parent_id"],
            place=row["place"],
            created_at=_time(row["created_at"]),
            updated_at=_time(row["updated_at"]),
            entered_at=_time(row["entered_at"]),
            last_checks=MappingProxyType(
                {
                    _a(str, k): _time(datetime.fromisoformat(v))
                    for k, v in _a(dict, row["last_checks"]).items()
                }
            ),
            children=tuple(_a(str, child) for child in _a(list, row["children"])),
            seq=_a(int, row["seq"]),
            history=past,
            assigned_to=None if row.get("assigned_to") is None else _a(str, row["assigned_to"]),
            alerts=alerts,
        )
    except UNREADABLE as error:
        raise damaged(row.get("id"), error) from None


def event_of(row: Mapping[str, Any]) -> Event:
    """An event row as an Event; StoreError if a value is not what sopflow writes."""
    try:
        why = row["why"]
        return Event(
            seq=_a(int, row["seq"]),
            at=_time(row["at"]),
            kind=EventKind(row["kind"]),
            name=row["name"],
            actor=row["actor"],
            role=row["role"],
            from_step=row["from_step"],
            to_step=row["to_step"],
            changes=MappingProxyType(_a(dict, row["changes"] or {})),
            note=row["note"],
            why=why if why is None else _a(dict, why),
            child_id=row["child_id"],
            recorded_at=None if row.get("recorded_at") is None else _time(row["recorded_at"]),
            late=bool(row.get("late") or False),
        )
    except UNREADABLE as error:
        raise damaged(row.get("case_id"), error) from None


def _a(kind: type[T], value: object) -> T:
    """`value` if it is a `kind` (JSON of another shape, text where a number belongs: damage)."""
    if not isinstance(value, kind) or isinstance(value, bool) is not (kind is bool):
        raise TypeError(f"{value!r:.60} where {kind.__name__} belongs")
    return value


def _time(value: object) -> datetime:
    return utc(_a(datetime, value))


def json_text(value: Any) -> str:
    """JSON as stored: Chinese as itself, not as \\u escapes (half the size, and readable)."""
    return json.dumps(value, ensure_ascii=False)
