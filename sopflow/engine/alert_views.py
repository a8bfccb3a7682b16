"""Open alerts as plain typed views, in the reader's words (for `case show`, `alert list`, the
case sheet): what was not taken, from which case, since when, and for whom."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import tzinfo
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


def _target_flow(detail: Mapping[str, Any], lang: str) -> str:
    """The flow a signal was sent to, by its name in `lang` when the alert kept it."""
    title = detail.get("flow_title")
    if isinstance(title, Mapping) and title:
        return str(title.get(lang) or next(iter(title.values())))
    return str(detail.get("flow", "-"))


def alert_view(flow: Flow, alert: Alert, lang: str, tz: tzinfo, *, roles: Iterable[str] = ()) -> AlertView:
    """One open alert; `roles`: who else sees it (the role of its case's current step)."""
    everyone = list(dict.fromkeys((*alert.roles, *roles)))
    step = alert.detail.get("step")
    step_id = step if isinstance(step, str) and step in flow.steps else None
    own = alert.detail.get("label")  # a signal to another flow's action names it itself
    label = str(own.get(lang) or next(iter(own.values()))) if isinstance(own, Mapping) and own else None
    label = label or action_label(flow, alert.name, lang)
    step_label = flow.text(flow.steps[step_id].label, lang) if step_id else None
    what = say(
        f"alert.kind.{alert.kind}",
        lang,
        label=label,
        case=alert.from_case or "-",
        step=step_label or "-",
        flow=_target_flow(alert.detail, lang),
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
