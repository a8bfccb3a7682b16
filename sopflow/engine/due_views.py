"""What is due and what time moved, as plain typed views in the reader's words (for `due`,
`tick`, `case show` and the case sheet)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import TypedDict

from sopflow.cases.inputs import local_text
from sopflow.cases.privacy import NO_KINDS, place_shown
from sopflow.cases.records import Case
from sopflow.engine.alert_views import action_label
from sopflow.engine.casewords import outcome_text
from sopflow.engine.schedule import DueItem
from sopflow.engine.stepper import Stepper
from sopflow.language.model import Flow


class DueView(TypedDict):
    kind: str
    name: str
    label: str
    due_at: str | None
    overdue: bool
    roles: list[str]
    role_labels: list[str]


class DueRow(DueView):
    case: str
    flow: str
    flow_title: str
    step: str
    step_label: str
    place: str | None


class MovedRow(TypedDict):
    case: str
    flow: str
    flow_title: str
    step: str
    step_label: str
    status: str
    outcome: str | None
    outcome_label: str | None
    at: str | None


def due_view(stepper: Stepper, item: DueItem, lang: str, tz: tzinfo) -> DueView:
    return {
        "kind": item.kind,
        "name": item.name,
        "label": _label(stepper, item, lang),
        "due_at": local(item.due_at, tz),
        "overdue": item.overdue,
        "roles": list(item.roles),
        "role_labels": roles_text(stepper.flow, item.roles, lang),
    }


def _label(stepper: Stepper, item: DueItem, lang: str) -> str:
    flow = stepper.flow
    step = flow.steps[item.step]
    if item.kind == "deadline":
        return flow.text(step.label, lang)
    if item.kind == "alert":
        if item.label:
            return item.label.get(lang) or next(iter(item.label.values()))
        return action_label(flow, item.name, lang)
    labels = {c.name: c.label for c in step.checks} | {t.name: t.label for t in step.timers}
    return flow.text(labels[item.name], lang) if labels.get(item.name) else item.name


def due_detail(
    stepper: Stepper,
    item: DueItem,
    lang: str,
    tz: tzinfo,
    *,
    show_personal: bool,
    kinds: Mapping[str, str] = NO_KINDS,
) -> DueRow:
    """What is due at a case, and where (a door masked unless `show_personal`; `kinds`: the
    registry's kind of the place, Engine.place_kinds)."""
    flow = stepper.flow
    return {
        "case": item.case_id,
        "flow": item.flow_id,
        "flow_title": flow.text(flow.title, lang),
        "step": item.step,
        "step_label": flow.text(flow.steps[item.step].label, lang),
        "place": place_shown(item.place, kinds, show_personal=show_personal),
        **due_view(stepper, item, lang, tz),
    }


def moved_detail(stepper: Stepper, case: Case, lang: str, tz: tzinfo, at: datetime) -> MovedRow:
    """A case that time moved on (`tick`): where it is now, in the reader's words."""
    flow = stepper.flow
    return {
        "case": case.id,
        "flow": case.flow_id,
        "flow_title": flow.text(flow.title, lang),
        "step": case.step,
        "step_label": flow.text(flow.steps[case.step].label, lang),
        "status": str(case.status),
        "outcome": case.outcome,
        "outcome_label": outcome_text(flow, case.outcome, lang),
        "at": local(at, tz),
    }


def roles_text(flow: Flow, roles: tuple[str, ...] | list[str], lang: str) -> list[str]:
    return [flow.text(flow.roles[r], lang) if r in flow.roles else r for r in roles]


def local(moment: datetime | None, tz: tzinfo) -> str | None:
    return local_text(moment, tz) if moment is not None else None
