"""Cases as plain data for people and programs: what `case show`, `list`, `history` and `due` print.

Times are shown in local time, date-time fields too (as ISO text with the local offset, which
`shown_value` turns into what a person reads); personal fields are masked unless asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any, TypedDict

from sopflow.cases.fielddata import to_json
from sopflow.cases.inputs import local_text
from sopflow.cases.lookalike import SYSTEM
from sopflow.cases.members import joined, members
from sopflow.cases.privacy import NO_KINDS, mask_actor, mask_note, mask_value, masked, place_shown
from sopflow.cases.records import CORRECTIONS, Case, Event, EventKind
from sopflow.engine.alert_views import AlertView, alert_view
from sopflow.engine.casewords import (
    ChildFlow,
    event_text,
    field_label,
    no_child,
    outcome_text,
    value_text,
    why_text,
)
from sopflow.engine.changes import Offer
from sopflow.engine.check_views import CheckView, check_views
from sopflow.engine.correction_views import (
    corrections_of,
    masked_why,
    merged_into,
    summary,
    worker_shown,
)
from sopflow.engine.due_views import DueView, due_view
from sopflow.engine.schedule import due_items
from sopflow.engine.stepper import Stepper
from sopflow.i18n import say
from sopflow.i18n.catalogue import Phrase
from sopflow.language.model import FieldSpec, FieldType, Flow
from sopflow.language.wording import condition_words


class CaseSummary(TypedDict):
    """Ids as stored (`flow`, `step`, `outcome`, the keys of `data`), each with its words beside
    it: `flow_title`, `step_label`, `outcome_label`, `data_labels` (field -> label) and
    `data_text` (field -> the value as a person reads it, masked as `data` is)."""

    id: str
    flow: str
    flow_title: str
    flow_version: str
    step: str
    step_label: str
    status: str
    outcome: str | None
    outcome_label: str | None
    place: str | None
    parent: str | None
    children: list[str]
    updated_at: str | None
    data: dict[str, Any]
    data_labels: dict[str, str]
    data_text: dict[str, str]
    assigned_to: str | None


class OfferView(TypedDict):
    name: str
    kind: str
    label: str
    to: str | None
    to_label: str | None
    roles: list[str]
    role_labels: list[str]
    requires: list[str]
    requires_labels: list[str]
    accepts: list[str]
    accepts_labels: list[str]
    held: dict[str, str]  # required fields the case holds (taken unless given anew): their values
    available: bool
    reason: str | None  # the rule that does not hold, as written
    reason_text: str | None  # and in words
    problem: str | None


# One entry of a case's history ("from" is a keyword, hence the functional form).
EventView = TypedDict(
    "EventView",
    {
        "seq": int,
        "at": str | None,
        "kind": str,
        "name": str,
        "what": str,
        "actor": str,
        "actor_label": str,
        "role": str | None,
        "role_label": str | None,
        "from": str | None,
        "from_label": str | None,
        "to": str | None,
        "to_label": str | None,
        "changes": dict[str, list[Any]],
        "change_labels": dict[str, str],
        "changes_text": dict[str, str],
        "note": str | None,
        "why": dict[str, Any] | None,
        "why_text": str | None,
        "child": str | None,
        "summary": str | None,  # what a correction or change of hand did, in words
        "corrected_in": list[int],  # the amendments that later corrected this entry
        "late": bool,  # a check entered late (issue 11, C12): `at` is when it happened
        "recorded_at": str | None,  # and when it was entered
        "entered_late": str | None,  # that in words: (entered 2020-02-15 10:30 by 王芳)
    },
)


class CaseDetail(CaseSummary):
    role: str | None
    role_label: str | None
    instructions: str
    due: list[DueView]
    offers: list[OfferView]
    history: list[EventView]
    merged_into: str | None
    alerts: list[AlertView]  # open alerts, shown before anything else (engine/alert_views.py)
    checks: list[CheckView]  # readings recorded and checks missed, as the flow's rules count them
    members: list[str]  # a shared case's member cases, in joining order (C4; ids, nothing personal)
    members_left: list[str]  # those of them that have left
    shares: list[str]  # the shared cases this case joined


def local(moment: datetime | None, tz: tzinfo) -> str | None:
    return local_text(moment, tz) if moment is not None else None


def field_json(spec: FieldSpec | None, value: Any, tz: tzinfo) -> Any:
    """A value of case data as JSON data, a date-time as ISO text in local time with its offset
    (2020-02-03T10:00:00+08:00): the value itself, or the UTC text a history keeps."""
    if spec is not None and spec.type is FieldType.DATETIME:
        moment = moment_of(value)
        if moment is not None:
            return moment.astimezone(tz).isoformat()
    return to_json(value)


def shown_value(fields: Mapping[str, FieldSpec], name: str, value: Any) -> str:
    """A JSON value of field `name` as a person reads it: a date-time as 2020-02-03 10:00."""
    spec = fields.get(name)
    if spec is not None and spec.type is FieldType.DATETIME:
        moment = moment_of(value)
        if moment is not None:
            return moment.strftime("%Y-%m-%d %H:%M")
    return str(value)


def moment_of(value: Any) -> datetime | None:
    """A date-time, or ISO text of one (None for anything else, e.g. a masked value)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def case_summary(
    stepper: Stepper,
    case: Case,
    lang: str,
    tz: tzinfo,
    *,
    show_personal: bool,
    kinds: Mapping[str, str] = NO_KINDS,
) -> CaseSummary:
    """`kinds`: the registry's kind of the case's place (Registry.kinds): a door is masked."""
    flow = stepper.flow
    step = flow.steps[case.step]
    data = masked(flow.fields, case.data, show_personal=show_personal)
    shown = {k: field_json(flow.fields.get(k), v, tz) for k, v in data.items()}
    return {
        "id": case.id,
        "flow": case.flow_id,
        "flow_title": flow.text(flow.title, lang),
        "flow_version": case.flow_version,
        "step": case.step,
        "step_label": flow.text(step.label, lang),
        "status": str(case.status),
        "outcome": case.outcome,
        "outcome_label": outcome_text(flow, case.outcome, lang),
        "place": place_shown(case.place, kinds, show_personal=show_personal),
        "parent": case.parent_id,
        "children": list(case.children),
        "updated_at": local(case.updated_at, tz),
        "data": shown,
        "data_labels": {k: field_label(flow, k, lang) for k in shown},
        "data_text": {k: value_text(flow, k, v, lang) for k, v in shown.items()},
        "assigned_to": worker_shown(case.assigned_to, show_personal=show_personal),
    }


def case_detail(
    stepper: Stepper,
    case: Case,
    lang: str,
    tz: tzinfo,
    now: datetime,
    *,
    show_personal: bool,
    child_flow: ChildFlow = no_child,
    kinds: Mapping[str, str] = NO_KINDS,
) -> CaseDetail:
    """Where the case is, what to do now, who, by when, what comes next, and its history.
    `child_flow`: a flow by id, to name child flows and their outcomes in the history; `kinds`:
    the registry's kind of the places it names (Registry.kinds of places_named(case))."""
    flow = stepper.flow
    step = flow.steps[case.step]
    sharing = members(case.parent_id, case.history)
    return {
        **case_summary(stepper, case, lang, tz, show_personal=show_personal, kinds=kinds),
        "role": step.role if case.active else None,
        "role_label": flow.text(flow.roles[step.role], lang) if case.active else None,
        "instructions": flow.text(step.instructions, lang) if case.active else "",
        "due": [due_view(stepper, item, lang, tz) for item in due_items(stepper, case, now)],
        "offers": [
            _offer(flow, case, o, lang, tz=tz, show_personal=show_personal) for o in stepper.offers(case, now)
        ],
        "history": history_detail(
            stepper, case.history, lang, tz, show_personal=show_personal, child_flow=child_flow, kinds=kinds
        ),
        "merged_into": merged_into(case),
        "alerts": [
            alert_view(flow, a, lang, tz, roles=[step.role], other_flow=child_flow) for a in case.alerts
        ],
        "checks": check_views(flow, case.history, lang, tz, now),
        # who shares the case (C4): its members and those who left; the shared cases it joined
        "members": list(sharing),
        "members_left": [m for m, still in sharing.items() if not still],
        "shares": joined(case.history),
    }


def _offer(flow: Flow, case: Case, offer: Offer, lang: str, *, tz: tzinfo, show_personal: bool) -> OfferView:
    def labels(names: tuple[str, ...]) -> list[str]:
        return [field_label(flow, n, lang) for n in names]

    held = {n: field_json(flow.fields.get(n), case.data[n], tz) for n in offer.held}
    if not show_personal:
        held = {
            n: field_json(flow.fields.get(n), mask_value(flow.fields.get(n), case.data[n]), tz) for n in held
        }
    return {
        "name": offer.name,
        "kind": offer.kind,
        "label": flow.text(offer.label, lang) or offer.name,
        "to": offer.to,
        "to_label": flow.text(flow.steps[offer.to].label, lang) if offer.to else None,
        "roles": list(offer.roles),
        "role_labels": _roles(flow, offer.roles, lang),
        "requires": list(offer.requires),
        "requires_labels": labels(offer.requires),
        "accepts": list(offer.accepts),
        "accepts_labels": labels(offer.accepts),
        "held": {n: value_text(flow, n, v, lang) for n, v in held.items()},
        "available": offer.available,
        "reason": offer.reason,
        "reason_text": condition_words(flow, offer.reason, lang) if offer.reason else None,
        "problem": _problem_words(flow, offer.problem, lang) if offer.problem else None,
    }


def _problem_words(flow: Flow, problem: Phrase, lang: str) -> str:
    """Why an offer cannot run, a field it names shown by its label (`本户仍在管控人数`, not its id)."""
    params = dict(problem.params)
    field = flow.fields.get(str(params.get("name", "")))
    if field is not None:
        params["name"] = flow.text(field.label, lang) or params["name"]
    return say(problem.code, lang, **params)


def _roles(flow: Flow, roles: tuple[str, ...] | list[str], lang: str) -> list[str]:
    return [flow.text(flow.roles[r], lang) if r in flow.roles else r for r in roles]


def history_detail(
    stepper: Stepper,
    history: tuple[Event, ...],
    lang: str,
    tz: tzinfo,
    *,
    show_personal: bool,
    child_flow: ChildFlow = no_child,
    kinds: Mapping[str, str] = NO_KINDS,
) -> list[EventView]:
    """A case's history, each entry with the amendments that corrected it later."""
    corrected = corrections_of(history)
    if any(e.late for e in history):  # shown in the order things happened (engine/late.py)
        history = tuple(sorted(history, key=lambda e: (e.at, e.seq)))
    return [
        event_detail(
            stepper,
            e,
            lang,
            tz,
            show_personal=show_personal,
            child_flow=child_flow,
            corrected_in=corrected.get(e.seq, ()),
            kinds=kinds,
        )
        for e in history
    ]


def event_detail(
    stepper: Stepper,
    event: Event,
    lang: str,
    tz: tzinfo,
    *,
    show_personal: bool,
    child_flow: ChildFlow = no_child,
    corrected_in: Sequence[int] = (),
    kinds: Mapping[str, str] = NO_KINDS,
) -> EventView:
    """One entry of a history: ids as stored, and the same in words (`what`, labels, `why_text`);
    personal values masked, and phone and ID numbers in notes and the doors of places (`kinds`:
    the registry's kind of each), unless `show_personal`."""
    flow = stepper.flow

    def label(step: str | None) -> str | None:
        return flow.text(flow.steps[step].label, lang) if step is not None and step in flow.steps else step

    def shown(name: str, value: Any) -> Any:
        spec = flow.fields.get(name)
        return field_json(spec, value if show_personal else mask_value(spec, value), tz)

    changes = {name: [shown(name, old), shown(name, new)] for name, (old, new) in event.changes.items()}
    if event.kind in CORRECTIONS or event.kind is EventKind.AMEND:
        why = masked_why(flow, event, show_personal=show_personal, kinds=kinds)
    else:
        why = _shown_why(flow.fields, _reasons(flow, event), tz, show_personal=show_personal)
    kind = str(event.kind)
    actor = mask_actor(event.actor, show_personal=show_personal)
    return {
        "seq": event.seq,
        "at": local(event.at, tz),
        "kind": kind,
        "name": event.name,
        "what": event_text(flow, event, lang, child_flow),
        "actor": actor,
        "actor_label": say("word.system", lang) if event.actor == SYSTEM else actor,
        "role": event.role,
        "role_label": _roles(flow, [event.role], lang)[0] if event.role else None,
        "from": event.from_step,
        "from_label": label(event.from_step),
        "to": event.to_step,
        "to_label": label(event.to_step),
        "changes": changes,
        "change_labels": {name: field_label(flow, name, lang) for name in changes},
        "changes_text": {name: value_text(flow, name, new, lang) for name, (_old, new) in changes.items()},
        "note": mask_note(event.note, show_personal=show_personal),
        "why": why,
        "why_text": why_text(flow, event, why, lang),
        "child": event.child_id,
        "summary": summary(flow, event, lang, tz, show_personal=show_personal, kinds=kinds),
        "corrected_in": list(corrected_in),
        "late": event.late,
        "recorded_at": local(event.recorded_at, tz),
        "entered_late": say("history.entered_late", lang, at=local(event.recorded_at, tz) or "-", actor=actor)
        if event.late
        else None,
    }


def _reasons(flow: Flow, event: Event) -> Mapping[str, Any] | None:
    """An event's `why`; an escalation's (which holds only the values its check saw) in the shape
    of a decision's, with the rule it met: {"guard": ..., "values": {...}}."""
    why = event.why
    if event.kind is not EventKind.ESCALATE or not why or "guard" in why:
        return why
    step = flow.steps.get(event.from_step or "")
    rules = (
        [c.escalate.guard.source for c in step.checks if c.name == event.name and c.escalate] if step else []
    )
    values = {k: v for k, v in why.items() if k != "late_from"}  # a late entry's: its own time
    return {"guard": rules[0] if rules else event.name, "values": values}


def _shown_why(
    fields: Mapping[str, FieldSpec], why: Any, tz: tzinfo, *, show_personal: bool
) -> dict[str, Any] | None:
    """A decision's reasons, the values it saw shown like the data itself (masked, local time)."""
    if not why:
        return None

    def values(seen: Mapping[str, Any]) -> dict[str, Any]:
        return {
            k: field_json(fields.get(k), v if show_personal else mask_value(fields.get(k), v), tz)
            for k, v in seen.items()
        }

    shown = dict(why)
    if isinstance(shown.get("values"), dict):
        shown["values"] = values(shown["values"])
    if isinstance(shown.get("tried"), list):
        shown["tried"] = [{**t, "values": values(t.get("values", {}))} for t in shown["tried"]]
    return shown
