"""verify: every case's history replayed against its flow version, and what differs from the
stored case reported field by field — damage, a hand edit, or a bug shows here, never silently."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from sopflow.cases.alerts import closed_seq, rows_from_history
from sopflow.cases.members import joined, members
from sopflow.cases.records import Case, Event, EventKind, Fold
from sopflow.engine.schedule import kept_basis, kept_times
from sopflow.engine.stepper import Stepper
from sopflow.errors import StoreError
from sopflow.i18n import Phrase
from sopflow.language.model import Flow
from sopflow.store.alertrows import rows_of
from sopflow.store.identities import VALUE_LENGTH, identities_of
from sopflow.store.queries import kept_lists
from sopflow.store.store import Store

BATCH = 500  # cases read at a time, so a county's store is checked in bounded memory


@dataclass(frozen=True)
class Discrepancy:
    case_id: str
    field: str
    stored: Any
    replayed: Any


def verify_cases(
    store: Store, stepper_for: Callable[[Flow], Stepper], now: datetime | None = None
) -> list[Discrepancy]:
    """Every case of `store`, by id, in batches, all in one snapshot (one read transaction). A
    case that cannot even be read (a damaged row, a flow version replaced) is reported as such,
    and the others are still checked. `now`: events dated after it are reported (a clock set
    ahead); None in a drill store, whose time may be played forward."""
    found: list[Discrepancy] = []
    after: str | None = None
    with store.reading() as conn:
        while ids := store.ids(conn, after, BATCH):
            lists = kept_lists(conn, ids)
            for case_id in ids:
                try:
                    stored = store.get(conn, case_id, history=False)
                    if stored is not None:
                        found += _verify_one(store, conn, (stored, lists.get(case_id)), stepper_for, now)
                except StoreError as error:
                    detail = error.params.get("detail") or error.message("en")
                    found.append(Discrepancy(case_id, "stored", "-", f"unreadable: {detail}"))
            after = ids[-1]
    return found


def _verify_one(
    store: Store,
    conn: Connection,
    row: tuple[Case, str | None],
    stepper_for: Callable[[Flow], Stepper],
    now: datetime | None,
) -> list[Discrepancy]:
    """One case (as stored, with the due list its row keeps): its history replayed, its flow
    version's name, its place in the family."""
    stored, kept_list = row
    flow = store.flow(conn, stored.flow_id, stored.flow_digest)
    try:
        history = store.history(conn, stored.id)
    except StoreError as error:  # an event edited by hand: this case, not the whole run
        unreadable = Phrase("verify.reason.unreadable", detail=str(error.params.get("detail")))
        return [Discrepancy(stored.id, "history", "-", unreadable)]
    found = _compare(stepper_for(flow).fold, stored, history)
    if not found:  # a case that is not its history owes what its history says, not its row
        found += _due_list(kept_list, stepper_for(flow), stored)
    kept, implied = rows_of(conn, stored.id), rows_from_history(history)
    if kept != implied:  # a closed alert's row too: when and by which event it was closed
        found.append(Discrepancy(stored.id, "alerts table", kept, implied))
    found += _closed_twice(stored.id, history)
    indexed = identities_of(conn, stored.id)
    about = {kind: value[:VALUE_LENGTH] for kind, value in flow.about(stored.data).items()}
    if indexed != about:  # a signal addressed to this person or household would miss the case
        found.append(Discrepancy(stored.id, "case_identities", indexed, about))
    ahead = [e for e in history if now is not None and e.at > now]
    if ahead:
        when = Phrase("verify.reason.after_now", seq=ahead[0].seq, at=ahead[0].at.isoformat())
        found.append(Discrepancy(stored.id, "history", Phrase("verify.reason.up_to_now"), when))
    if stored.flow_version != flow.version:
        found.append(Discrepancy(stored.id, "flow_version", stored.flow_version, flow.version))
    found += _sharing(conn, store, stored, history)
    if stored.parent_id is not None:
        parent = store.get(conn, stored.parent_id, history=False)
        if parent is None or stored.id not in parent.children:
            found.append(
                Discrepancy(stored.id, "parent_id", stored.parent_id, Phrase("verify.reason.not_parent"))
            )
        else:  # an open child is at its parent's place, or where a field of its parent said (C6)
            placed = (history[0].why or {}).get("place", parent.place) if history else parent.place
            if stored.active and stored.place != placed:
                found.append(Discrepancy(stored.id, "place", stored.place, placed))
    return found


def _closed_twice(case_id: str, history: tuple[Event, ...]) -> list[Discrepancy]:
    """An alert closed by two events: two people closed it at once and both were let through
    (the alerts table keeps the last close, so it agrees with the history either way)."""
    closed: dict[int, int] = {}
    found = []
    for event in history:
        if event.kind is EventKind.ALERT_CLOSED:
            seq = closed_seq(event.why)
            if seq in closed:
                twice = f"alert #{seq} closed by events {closed[seq]} and {event.seq}"
                found.append(Discrepancy(case_id, "alerts", twice, "closed once"))
            closed.setdefault(seq, event.seq)
    return found


def _due_list(kept: str | None, stepper: Stepper, stored: Case) -> list[Discrepancy]:
    """The list of what the case owes, as its row keeps it for `due`, against the case's own
    (a list kept on another basis, or none, is not read by `due`: nothing to compare)."""
    implied = kept_times(stepper, stored).due_list
    if kept is None or kept == implied:
        return []  # a row written before lists were kept is worked out from the case
    if implied is not None and kept_basis(kept) != kept_basis(implied):
        return []  # kept by an engine in another time zone: not read by this one
    shown = [None if text is None else text.replace("\n", "; ") for text in (kept, implied)]  # one line
    return [Discrepancy(stored.id, "due_list", *shown)]


def _sharing(conn: Connection, store: Store, stored: Case, history: tuple[Event, ...]) -> list[Discrepancy]:
    """A shared case's members (C4) are cases that say they joined it; a member's shared cases
    are cases that list it. The first member is the parent, checked as every parent is."""
    found = []
    for member in list(members(stored.parent_id, history))[1:]:
        case = store.get(conn, member, history=True)
        if case is None or stored.id not in joined(case.history):
            found.append(Discrepancy(stored.id, "members", member, "did not join it"))
    for shared_id in joined(history):
        shared = store.get(conn, shared_id, history=True)
        if shared is None or stored.id not in members(shared.parent_id, shared.history):
            found.append(Discrepancy(stored.id, "shares", shared_id, "not a member"))
    return found


def _compare(fold: Fold, stored: Case, history: tuple[Event, ...]) -> list[Discrepancy]:
    if not history:
        return [Discrepancy(stored.id, "history", "-", "empty")]
    try:
        replayed = fold.replay(stored.id, history, stored.parent_id, stored.place)
    except (KeyError, ValueError) as exc:
        return [Discrepancy(stored.id, "history", "-", f"cannot replay: {exc}")]
    names = (
        *("step", "status", "outcome", "data", "seq", "entered_at", "last_checks", "children"),
        *("place", "parent_id", "assigned_to"),  # changed by transfers, merges and assignments
        "alerts",  # open alerts: the store's table against the ALERT and ALERT_CLOSED events
    )
    return _out_of_order(stored.id, history) + [
        Discrepancy(stored.id, name, getattr(stored, name), getattr(replayed, name))
        for name in names
        if _plain(getattr(stored, name)) != _plain(getattr(replayed, name))
    ]


def _plain(value: Any) -> Any:
    return dict(value) if isinstance(value, Mapping) else value


def _out_of_order(case_id: str, history: tuple[Event, ...]) -> list[Discrepancy]:
    """The first event dated before the one saved before it. A check entered late (issue 11,
    C12) is dated when it happened, before entries saved earlier: it is exempt, and the events
    after it are compared with the last one saved in time order."""
    last: datetime | None = None
    for event in history:
        if event.late:
            continue
        if last is not None and event.at < last:
            return [
                Discrepancy(
                    case_id, "history", "in time order", f"event {event.seq} dated before the one before it"
                )
            ]
        last = event.at
    return []
