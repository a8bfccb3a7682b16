"""Cases as plain data for people and programs: what `case show`, `list`, `history` and `due` print.

Times are shown in local time, date-time fields too (as ISO text with the local offset, which
`shown_value` turns into what a person reads); personal fields are masked unless asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import TYPE_CHECKING, Any, TypedDict

from sopflow.cases.fielddata import to_json
from sopflow.cases.inputs import local_text
from sopflow.cases.privacy import mask_actor, mask_value, masked
from sopflow.cases.records import Case, Event, EventKind
from sopflow.engine.schedule import DueItem, due_items
from sopflow.engine.stepper import Stepper
from sopflow.i18n import say
from sopflow.language.model import FieldSpec, FieldType, Flow

if TYPE_CHECKING:
    from sopflow.engine.runtime import Engine
    from sopflow.engine.verify import Discrepancy


class CaseSummary(TypedDict):
    id: str
    flow: str
    flow_version: str
    step: str
    step_label: str
    status: str
    outcome: str | None
    place: str | None
    parent: str | None
    children: list[str]
    updated_at: str | None
    data: dict[str, Any]


class DueView(TypedDict):
    kind: str
    name: str
    label: str
    due_at: str | None
    overdue: bool
    roles: list[str]


class DueRow(DueView):
    case: str
    flow: str
    step: str
    step_label: str
    place: str | None


class OfferView(TypedDict):
    name: str
    kind: str
    label: str
    to: str | None
    to_label: str | None
    roles: list[str]
    requires: list[str]
    accepts: list[str]
    available: bool
    reason: str | None
    problem: str | None


# One entry of a case's history ("from" is a keyword, hence the functional form).
EventView = TypedDict(
    "EventView",
    {
        "seq": int,
        "at": str | None,
        "kind": str,
        "name": str,
        "actor": str,
        "role": str | None,
        "from": str | None,
        "from_label": str | None,
        "to": str | None,
        "to_label": str | None,
        "changes": dict[str, list[Any]],
        "note": str | None,
        "why": dict[str, Any] | None,
        "child": str | None,
    },
)


class CaseDetail(CaseSummary):
    role: str | None
    role_label: str | None
    instructions: str
    due: list[DueView]
    offers: list[OfferView]
    history: list[EventView]


class MovedRow(TypedDict):
    case: str
    flow: str
    step: str
    step_label: str
    status: str
    outcome: str | None
    at: str | None


class DiscrepancyRow(TypedDict):
    case: str
    field: str
    stored: Any
    replayed: Any


def local(moment: datetime | None, tz: tzinfo) -> str | None:
    return local_text(moment, tz) if moment is not None else None


def field_json(spec: FieldSpec | None, value: Any, tz: tzinfo) -> Any:
    """A value of case data as JSON data, a date-time as ISO text in local time with its offset
    (2020-02-03T10:00:00+08:00): the value itself, or the UTC text a history keeps."""
    if spec is not None and spec.type is FieldType.DATETIME:
        moment = _moment(value)
        if moment is not None:
            return moment.astimezone(tz).isoformat()
    return to_json(value)


def shown_value(fields: Mapping[str, FieldSpec], name: str, value: Any) -> str:
    """A JSON value of field `name` as a person reads it: a date-time as 2020-02-03 10:00."""
    spec = fields.get(name)
    if spec is not None and spec.type is FieldType.DATETIME:
        moment = _moment(value)
        if moment is not None:
            return moment.strftime("%Y-%m-%d %H:%M")
    return str(value)


def _moment(value: Any) -> datetime | None:
    """A date-time, or ISO text of one (None for anything else, e.g. a masked value)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def case_summary(stepper: Stepper, case: Case, lang: str, tz: tzinfo, *, show_personal: bool) -> CaseSummary:
    flow = stepper.flow
    step = flow.steps[case.step]
    data = masked(flow.fields, case.data, show_personal=show_personal)
    return {
        "id": case.id,
        "flow": case.flow_id,
        "flow_version": case.flow_version,
        "step": case.step,
        "step_label": flow.text(step.label, lang),
        "status": str(case.status),
        "outcome": case.outcome,
        "place": case.place,
        "parent": case.parent_id,
        "children": list(case.children),
        "updated_at": local(case.updated_at, tz),
        "data": {k: field_json(flow.fields.get(k), v, tz) for k, v in data.items()},
    }


def case_detail(
    stepper: Stepper, case: Case, lang: str, tz: tzinfo, now: datetime, *, show_personal: bool
) -> CaseDetail:
    """Where the case is, what to do now, who, by when, what comes next, and its history."""
    flow = stepper.flow
    step = flow.steps[case.step]
    offers: list[OfferView] = [
        {
            "name": o.name,
            "kind": o.kind,
            "label": flow.text(o.label, lang) or o.name,
            "to": o.to,
            "to_label": flow.text(flow.steps[o.to].label, lang) if o.to else None,
            "roles": list(o.roles),
            "requires": list(o.requires),
            "accepts": list(o.accepts),
            "available": o.available,
            "reason": o.reason,
            "problem": say(o.problem.code, lang, **o.problem.params) if o.problem else None,
        }
        for o in stepper.offers(case, now)
    ]
    return {
        **case_summary(stepper, case, lang, tz, show_personal=show_personal),
        "role": step.role if case.active else None,
        "role_label": flow.text(flow.roles[step.role], lang) if case.active else None,
        "instructions": flow.text(step.instructions, lang) if case.active else "",
        "due": [_due(stepper, item, lang, tz) for item in due_items(stepper, case, now)],
        "offers": offers,
        "history": [event_detail(stepper, e, lang, tz, show_personal=show_personal) for e in case.history],
    }


def _due(stepper: Stepper, item: DueItem, lang: str, tz: tzinfo) -> DueView:
    return {
        "kind": item.kind,
        "name": item.name,
        "label": _label(stepper, item, lang),
        "due_at": local(item.due_at, tz),
        "overdue": item.overdue,
        "roles": list(item.roles),
    }


def _label(stepper: Stepper, item: DueItem, lang: str) -> str:
    flow = stepper.flow
    step = flow.steps[item.step]
    if item.kind == "deadline":
        return flow.text(step.label, lang)
    labels = {c.name: c.label for c in step.checks} | {t.name: t.label for t in step.timers}
    return flow.text(labels[item.name], lang) if labels.get(item.name) else item.name


def due_detail(stepper: Stepper, item: DueItem, lang: str, tz: tzinfo) -> DueRow:
    flow = stepper.flow
    return {
        "case": item.case_id,
        "flow": item.flow_id,
        "step": item.step,
        "step_label": flow.text(flow.steps[item.step].label, lang),
        "place": item.place,
        **_due(stepper, item, lang, tz),
    }


def moved_detail(stepper: Stepper, case: Case, lang: str, tz: tzinfo, at: datetime) -> MovedRow:
    """A case that time moved on (`tick`): where it is now, in the reader's words."""
    flow = stepper.flow
    return {
        "case": case.id,
        "flow": case.flow_id,
        "step": case.step,
        "step_label": flow.text(flow.steps[case.step].label, lang),
        "status": str(case.status),
        "outcome": case.outcome,
        "at": local(at, tz),
    }


def event_detail(stepper: Stepper, event: Event, lang: str, tz: tzinfo, *, show_personal: bool) -> EventView:
    flow = stepper.flow

    def label(step: str | None) -> str | None:
        return flow.text(flow.steps[step].label, lang) if step is not None and step in flow.steps else step

    def shown(name: str, value: Any) -> Any:
        spec = flow.fields.get(name)
        return field_json(spec, value if show_personal else mask_value(spec, value), tz)

    changes = {name: [shown(name, old), shown(name, new)] for name, (old, new) in event.changes.items()}
    return {
        "seq": event.seq,
        "at": local(event.at, tz),
        "kind": str(event.kind),
        "name": event.name,
        "actor": mask_actor(event.actor, show_personal=show_personal),
        "role": event.role,
        "from": event.from_step,
        "from_label": label(event.from_step),
        "to": event.to_step,
        "to_label": label(event.to_step),
        "changes": changes,
        "note": event.note,
        "why": _shown_why(flow.fields, _reasons(flow, event), tz, show_personal=show_personal),
        "child": event.child_id,
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
    return {"guard": rules[0] if rules else event.name, "values": dict(why)}


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


def discrepancy_rows(
    stepper: Stepper | None, found: Discrepancy, tz: tzinfo, *, show_personal: bool
) -> list[DiscrepancyRow]:
    """What `verify` found differing in one case, as JSON data: one row per differing data field
    or check (`data.full_name`, `last_checks.temperature_check`), personal values masked, times
    in local time. `stepper`: the case's rules (None for a case that cannot be read)."""
    fields = stepper.flow.fields if stepper is not None else {}
    if found.field == "data" and isinstance(found.stored, Mapping) and isinstance(found.replayed, Mapping):

        def shown(name: str, value: Any) -> Any:
            spec = fields.get(name)
            return field_json(spec, value if show_personal else mask_value(spec, value), tz)

        stored, replayed = found.stored, found.replayed
        return [
            _discrepancy(
                found, f"data.{name}", shown(name, stored.get(name)), shown(name, replayed.get(name))
            )
            for name in sorted(set(stored) | set(replayed))
            if stored.get(name) != replayed.get(name)
        ]
    if isinstance(found.stored, Mapping) and isinstance(found.replayed, Mapping):  # last_checks
        stored, replayed = found.stored, found.replayed
        return [
            _discrepancy(
                found, f"{found.field}.{name}", _plain(stored.get(name), tz), _plain(replayed.get(name), tz)
            )
            for name in sorted(set(stored) | set(replayed))
            if stored.get(name) != replayed.get(name)
        ]
    return [_discrepancy(found, found.field, _plain(found.stored, tz), _plain(found.replayed, tz))]


def _discrepancy(found: Discrepancy, field: str, stored: Any, replayed: Any) -> DiscrepancyRow:
    return {"case": found.case_id, "field": field, "stored": stored, "replayed": replayed}


def discrepancy_text(fields: Mapping[str, FieldSpec], field: str, value: Any) -> str:
    """A value of a `discrepancy_rows` row as a person reads it."""
    if value is None:
        return "-"
    if field.startswith("data."):
        return shown_value(fields, field.removeprefix("data."), value)
    moment = _moment(value) if field == "entered_at" or field.startswith("last_checks.") else None
    if moment is not None:
        return moment.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "-"
    return str(value)


def _plain(value: Any, tz: tzinfo) -> Any:
    """Any value a case holds as JSON data: times in local time, tuples as lists."""
    if isinstance(value, datetime):
        return value.astimezone(tz).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v, tz) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, tz) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)  # text, and a case's status (a str enum) as its plain text


@dataclass(frozen=True)
class CaseSheetView:
    """What a printed case sheet shows, made by an Engine: the page itself never reads a store."""

    flow: Flow
    detail: CaseDetail
    entered_at: datetime  # when the case entered the step it is at
    printed_at: datetime
    tz: tzinfo
    show_personal: bool


def case_sheet_view(
    engine: Engine, case_id: str, lang: str, now: datetime | None = None, *, show_personal: bool = False
) -> CaseSheetView:
    """The case sheet of `case_id` as of `now` (default: the engine's clock; a time without a zone
    is the engine's local time)."""
    case = engine.case(case_id)
    stepper = engine.stepper_for(case)
    moment = now or engine.clock()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=engine.tz)
    detail = case_detail(stepper, case, lang, engine.tz, moment, show_personal=show_personal)
    return CaseSheetView(stepper.flow, detail, case.entered_at, moment, engine.tz, show_personal)
