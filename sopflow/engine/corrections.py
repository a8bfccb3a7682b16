"""Corrections and changes of hand as events, worked out purely: who may make them, their reason,
and the events of a transfer, an assignment, a merge and a cancellation. The Engine saves them in
one transaction each (engine/correcting.py); the Fold gives the case they describe, so that
`verify` replays them like any other event. Amending an entry is engine/amending.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from sopflow.cases.fielddata import to_json
from sopflow.cases.inputs import local_text, note
from sopflow.cases.records import CANCELLED, NO_CHANGES, Case, Event, EventKind
from sopflow.engine.changes import Result
from sopflow.engine.stepper import Stepper
from sopflow.errors import CaseError
from sopflow.language.model import Flow, StepKind
from sopflow.language.naming import FlowNames


def correctors(flow: Flow, case: Case, also: tuple[str | None, ...] = ()) -> tuple[str, ...]:
    """The roles that may correct `case`: whoever the current step is for (its responsible role,
    the roles of its actions and checks), the flow's `corrected_by:` roles, and `also` (for an
    amendment, the role that made the entry)."""
    step = flow.steps.get(case.step)
    roles: list[str | None] = []
    interrupts = {i.name for i in flow.interrupts}  # taken from anywhere: not the step's own work
    if step is not None and case.active:
        roles += [
            step.role,
            *(r for a in step.actions if a.name not in interrupts for r in a.roles),
            *(r for c in step.checks for r in c.roles),
        ]
    roles += [*flow.corrected_by, *also]
    return tuple(dict.fromkeys(r for r in roles if r))


def check_corrector(
    flow: Flow, case: Case, role: str | None, what: str, also: tuple[str | None, ...] = ()
) -> None:
    """CaseError unless `role` may make the correction `what` (amend, transfer, ...) to `case`."""
    allowed = correctors(flow, case, also)
    if role is not None and role in allowed:
        return
    names = FlowNames(flow).roles
    labels = names.listing(allowed)  # 网格员 grid_worker, as every refusal lists roles
    if role is None:
        raise CaseError("correct.no_role", case=case.id, what=what, roles=labels)
    raise CaseError("correct.role_not_allowed", case=case.id, what=what, role=names.named(role), roles=labels)


def reason(raw: str | None, case_id: str, what: str) -> str:
    """Why a correction is made: required, a note's length at most."""
    text = note(raw, case=case_id)
    if text is None:
        raise CaseError("correct.no_reason", case=case_id, what=what)
    return text


def check_when(case: Case, at: datetime, tz: tzinfo) -> None:
    """A correction is an entry like any other: not dated before the case's last one."""
    if at < case.updated_at:
        last = local_text(case.updated_at, tz)
        raise CaseError("case.before_last", case=case.id, at=local_text(at, tz), last=last)


def waits_for(parent: Case, flow: Flow, child_id: str) -> bool:
    """Whether `parent` is waiting at a subflow step for the child case `child_id` to end."""
    step = flow.steps.get(parent.step)
    return (
        parent.active
        and step is not None
        and step.kind is StepKind.SUBFLOW
        and step.wait
        and parent.children[-1:] == (child_id,)
    )


class Corrector:
    """The events of corrections that change what a case is about, for one actor at one time."""

    def __init__(self, actor: str, role: str | None, at: datetime, note: str | None) -> None:
        self.actor = actor
        self.role = role
        self.at = at
        self.note = note

    def event(
        self,
        stepper: Stepper,
        case: Case,
        kind: EventKind,
        name: str,
        why: Mapping[str, Any],
        *,
        changes: Mapping[str, list[Any]] = NO_CHANGES,
        role: bool = True,
    ) -> Result:
        """The case after one such event (`role`: the actor's; False for the cases a correction
        carries along, whose steps are not the actor's)."""
        event = Event(
            case.seq + 1,
            self.at,
            kind,
            name,
            self.actor,
            self.role if role else None,
            case.step,
            None,
            changes,
            self.note,
            dict(why),
        )
        return Result(stepper.fold.apply(case, event), (event,))

    def transfer(
        self,
        stepper: Stepper,
        case: Case,
        place: str | None,
        *,
        carried: tuple[str, ...] = (),
        role: bool = True,
    ) -> Result:
        """At another place; `carried`: the open cases below it that go with it (said in its history)."""
        why: dict[str, Any] = {"from": case.place, "to": place}
        if carried:
            why["children"] = list(carried)
        return self.event(stepper, case, EventKind.TRANSFER, "place", why, role=role)

    def assign(self, stepper: Stepper, case: Case, worker: str | None) -> Result:
        return self.event(stepper, case, EventKind.ASSIGN, "worker", {"from": case.assigned_to, "to": worker})

    def cancel(
        self, stepper: Stepper, case: Case, *, with_case: str | None = None, carried: tuple[str, ...] = ()
    ) -> Result:
        """Ended as cancelled; `with_case`: the ancestor whose cancellation carried it along;
        `carried`: the open cases below it cancelled with it (said in its history)."""
        why: dict[str, Any] = {"with": with_case} if with_case else {}
        if carried:
            why["children"] = list(carried)
        return self.event(stepper, case, EventKind.CANCEL, CANCELLED, why, role=with_case is None)

    def merge(
        self, stepper: Stepper, keep: Case, duplicate: Case, adopted: tuple[str, ...]
    ) -> tuple[Result, Result]:
        """The kept case takes the duplicate's data it lacks (what both have but differently is
        kept as the kept case has it, and listed) and its open children; the duplicate ends,
        pointing to it."""
        fields = stepper.flow.fields
        filled = {
            name: [None, to_json(value)]
            for name, value in duplicate.data.items()
            if name in fields and name not in keep.data and value is not None
        }
        differs = {
            name: [to_json(keep.data[name]), to_json(value)]
            for name, value in duplicate.data.items()
            if name in keep.data and keep.data[name] != value
        }
        why = {"case": duplicate.id, "children": list(adopted), "differs": differs}
        kept = self.event(stepper, keep, EventKind.MERGE, duplicate.id, why, changes=filled)
        return kept, self.merged(stepper, duplicate, keep.id)

    def merged(self, stepper: Stepper, duplicate: Case, into: str) -> Result:
        return self.event(stepper, duplicate, EventKind.MERGED, into, {"into": into})

    def adopt(self, stepper: Stepper, child: Case, parent: Case) -> Result:
        """A child of a merged duplicate now belongs to the kept case, at its place."""
        why = {"from": child.parent_id, "to": parent.id, "place": parent.place}
        return self.event(stepper, child, EventKind.ADOPTED, parent.id, why, role=False)
