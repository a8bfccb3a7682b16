"""The Engine's alerts (issue 11, C1): signals delivered or kept, alerts listed, shown as due
first, and closed by a person. The events are made purely in engine/alerting.py; this part reads
the cases a signal concerns and the `alerts` table, and saves in the change's transaction."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from sopflow.cases import arguments, inputs
from sopflow.cases.alerts import Alert, AlertKind, parse_alert_id
from sopflow.cases.records import Case, EventKind
from sopflow.engine.alerting import close_by_hand, expected_step, note_child, note_sent, raise_alert
from sopflow.engine.changes import Effect, Result, SendSignal, child_start
from sopflow.engine.schedule import DueItem
from sopflow.engine.stepper import Stepper
from sopflow.engine.work import Work
from sopflow.errors import CaseError, FlowError, LookupFailed
from sopflow.store.alertrows import select_open
from sopflow.store.identities import open_cases_about

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from sopflow.language.catalog import FlowCatalog
    from sopflow.language.model import Flow, Referral
    from sopflow.store.store import Store


class Alerts:
    """Engine methods for alerts: a signal is taken or kept, never dropped."""

    if TYPE_CHECKING:  # the Engine's own parts these methods use
        store: Store
        flows: FlowCatalog

        def _change(self, compute: Callable[[Work], str]) -> Case: ...
        def _read(self, work: Work, case_id: str) -> Case: ...
        def _stepper(self, flow: Flow) -> Stepper: ...
        def _effect(self, work: Work, effect: Effect) -> Result | None: ...
        def _now(self, at: datetime | None) -> datetime: ...
        def _at(self, given: datetime | None, case: Case | None) -> datetime: ...
        def _id_of(self, kind: str, typed: str, flow_id: str | None) -> str: ...

    def alerts(
        self, case_id: str | None = None, *, role: str | None = None, place: str | None = None
    ) -> list[Alert]:
        """Open alerts, oldest first: of one case, for a role (one of the alert's roles or the
        role of its case's current step), at a place and below it."""
        case_id = None if case_id is None else inputs.lookup_id(arguments.text("case_id", case_id))
        role = arguments.optional_text("role", role)
        role = None if role is None else self._id_of("role", inputs.tidy(role), None)
        place = inputs.place(arguments.optional_text("place", place))
        with self.store.reading() as conn:
            return [item[0] for item in self._open_alerts(conn, case_id=case_id, role=role, place=place)]

    def close_alert(self, alert_id: str, *, actor: str, role: str | None, note: str) -> Case:
        """Close an open alert (K-0001#23) with a note saying what was done: by one of its roles
        or the role of the case's current step. The case stays where it is."""
        parsed = parse_alert_id(arguments.text("alert_id", alert_id))
        if parsed is None:
            raise LookupFailed("alert.bad_id", alert=alert_id)
        case_id, seq = parsed
        case_id = inputs.lookup_id(case_id)
        actor = inputs.actor(arguments.text("actor", actor), case=case_id)
        role = inputs.role(arguments.optional_text("role", role), case=case_id)
        written = inputs.note(arguments.text("note", note), case=case_id)
        if not written:
            raise CaseError("alert.note_needed", alert=alert_id)

        def change(work: Work) -> str:
            case = self._read(work, case_id)
            stepper = self._stepper(self.store.flow(work.conn, case.flow_id, case.flow_digest))
            named = role if role is None or role in stepper.flow.roles else stepper.names.roles.id_of(role)
            at = self._at(None, case)
            work.record(
                close_by_hand(stepper, case, seq, actor=actor, role=named, note=written, at=at), stepper
            )
            return case_id

        return self._change(change)

    def _alert_items(
        self, conn: Connection, now: datetime, role: str | None, place: str | None
    ) -> list[DueItem]:
        """Each open alert as a due item: overdue from when it was raised, listed first."""
        return [
            DueItem(
                alert.case_id,
                flow_id,
                step,
                "alert",
                alert.name,
                alert.raised_at,
                roles,
                True,
                at_place,
                _label_of(alert),
            )
            for alert, flow_id, step, roles, at_place in self._open_alerts(
                conn, case_id=None, role=role, place=place
            )
            if alert.raised_at <= now
        ]

    def _open_alerts(
        self, conn: Connection, *, case_id: str | None, role: str | None, place: str | None
    ) -> list[tuple[Alert, str, str, tuple[str, ...], str | None]]:
        """(alert, flow, step, roles including the step's, place) of the open alerts wanted."""
        found = []
        for item in select_open(conn, case_id=case_id, place=place, sqlite=self.store.is_sqlite):
            flow = self.store.flow(conn, item.flow_id, item.flow_digest)
            roles = tuple(dict.fromkeys((*item.alert.roles, flow.steps[item.step].role)))
            if role is None or role in roles:
                found.append((item.alert, item.flow_id, item.step, roles, item.place))
        return found

    def _signal(self, work: Work, effect: SendSignal) -> Result | None:
        """Fire the action in the cases the signal is for: those about the person, household or
        dwelling it is addressed to, else (a signal without addresses) the nearest ancestor
        running the named flow. A case that cannot take it at its step now keeps it as an open
        alert; an address with `if_several` that finds several alerts each without moving any; nobody
        found: an `undelivered` alert on the sender. Either way the sender records where it
        went. Returns what the cases that took it do next (their own effects)."""
        sender = work.current[effect.from_case]
        taken: list[str] = []
        kept: list[str] = []
        effects: list[Effect] = []
        targets = self._targets(work, effect, sender)
        for target in targets:
            stepper = self._stepper(self.store.flow(work.conn, target.flow_id, target.flow_digest))
            if effect.if_several and len(targets) > 1:
                self._keep(work, stepper, target, effect, effect.if_several)
                kept.append(target.id)
                continue
            follow = self._deliver(work, stepper, target, effect)
            (kept if follow.events[0].kind is EventKind.ALERT else taken).append(target.id)
            effects.extend(follow.effects)
        sender_stepper = work.steppers[sender.id]
        started: list[str] = []
        if not taken and not kept and effect.start is not None:
            child_id, follow = self._start_instead(work, sender_stepper, sender.id, effect.start, effect.at)
            started.append(child_id)
            effects.extend(follow.effects)
        elif not taken and not kept:
            kept.append(self._undelivered(work, sender_stepper, sender, effect))
        why: dict[str, object] = {"flow": effect.flow_id, "action": effect.action, "taken": taken}
        why["alerts"] = kept
        if started:
            why["started"] = started
        if effect.address is not None:  # by the field, not its value: an ID number is personal
            why["to"] = {"kind": effect.address[0], "field": effect.address[1]}
        label = self._named_in(effect.flow_id, effect.action).get("label")
        if label:  # the action by its name in the flow that has it, for the sender's history
            why["label"] = label
        result = work.record(
            note_sent(sender_stepper, work.current[sender.id], effect.at, why), sender_stepper
        )
        return Result(result.case, (), tuple(effects))

    def _targets(self, work: Work, effect: SendSignal, sender: Case) -> list[Case]:
        """The open cases the signal is for, in id order: by its address, or the nearest
        ancestor of that flow when the signal names no address (format 1)."""
        if effect.addressed:
            if effect.address is None:
                return []
            kind, _field, value = effect.address
            ids = [i for i in open_cases_about(work.conn, effect.flow_id, kind, value) if i != sender.id]
            return [case for case in (self._read(work, i) for i in ids) if case.active]
        ancestor_id = sender.parent_id
        while ancestor_id is not None:
            ancestor = self._read(work, ancestor_id)
            if ancestor.flow_id == effect.flow_id:
                return [ancestor]
            ancestor_id = ancestor.parent_id
        return []

    def _start_instead(
        self, work: Work, stepper: Stepper, sender_id: str, start: Referral, at: datetime
    ) -> tuple[str, Result]:
        """Nobody found: a new case of the `if_none: start` flow at its entry step, given the
        sender's fields, the sender its parent (C6). Returns its id and what it did."""
        sender = work.current[sender_id]
        child_id = f"{sender.id}.{len(sender.children) + 1}"  # as a subflow step names it
        work.record(note_child(stepper, sender, at, start.flow, child_id), stepper)
        follow = self._effect(work, child_start(start, work.current[sender_id], child_id, at))
        return child_id, follow or Result(work.current[child_id], ())

    def _undelivered(self, work: Work, stepper: Stepper, sender: Case, effect: SendSignal) -> str:
        """An `undelivered` alert on the sender, for the signal's `if_none` roles (or the role of
        the sender's step): nobody was found to take it, and somebody must know."""
        roles = effect.if_none or (stepper.flow.steps[sender.step].role,)
        detail: dict[str, object] = {"flow": effect.flow_id, "from_case": sender.id}
        if effect.address is not None:
            detail["to"] = {"kind": effect.address[0], "field": effect.address[1]}
        detail.update(self._named_in(effect.flow_id, effect.action))
        result = raise_alert(
            stepper,
            work.current[sender.id],
            kind=AlertKind.UNDELIVERED,
            name=effect.action,
            at=effect.at,
            roles=roles,
            detail=detail,
        )
        work.record(result, stepper)
        return sender.id

    def _keep(
        self, work: Work, stepper: Stepper, target: Case, effect: SendSignal, roles: tuple[str, ...]
    ) -> Result:
        """The signal kept on `target` as an open alert for `roles` (and its step's role)."""
        detail = {"from_case": effect.from_case, "expects": expected_step(stepper.flow, effect.action)}
        result = raise_alert(
            stepper,
            target,
            kind=AlertKind.SIGNAL,
            name=effect.action,
            at=effect.at,
            roles=roles,
            detail=detail,
            actor=f"case {effect.from_case}",
        )
        return work.record(result, stepper)

    def _named_in(self, flow_id: str, action: str) -> dict[str, object]:
        """The flow a signal went to and its action, by name in each language, for whoever reads
        the alert; nothing if the flow is not in the catalog or broken (the alert then names
        ids: a signal is kept even when its flow cannot be read)."""
        try:
            target = self.flows.shallow(flow_id)
        except FlowError:
            return {}
        if target is None:
            return {}
        names: dict[str, object] = {"flow_title": dict(target.title)}
        labels = [a.label for s in target.steps.values() for a in s.actions if a.name == action]
        labels += [c.label for s in target.steps.values() for c in s.checks if c.name == action]
        for label in labels:
            if label:
                names["label"] = dict(label)
                break
        return names

    def _deliver(self, work: Work, stepper: Stepper, target: Case, effect: SendSignal) -> Result:
        """The signal taken by `target`, or kept on it as an alert if it cannot be taken now."""
        try:
            result = stepper.fire(
                target,
                effect.action,
                actor=f"case {effect.from_case}",
                role=None,
                data={},
                at=max(effect.at, target.updated_at),
                signal=True,
            )
        except CaseError:
            return self._keep(work, stepper, target, effect, effect.alert_roles)
        return work.record(result, stepper)


def _label_of(alert: Alert) -> Mapping[str, str] | None:
    """The alert's own name by language, if it kept one (a signal to another flow's action)."""
    label = alert.detail.get("label")
    return {str(k): str(v) for k, v in label.items()} if isinstance(label, Mapping) else None
