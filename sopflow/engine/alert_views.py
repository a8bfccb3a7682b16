"""Open alerts as plain typed views, in the reader's words (for `case show`, `alert list`, the
case sheet): what was not taken, from which case, since when, and for whom."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, tzinfo
from typing import Any, TypedDict

from sopflow.cases.alerts import Alert
from sopflow.cases.inputs import local_text
from sopflow.i18n import say
from sopflow.language.model import Flow


class AlertView(TypedDict):
    id: str
    case: str
    kind: str
    name: str
    label: str
    from_case: str | None
    raised_at: str
    step: str | None
    step_label: str | None
    roles: list[str]
    role_labels: list[str]
    what: str
    detail: dict[str, Any]


def action_label(flow: Flow, name: str, lang: str) -> str:
    """An action (or check) of the flow by its label, wherever it is offered; its name if none."""
    for step in flow.steps.values():
        labels = [a.label for a in step.actions if a.name == name]
        labels += [c.label for c in step.checks if c.name == name]
        for label in labels:
            if label:
                return flow.text(label, lang)
    return name


def _target_flow(detail: Mapping[str, Any], target: Flow | None, lang: str) -> str:
    """The flow a signal was sent to, by its name in `lang`: as the alert kept it, else from the
    catalog, else its id."""
    title = detail.get("flow_title")
    if isinstance(title, Mapping) and title:
        return str(title.get(lang) or next(iter(title.values())))
    return target.text(target.title, lang) if target is not None else str(detail.get("flow") or "-")


def alert_view(
    flow: Flow,
    alert: Alert,
    lang: str,
    tz: tzinfo,
    *,
    roles: Iterable[str] = (),
    other_flow: Callable[[str], Flow | None] | None = None,
) -> AlertView:
    """One open alert; `roles`: who else sees it (the role of its case's current step);
    `other_flow`: a flow by id, to name an undelivered signal's action and flow in words when
    the alert did not keep their names."""
    everyone = list(dict.fromkeys((*alert.roles, *roles)))
    step = alert.detail.get("step")
    step_id = step if isinstance(step, str) and step in flow.steps else None
    target_id = str(alert.detail.get("flow", ""))
    target = other_flow(target_id) if other_flow is not None and target_id else None
    own = alert.detail.get("label")  # a signal to another flow's action names it itself
    label = str(own.get(lang) or next(iter(own.values()))) if isinstance(own, Mapping) and own else None
    label = label or action_label(target or flow, alert.name, lang)
    step_label = flow.text(flow.steps[step_id].label, lang) if step_id else None
    what = say(
        f"alert.kind.{alert.kind}",
        lang,
        label=label,
        case=alert.from_case or "-",
        step=step_label or "-",
        flow=_target_flow(alert.detail, target, lang),
        name=alert.name,
        at=_local(alert.detail.get("at"), tz),  # a late entry: when the reading was taken
    )
    return {
        "id": alert.id,
        "case": alert.case_id,
        "kind": alert.kind,
        "name": alert.name,
        "label": label,
        "from_case": alert.from_case,
        "raised_at": local_text(alert.raised_at, tz),
        "step": step_id,
        "step_label": step_label,
        "roles": everyone,
        "role_labels": [flow.text(flow.roles[r], lang) if r in flow.roles else r for r in everyone],
        "what": what,
        "detail": dict(alert.detail),
    }


def _local(value: Any, tz: tzinfo) -> str:
    """An ISO time an alert kept, in local time ("-" if none)."""
    if not isinstance(value, str):
        return "-"
    try:
        return local_text(datetime.fromisoformat(value), tz)
    except ValueError:
        return value
