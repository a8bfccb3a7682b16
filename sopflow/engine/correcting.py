"""The Engine's corrections and changes of hand, each one change in one transaction: amending an
entry, moving a case (a referral to another place), assigning it to a named worker, merging a
duplicate into the case kept, cancelling a case opened by mistake. What each event is and who may
make it is worked out purely (engine/corrections.py, engine/amending.py); this part reads, checks
and saves. See docs/corrections.md."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sopflow.cases import arguments, inputs
from sopflow.cases.records import Case
from sopflow.engine import refusals
from sopflow.engine.amending import Request, amend
from sopflow.engine.changes import Result
from sopflow.engine.corrections import Corrector, check_corrector, check_when, reason, waits_for
from sopflow.engine.stepper import Stepper
from sopflow.engine.work import Work
from sopflow.errors import ArgumentError, CaseError
from sopflow.store.registry import registry_place

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from sopflow.language.model import Flow
    from sopflow.store.store import Store


class Corrections:
    """Engine methods that put a case right or hand it on. Every one records who, when and why
    in the case's history; refusals raise CaseError and change nothing."""

    if TYPE_CHECKING:  # the Engine's own parts these methods use
        store: Store
        tz: ZoneInfo

        def _change(self, compute: Callable[[Work], str]) -> Case: ...
        def _read(self, work: Work, case_id: str) -> Case: ...
        def _stepper(self, flow: Flow) -> Stepper: ...
        def _effects(self, work: Work, result: Result) -> None: ...
        def _when(self, at: datetime | None, case_id: str) -> datetime | None: ...

        def _now(self, at: datetime | None) -> datetime: ...

    def amend(
        self,
        case_id: str,
        seq: int,
        values: Mapping[str, Any],
        *,
        reason: str,
        actor: str,
        role: str | None,
        at: datetime | None = None,
        replay: bool = False,
    ) -> Case:
        """Correct values that entry `seq` of the case (its start, an action or a check) entered.
        The entry stays in the history; an AMEND event records the correction, `reason`, who and
        when. If the corrected values would have sent the case another way (a decision, an
        escalation, a timer counted from a date), PathWouldChange says how, and nothing is saved,
        unless `replay`: then the later entries are taken again with the correction and the case
        goes where they lead (a REPLAY event says what was re-played and what could not be).
        Allowed to the roles of the case's current step, the flow's `corrected_by:` roles and the
        role that made the entry."""
        values = arguments.data(values)
        ArgumentError.check("seq", seq, int, "expected.seq")
        case_id, actor, role, at = self._who(case_id, actor, role, at)
        why = _reason(reason, case_id, "amend")

        def change(work: Work) -> str:
            case = self._read(work, case_id)
            check_when(case, at, self.tz)
            history = self.store.history(work.conn, case_id)
            stepper = self._stepper_of(work, case)
            still_open = frozenset(c.id for c in self._children(work, case) if c.active)
            asked = Request(seq, values, why, actor, stepper.role_id(case_id, role), at, replay)
            done = amend(stepper, case, history, asked, tz=self.tz, still_open=still_open)
            result = Result(done.case, done.events, done.effects)
            work.record(result, stepper)
            self._effects(work, result)
            return case_id

        return self._change(change)

    def move(
        self,
        case_id: str,
        place: str,
        *,
        actor: str,
        role: str | None,
        note: str | None = None,
        at: datetime | None = None,
    ) -> Case:
        """Hand the case to another place (a referral: the person lives in another community); its
        open child cases go with it. With a registry of places in the store, `place` must be one
        of them (by path, name or the end of its path); the case takes its full path."""
        case_id, actor, role, at = self._who(case_id, actor, role, at)
        note = inputs.note(note, case=case_id)
        wanted = inputs.place(place, case=case_id)
        if wanted is None:
            raise CaseError("move.no_place", case=case_id)

        def change(work: Work) -> str:
            case, role_id = self._checked(work, case_id, role, "move", at)
            if case.parent_id is not None:
                raise CaseError("move.child", case=case_id, parent=case.parent_id)
            target = registry_place(work.conn, wanted) or wanted
            if target == case.place:
                raise CaseError("move.same_place", case=case_id, place=target)
            hands = Corrector(actor, role_id, at, note)
            below = self._descendants(work, case)
            stepper = self._stepper_of(work, case)
            work.record(hands.transfer(stepper, case, target, carried=tuple(c.id for c in below)), stepper)
            for child in below:
                check_when(child, at, self.tz)
                stepper = self._stepper_of(work, child)
                work.record(hands.transfer(stepper, child, target, role=False), stepper)
            return case_id

        return self._change(change)

    def assign(
        self,
        case_id: str,
        worker: str | None,
        *,
        actor: str,
        role: str | None,
        note: str | None = None,
        at: datetime | None = None,
    ) -> Case:
        """Give the case to a named worker (None: to nobody in particular); `due` and `cases`
        filter by worker."""
        case_id, actor, role, at = self._who(case_id, actor, role, at)
        note = inputs.note(note, case=case_id)
        named = inputs.worker(worker, case=case_id)

        def change(work: Work) -> str:
            case, role_id = self._checked(work, case_id, role, "assign", at)
            if named == case.assigned_to:
                raise CaseError("assign.same", case=case_id, worker=named or "-")
            stepper = self._stepper_of(work, case)
            work.record(Corrector(actor, role_id, at, note).assign(stepper, case, named), stepper)
            return case_id

        return self._change(change)

    def merge(
        self,
        keep_id: str,
        duplicate_id: str,
        *,
        reason: str,
        actor: str,
        role: str | None,
        at: datetime | None = None,
    ) -> Case:
        """One person, one history: the duplicate case (a second lead about the same person) ends
        as merged, pointing to the case kept, which takes the duplicate's data it lacks (values both
        have differently stay as the kept case has them, listed in the history) and its open child
        cases, which move to the kept case's place. Both must be open cases of the same flow, not
        child cases; the role must be allowed to correct both."""
        keep_id, actor, role, at = self._who(keep_id, actor, role, at)
        duplicate_id = inputs.tidy(duplicate_id)
        why = _reason(reason, keep_id, "merge")
        if keep_id == duplicate_id:
            raise CaseError("merge.same", case=keep_id)

        def change(work: Work) -> str:
            for case in (self._read(work, keep_id), self._read(work, duplicate_id)):
                if case.parent_id is not None:  # said first: no role could merge it
                    raise CaseError("merge.child", case=case.id, parent=case.parent_id)
            keep, role_id = self._checked(work, keep_id, role, "merge", at)
            duplicate, _ = self._checked(work, duplicate_id, role, "merge", at)
            if duplicate.flow_id != keep.flow_id:
                raise CaseError(
                    "merge.other_flow",
                    case=duplicate_id,
                    flow=duplicate.flow_id,
                    keep=keep_id,
                    kept=keep.flow_id,
                )
            hands = Corrector(actor, role_id, at, why)
            adopted = [c for c in self._children(work, duplicate) if c.active]
            stepper = self._stepper_of(work, keep)
            kept, merged = hands.merge(stepper, keep, duplicate, tuple(c.id for c in adopted))
            work.record(kept, stepper)
            work.record(merged, self._stepper_of(work, duplicate))
            for child in adopted:
                check_when(child, at, self.tz)
                child_stepper = self._stepper_of(work, child)
                work.record(hands.adopt(child_stepper, child, kept.case), child_stepper)
                if keep.place != duplicate.place:
                    for below in self._descendants(work, child):
                        below_stepper = self._stepper_of(work, below)
                        work.record(
                            hands.transfer(below_stepper, below, keep.place, role=False), below_stepper
                        )
            return keep_id

        return self._change(change)

    def cancel(
        self,
        case_id: str,
        *,
        reason: str,
        actor: str,
        role: str | None,
        at: datetime | None = None,
    ) -> Case:
        """End a case opened by mistake, with outcome `cancelled` and the reason; its open child
        cases are cancelled with it. A child case its parent is waiting for is refused: cancel
        the parent, or let the child finish."""
        case_id, actor, role, at = self._who(case_id, actor, role, at)
        why = _reason(reason, case_id, "cancel")

        def change(work: Work) -> str:
            case, role_id = self._checked(work, case_id, role, "cancel", at)
            if case.parent_id is not None:
                parent = self._read(work, case.parent_id)
                if waits_for(parent, self._stepper_of(work, parent).flow, case.id):
                    raise CaseError("cancel.parent_waits", case=case_id, parent=parent.id, step=parent.step)
            hands = Corrector(actor, role_id, at, why)
            below = self._descendants(work, case)
            stepper = self._stepper_of(work, case)
            work.record(hands.cancel(stepper, case, carried=tuple(c.id for c in below)), stepper)
            for child in below:
                check_when(child, at, self.tz)
                child_stepper = self._stepper_of(work, child)
                work.record(hands.cancel(child_stepper, child, with_case=case_id), child_stepper)
            return case_id

        return self._change(change)

    # -- helpers ----------------------------------------------------------------------------------

    def _who(
        self, case_id: str, actor: str, role: str | None, at: datetime | None
    ) -> tuple[str, str, str | None, datetime]:
        """The case id, who, in which role and when, tidied and checked as for any entry. A
        correction not given a time is dated now, as it is asked for (unlike an entry, not after
        it waited for the case's lock: corrections are rare and made by one person at a time)."""
        case_id = inputs.tidy(arguments.text("case_id", case_id))
        when = self._when(arguments.moment("at", at), case_id)
        return (
            case_id,
            inputs.actor(arguments.text("actor", actor), case=case_id),
            inputs.role(arguments.optional_text("role", role), case=case_id),
            when if when is not None else self._now(None),
        )

    def _checked(
        self, work: Work, case_id: str, role: str | None, what: str, at: datetime
    ) -> tuple[Case, str | None]:
        """An open case to correct, by a role allowed to (given by id or label; its id is
        returned), not before its last entry."""
        case = self._read(work, case_id)
        stepper = self._stepper_of(work, case)
        if not case.active:
            refusals.ended(stepper.names, case)
        role_id = stepper.role_id(case_id, role)
        check_corrector(stepper.flow, case, role_id, what)
        check_when(case, at, self.tz)
        return case, role_id

    def _stepper_of(self, work: Work, case: Case) -> Stepper:
        return self._stepper(self.store.flow(work.conn, case.flow_id, case.flow_digest))

    def _children(self, work: Work, case: Case) -> list[Case]:
        return [self._read(work, child) for child in case.children]

    def _descendants(self, work: Work, case: Case) -> list[Case]:
        """The open cases below `case` (children, their children ...), parents first."""
        found: list[Case] = []
        queue = self._children(work, case)
        while queue:
            child = queue.pop(0)
            if child.active:
                found.append(child)
            queue += self._children(work, child)
        return found


def _reason(raw: str, case_id: str, what: str) -> str:
    ArgumentError.check("reason", raw, str, "expected.text")
    return reason(raw, case_id, what)
