"""One change's unit of work: the cases it read (with the seq each had) and what it will save."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from sopflow.cases.records import Case, Event
from sopflow.engine.alerting import answered
from sopflow.engine.changes import Result
from sopflow.engine.schedule import kept_times
from sopflow.engine.stepper import Stepper
from sopflow.store.rows import CaseWrite


class Work:
    """Cases touched by one change, as read (with their seq) and as they will be saved."""

    def __init__(self, conn: Connection, *, lock: bool = True) -> None:
        self.conn = conn
        # lock each case read until the change commits (PostgreSQL; SQLite's BEGIN IMMEDIATE
        # has locked the whole store). Without: read as it is, and the change is saved only if
        # no case it read was changed meanwhile (Bulk._change tries that first)
        self.lock = lock
        self.read: dict[str, Case | None] = {}
        self.current: dict[str, Case] = {}
        self.new_events: dict[str, list[Event]] = {}
        self.steppers: dict[str, Stepper] = {}
        self.fetched: dict[str, Case] = {}  # read ahead for a batch (engine/bulk.py), not yet taken

    def take(self, case_id: str) -> Case | None:
        """A case read ahead for this unit of work, once."""
        return self.fetched.pop(case_id, None)

    def read_seq(self, case_id: str) -> int | None:
        """The seq the case had when read; None for a case this change creates."""
        read = self.read.get(case_id)
        return read.seq if read is not None else None

    def read_seqs(self) -> dict[str, int]:
        """The seq of each case this change read (not those it creates)."""
        return {cid: case.seq for cid, case in self.read.items() if case is not None}

    def only_read(self) -> dict[str, int]:
        """The seq of each case this change read and leaves as it was (a parent it only looked
        at): without locks, they too must be unchanged when the change is saved."""
        return {cid: seq for cid, seq in self.read_seqs().items() if not self.new_events.get(cid)}

    def record(self, result: Result, stepper: Stepper) -> Result:
        """Keep a change's result, with the alerts it answers closed (engine/alerting.py)."""
        result = answered(stepper, result)
        case = result.case
        self.current[case.id] = case
        self.new_events.setdefault(case.id, []).extend(result.events)
        self.steppers[case.id] = stepper
        return result

    def writes(self) -> list[CaseWrite]:
        """What to save: each case this change gave new events, with the seq it was read with."""
        writes = []
        for cid, case in self.current.items():
            if self.new_events.get(cid):
                kept = kept_times(self.steppers[cid], case)
                new_events = tuple(self.new_events[cid])
                writes.append(
                    CaseWrite(
                        case=case,
                        read_seq=self.read_seq(cid),
                        new_events=new_events,
                        role=self.role_of(cid),
                        next_due_at=kept.next_due_at,
                        next_timer_at=kept.next_timer_at,
                        due_list=kept.due_list,
                        before=self.read.get(cid),
                        identities=self._identities(cid),
                    )
                )
        return writes

    def _identities(self, case_id: str) -> dict[str, str] | None:
        """Whom the case is about (kind → value), if that is new or changed: None otherwise, so
        the store's index is rewritten only when it must be."""
        flow = self.steppers[case_id].flow
        after = self.current[case_id].data
        before = self.read.get(case_id)
        if before is not None and all(before.data.get(n) == after.get(n) for n in flow.identities.values()):
            return None
        return flow.about(after)

    def role_of(self, case_id: str) -> str | None:
        """Whose the case's step is now (None for an ended case): the store indexes it."""
        case = self.current[case_id]
        if not case.active:
            return None
        return self.steppers[case_id].flow.steps[case.step].role
