"""Alerts: what a person must look at on a case, because the engine could not act on it alone.

A signal sent to a case that cannot take it at its step, or sent when there is no case to take
it, is never dropped: it stays on a case as an open alert (issue 11, C1) until the case takes the
awaited action, enters the step that action leads to, or a person closes it with a note. An
alert is not a step and does not move the case.

Both raising and closing are events in the case's history (ALERT, ALERT_CLOSED); the open alerts
are what folding them gives, and the store keeps them in its `alerts` table as well, so that the
daily report and `due` count them by place through an index. `verify` checks the table against
the events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, NamedTuple


class AlertKind:
    """Why an alert was raised."""

    SIGNAL = "signal"  # a signal the receiving case could not take at its step
    UNDELIVERED = "undelivered"  # a signal with nobody to receive it (kept on the sender)
    LATE_ENTRY = "late_entry"  # a check entered late would have escalated; the case had moved on


class Alert(NamedTuple):
    """An open alert: `seq` is the number of the event that raised it on case `case_id`."""

    case_id: str
    seq: int
    kind: str
    name: str  # the action (or check) it is about
    raised_at: datetime
    roles: tuple[str, ...]  # who is to look at it (the role of the case's current step too)
    detail: Mapping[str, Any]  # from_case, expects (the step that answers it), flow, …

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled with its read-only detail as a plain dict (as Event is)."""
        return (_alert, (*self[:6], dict(self.detail)))

    @property
    def id(self) -> str:
        """How people name it: K-0001#23."""
        return f"{self.case_id}#{self.seq}"

    @property
    def from_case(self) -> str | None:
        value = self.detail.get("from_case")
        return value if isinstance(value, str) else None

    @property
    def expects(self) -> str | None:
        """The step whose entering answers it (where the awaited action leads)."""
        value = self.detail.get("expects")
        return value if isinstance(value, str) else None


def _alert(*fields: Any) -> Alert:
    alert = Alert._make(fields)
    return alert._replace(detail=MappingProxyType(alert.detail))


def alert_why(kind: str, roles: Iterable[str], detail: Mapping[str, Any]) -> dict[str, Any]:
    """The `why` of an ALERT event: all that replaying it needs to give the Alert again."""
    return {"kind": kind, "roles": list(dict.fromkeys(roles)), **detail}


def raised(case_id: str, seq: int, at: datetime, name: str, why: Mapping[str, Any]) -> Alert:
    """The Alert an ALERT event (`why` as alert_why made it) raises."""
    detail = {k: v for k, v in why.items() if k not in ("kind", "roles")}
    return Alert(case_id, seq, str(why["kind"]), name, at, tuple(why["roles"]), MappingProxyType(detail))


def closed_seq(why: Mapping[str, Any] | None) -> int:
    """The alert (by the seq that raised it) an ALERT_CLOSED event closes."""
    if why is None:
        raise ValueError("an alert_closed event names no alert")
    return int(why["alert"])


def parse_alert_id(text: str) -> tuple[str, int] | None:
    """'K-0001#23' as (case id, seq); None if it is not written so."""
    case_id, mark, seq = text.strip().rpartition("#")
    if not mark or not case_id or not seq.isdigit():
        return None
    return case_id, int(seq)


class AlertRow(NamedTuple):
    """An alert as the `alerts` table holds it, closed or not (what `verify` compares)."""

    seq: int
    kind: str
    name: str
    raised_at: datetime
    roles: tuple[str, ...]
    closed_seq: int | None
    closed_at: datetime | None


def rows_from_history(events: Iterable[Any]) -> list[AlertRow]:
    """The alert rows a case's history implies, by seq raised."""
    rows: dict[int, AlertRow] = {}
    for event in events:
        if event.kind == "alert":
            why = event.why or {}
            rows[event.seq] = AlertRow(
                event.seq, str(why.get("kind")), event.name, event.at, tuple(why.get("roles", ())), None, None
            )
        elif event.kind == "alert_closed":
            seq = closed_seq(event.why)
            if seq in rows:
                rows[seq] = rows[seq]._replace(closed_seq=event.seq, closed_at=event.at)
    return [rows[seq] for seq in sorted(rows)]
