"""Flows as plain data for people and programs: what `flows show`, `list` and `paths` print."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sopflow.engine.durations import format_duration
from sopflow.engine.model import Action, Branch, Check, Flow, Step, Timer
from sopflow.engine.paths import FlowPath


def flow_summary(flow: Flow, lang: str) -> dict[str, Any]:
    """One line's worth: id, version, title, size."""
    return {
        "id": flow.id,
        "version": flow.version,
        "title": flow.text(flow.title, lang),
        "unit": flow.unit,
        "steps": len(flow.steps),
        "outcomes": list(flow.outcomes),
        "file": flow.source_path,
    }


def flow_detail(flow: Flow, lang: str) -> dict[str, Any]:
    """Everything a reader needs to follow the flow: roles, fields, steps and their ways out."""
    return {
        **flow_summary(flow, lang),
        "description": flow.text(flow.description, lang),
        "start": flow.start,
        "languages": list(flow.languages),
        "roles": {r: flow.text(name, lang) for r, name in flow.roles.items()},
        "params": {
            p.id: {"value": _plain(p.value), "label": flow.text(p.label, lang), "source": p.source}
            for p in flow.params.values()
        },
        "fields": {
            f.id: {
                "type": str(f.type),
                "label": flow.text(f.label, lang),
                "required": f.required,
                "personal": f.personal,
            }
            for f in flow.fields.values()
        },
        "steps": [_step(flow, s, lang) for s in flow.steps.values()],
    }


def _step(flow: Flow, step: Step, lang: str) -> dict[str, Any]:
    labels = {s.id: flow.text(s.label, lang) for s in flow.steps.values()}
    ways: list[dict[str, Any]] = []
    for action in step.actions:
        ways.append(
            {
                "name": action.name,
                "kind": "action",
                "label": flow.text(action.label, lang) or action.name,
                "to": action.to,
                "to_label": labels[action.to],
                "roles": list(action.roles),
                "requires": list(action.requires),
                "when": action.guard.source if action.guard else None,
            }
        )
    for branch in step.branches:
        ways.append(
            {
                "name": branch.name,
                "kind": "branch",
                "label": flow.text(branch.label, lang) or branch.name,
                "to": branch.to,
                "to_label": labels[branch.to],
                "default": branch.default,
                "when": branch.guard.source if branch.guard else None,
            }
        )
    for timer in step.timers:
        ways.append(
            {
                "name": timer.name,
                "kind": "timer",
                "label": flow.text(timer.label, lang) or timer.name,
                "to": timer.to,
                "to_label": labels[timer.to],
                "after": format_duration(timer.after),
                "from": timer.from_field or "entered",
            }
        )
    for check in step.checks:
        if check.escalate:
            ways.append(
                {
                    "name": check.name,
                    "kind": "escalate",
                    "label": flow.text(check.label, lang) or check.name,
                    "to": check.escalate.to,
                    "to_label": labels[check.escalate.to],
                    "when": check.escalate.guard.source,
                }
            )
    if step.next:
        ways.append(
            {"name": "next", "kind": "next", "label": "", "to": step.next, "to_label": labels[step.next]}
        )
    for outcome, target in step.outcomes.items():
        ways.append(
            {"name": outcome, "kind": "outcome", "label": outcome, "to": target, "to_label": labels[target]}
        )
    return {
        "id": step.id,
        "kind": str(step.kind),
        "label": flow.text(step.label, lang),
        "role": step.role,
        "role_label": flow.text(flow.roles[step.role], lang),
        "deadline": format_duration(step.deadline) if step.deadline else None,
        "group": step.group,
        "instructions": flow.text(step.instructions, lang),
        "documents": [flow.text(d, lang) for d in step.documents],
        "checks": [
            {
                "name": c.name,
                "label": flow.text(c.label, lang) or c.name,
                "every": format_duration(c.every),
                "roles": list(c.roles),
            }
            for c in step.checks
        ],
        "subflow": step.subflow,
        "outcome": step.outcome,
        "ways": ways,
    }


def path_detail(flow: Flow, path: FlowPath, lang: str) -> dict[str, Any]:
    return {
        "outcome": path.outcome,
        "steps": list(path.steps),
        "hops": [{"from": h.step, "way": h.way, "kind": h.kind, "to": h.to} for h in path.hops],
        "text": path_text(flow, path, lang),
    }


def path_text(flow: Flow, path: FlowPath, lang: str) -> str:
    """'登记 ─[登记完成]→ 风险分类 ─[…]→ 解除隔离' in the reader's language."""
    if not path.hops:
        return flow.text(flow.steps[flow.start].label, lang)
    parts = [flow.text(flow.steps[path.hops[0].step].label, lang)]
    for hop in path.hops:
        parts.append(
            f" ─[{_way_label(flow, hop.step, hop.way, lang)}]→ {flow.text(flow.steps[hop.to].label, lang)}"
        )
    return "".join(parts)


def _way_label(flow: Flow, step_id: str, way: str, lang: str) -> str:
    step = flow.steps[step_id]
    labelled: list[Action | Branch | Timer | Check] = [
        *step.actions,
        *step.branches,
        *step.timers,
        *step.checks,
    ]
    for item in labelled:
        if item.name == way and item.label:
            return flow.text(item.label, lang)
    return way


def _plain(value: object) -> object:
    return format_duration(value) if isinstance(value, timedelta) else value
