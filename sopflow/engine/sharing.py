"""Shared cases (issue 11, C4): one daily-needs case per household, shared by its key persons.

A subflow step with `one_per: household` starts its child only if no case of that flow is open
for the household; otherwise the case joins the open one: a JOIN event on the shared case
(why.member) and one on the member (child_id: the shared case). No second case is made.

A member leaves when its case ends or fires an action marked `leave: [flow]`: a LEAVE event on
the shared case, then its action `member_left` is fired there as a signal with `members_in` (the
members still in), so the flow decides (back to serving, or on to closing). A shared case that
cannot take it at its step keeps it as an open alert, as every signal (engine/alertwork.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sopflow.cases.members import members_in
from sopflow.cases.records import Case, Event, EventKind
from sopflow.engine.alerting import note_sent
from sopflow.engine.changes import LeaveShared, Result, SendSignal, StartChild
from sopflow.engine.stepper import Stepper
from sopflow.engine.work import Work
from sopflow.errors import CaseError
from sopflow.language.sharing import MEMBER_LEFT, MEMBERS_IN
from sopflow.store.identities import open_cases_about

if TYPE_CHECKING:
    from sopflow.language.catalog import FlowCatalog
    from sopflow.language.model import Flow
    from sopflow.store.store import Store


class Sharing:
    """Engine methods for shared cases: joining one, leaving one."""

    if TYPE_CHECKING:  # the Engine's own parts these methods use
        store: Store
        flows: FlowCatalog

        def _read(self, work: Work, case_id: str) -> Case: ...
        def _stepper(self, flow: Flow) -> Stepper: ...
        def _keep(
            self, work: Work, stepper: Stepper, target: Case, effect: SendSignal, roles: tuple[str, ...]
        ) -> Result: ...

    def _shared_open(self, work: Work, flow_id: str, about: tuple[str, str], but: str = "") -> list[Case]:
        """The open cases of `flow_id` about (kind, value), oldest first."""
        ids = [i for i in open_cases_about(work.conn, flow_id, *about) if i != but]
        found = [case for case in (self._read(work, i) for i in ids) if case.active]
        return sorted(found, key=lambda c: (c.created_at, c.id))

    def _members(self, work: Work, shared: Case) -> dict[str, bool]:
        history = (*self.store.history(work.conn, shared.id), *work.new_events.get(shared.id, ()))
        return members_in(shared.parent_id, history)

    def _start_shared(self, work: Work, effect: StartChild) -> Result | None:
        """Join the open case the child would be about, or start it (and note it on the parent)."""
        if effect.one_per is None:
            return None
        parent = work.current[effect.parent_id]
        parent_stepper = work.steppers[parent.id]
        # a shared case every member has left is closing (its last member's leave took it
        # there): joining it would leave the newcomer without the service while it waits to be
        # closed (a county run found one for 15 days); the newcomer starts a case of its own
        candidates = self._shared_open(work, effect.flow_id, effect.one_per)
        found = [(c, members) for c in candidates if any((members := self._members(work, c)).values())]
        if not found:  # started here, after the move (engine/rerun.py)
            _system(
                work,
                parent_stepper,
                parent,
                kind=EventKind.CHILD,
                name=effect.flow_id,
                at=effect.at,
                why={"one_per": effect.one_per[0]},
                child_id=effect.child_id,
                from_step=effect.step,
            )
            return None  # the caller starts it as any child
        shared, members = found[0]  # each history read once
        stepper = self._stepper(self.store.flow(work.conn, shared.flow_id, shared.flow_digest))
        count = sum(members.values()) + 1
        why: Mapping[str, Any] = {"member": parent.id, MEMBERS_IN: count}
        _system(work, stepper, shared, kind=EventKind.JOIN, name="join", at=effect.at, why=why)
        why = {"case": shared.id, "flow": shared.flow_id}
        _system(
            work,
            parent_stepper,
            parent,
            kind=EventKind.JOIN,
            name=effect.flow_id,
            at=effect.at,
            why=why,
            child_id=shared.id,
            from_step=effect.step,
        )
        return Result(work.current[shared.id], ())

    def _leave(self, work: Work, effect: LeaveShared) -> Result | None:
        """The member leaves each shared case it is in: a LEAVE event there, and `member_left`
        fired with the members still in (kept as an alert where it cannot be taken now)."""
        member = work.current[effect.member_id]
        member_stepper = work.steppers[member.id]
        effects: list[Any] = []
        for found in self._shared_open(work, effect.flow_id, effect.about, but=member.id):
            sharing = self._members(work, found)
            if not sharing.get(member.id):
                continue
            stepper = self._stepper(self.store.flow(work.conn, found.flow_id, found.flow_digest))
            left = sum(sharing.values()) - 1
            why = {"member": member.id, MEMBERS_IN: left}
            _system(work, stepper, found, kind=EventKind.LEAVE, name="leave", at=effect.at, why=why)
            signal = SendSignal(member.id, found.flow_id, MEMBER_LEFT, effect.at)
            shared = work.current[found.id]
            try:
                result = stepper.fire(
                    shared,
                    MEMBER_LEFT,
                    actor=f"case {member.id}",
                    role=None,
                    data={MEMBERS_IN: str(left)},
                    at=max(effect.at, shared.updated_at),
                    signal=True,
                )
            except CaseError:
                self._keep(work, stepper, shared, signal, ())
                taken, kept = [], [shared.id]
            else:
                effects.extend(work.record(result, stepper).effects)
                taken, kept = [shared.id], []
            sent = {"flow": shared.flow_id, "action": MEMBER_LEFT, "taken": taken, "alerts": kept}
            work.record(note_sent(member_stepper, work.current[member.id], effect.at, sent), member_stepper)
        return Result(work.current[member.id], (), tuple(effects))


def _system(
    work: Work,
    stepper: Stepper,
    case: Case,
    *,
    kind: EventKind,
    name: str,
    at: datetime,
    why: Mapping[str, Any],
    child_id: str | None = None,
    from_step: str | None = None,
) -> None:
    """An event the engine makes on `case` that does not move it, dated not before its last."""
    case = work.current.get(case.id, case)
    event = Event(
        case.seq + 1,
        max(at, case.updated_at),
        kind,
        name,
        "system",
        None,
        from_step or case.step,
        None,
        why=why,
        child_id=child_id,
    )
    work.record(Result(stepper.fold.apply(case, event), (event,)), stepper)
