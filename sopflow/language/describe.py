"""Flows as plain data for people and programs: what `flows show`, `list` and `paths` print."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, NotRequired, TypedDict

from sopflow.i18n import duration_words, say
from sopflow.language.durations import format_duration
from sopflow.language.model import Action, Branch, Check, Condition, EdgeKind, Flow, Step, Timer
from sopflow.language.naming import FlowNames
from sopflow.language.paths import FlowPath
from sopflow.language.wording import condition_words

ChildFlow = Callable[[str], Flow | None]  # a child flow by id, to name its outcomes (None: unknown)


def _no_child(_flow_id: str) -> Flow | None:
    return None


class FlowSummary(TypedDict):
    id: str
    version: str
    title: str
    unit: str | None
    steps: int
    outcomes: list[str]
    file: str | None


class ParamView(TypedDict):
    value: object
    label: str
    source: str | None


class FieldView(TypedDict):
    type: str
    label: str
    required: bool
    personal: bool


class CheckView(TypedDict):
    name: str
    label: str
    every: str | None  # None: at fixed times (`at`) or once
    every_text: str  # when it is owed, in words (schedule_words)
    at: list[str]
    window: str | None
    once: bool
    roles: list[str]
    role_labels: list[str]


# A way out of a step; which keys beyond the first five it has depends on its kind. ("from" is a
# keyword, hence the functional form.)
WayView = TypedDict(
    "WayView",
    {
        "name": str,
        "kind": str,
        "label": str,
        "to": str,
        "to_label": str,
        "roles": NotRequired[list[str]],
        "role_labels": NotRequired[list[str]],
        "requires": NotRequired[list[str]],
        "requires_labels": NotRequired[list[str]],
        "when": NotRequired[str | None],
        "when_text": NotRequired[str | None],
        "default": NotRequired[bool],
        "after": NotRequired[str],
        "after_text": NotRequired[str],
        "from_label": NotRequired[str | None],
        "from": NotRequired[str],
    },
)


class StepView(TypedDict):
    id: str
    kind: str
    label: str
    role: str
    role_label: str
    deadline: str | None
    deadline_text: str | None
    group: str | None
    instructions: str
    documents: list[str]
    checks: list[CheckView]
    subflow: str | None
    start_at: str | None  # the child's entry step (C6)
    entry: list[str] | None  # a case may start here, given these fields
    outcome: str | None
    outcome_label: str | None
    ways: list[WayView]


class FlowDetail(TypedDict):
    """A flow's summary (but with its steps listed, not counted), and everything in it."""

    id: str
    version: str
    title: str
    unit: str | None
    outcomes: list[str]
    file: str | None
    description: str
    start: str
    languages: list[str]
    roles: dict[str, str]
    params: dict[str, ParamView]
    fields: dict[str, FieldView]
    steps: list[StepView]


# `key`: the flow graph's edge key, which tells apart two ways out with one name and one next step
HopView = TypedDict("HopView", {"from": str, "way": str, "kind": str, "to": str, "key": str})


class PathView(TypedDict):
    outcome: str
    outcome_label: str
    steps: list[str]
    hops: list[HopView]
    text: str


def flow_summary(flow: Flow, lang: str) -> FlowSummary:
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


def flow_detail(flow: Flow, lang: str, child_flow: ChildFlow = _no_child) -> FlowDetail:
    """Everything a reader needs to follow the flow: roles, fields, steps and their ways out,
    ids and, beside them, what they are called in `lang` (`child_flow` names the outcomes of the
    flows it starts)."""
    labels = {s.id: flow.text(s.label, lang) for s in flow.steps.values()}
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
        "steps": [_step(flow, s, lang, labels, child_flow) for s in flow.steps.values()],
    }


def _way(name: str, kind: str, label: str, to: str, labels: dict[str, str], **extra: Any) -> WayView:
    way: WayView = {"name": name, "kind": kind, "label": label or name, "to": to, "to_label": labels[to]}
    way.update(extra)  # type: ignore[typeddict-item]  # the keys of its kind
    return way


def _step(flow: Flow, step: Step, lang: str, labels: dict[str, str], child_flow: ChildFlow) -> StepView:
    def text(value: Any) -> str:
        return flow.text(value, lang)

    def roles(ids: tuple[str, ...]) -> list[str]:
        return [text(flow.roles[r]) for r in ids]

    def fields(ids: tuple[str, ...]) -> list[str]:
        return [text(flow.fields[f].label) or f for f in ids]

    def when(guard: Any) -> dict[str, Any]:
        source = guard.source if guard else None
        return {"when": source, "when_text": condition_words(flow, source, lang) if source else None}

    ways = [
        _way(
            a.name,
            "action",
            text(a.label),
            a.to,
            labels,
            roles=list(a.roles),
            role_labels=roles(a.roles),
            requires=list(a.requires),
            requires_labels=fields(a.requires),
            **when(a.guard),
        )
        for a in step.actions
    ]
    ways += [
        _way(
            b.name,
            "branch",
            text(b.label),
            b.to,
            labels,
            default=b.default,
            **when(b.guard),
        )
        for b in step.branches
    ]
    ways += [
        _way(
            t.name,
            "timer",
            text(t.label),
            t.to,
            labels,
            after=format_duration(t.after),
            after_text=duration_words(t.after, lang),
            from_label=text(flow.fields[t.from_field].label) or t.from_field if t.from_field else None,
            **{"from": t.from_field or "entered"},
        )
        for t in step.timers
    ]
    ways += [_way(c.name, "condition", text(c.label), c.to, labels, **when(c.guard)) for c in step.conditions]
    ways += [
        _way(c.name, "escalate", text(c.label), c.escalate.to, labels, **when(c.escalate.guard))
        for c in step.checks
        if c.escalate
    ]
    if step.next:
        ways.append(_way("next", "next", "", step.next, labels) | {"label": ""})
    child = child_flow(step.subflow) if step.subflow else None
    ways += [
        _way(o, "outcome", FlowNames(child).outcomes.text(o, lang) if child else o, target, labels)
        for o, target in step.outcomes.items()
    ]
    return {
        "id": step.id,
        "kind": str(step.kind),
        "label": flow.text(step.label, lang),
        "role": step.role,
        "role_label": flow.text(flow.roles[step.role], lang),
        "deadline": format_duration(step.deadline) if step.deadline else None,
        "deadline_text": duration_words(step.deadline, lang) if step.deadline else None,
        "group": step.group,
        "instructions": flow.text(step.instructions, lang),
        "documents": [flow.text(d, lang) for d in step.documents],
        "checks": [
            {
                "name": c.name,
                "label": flow.text(c.label, lang) or c.name,
                "every": format_duration(c.every) if c.every else None,
                "every_text": schedule_words(c, lang),
                "at": list(c.at),
                "window": format_duration(c.window) if c.window else None,
                "once": c.once,
                "roles": list(c.roles),
                "role_labels": roles(c.roles),
            }
            for c in step.checks
        ],
        "subflow": step.subflow,
        "start_at": step.start_at,
        "entry": None if step.entry is None else list(step.entry.requires),
        "outcome": step.outcome,
        "outcome_label": FlowNames(flow).outcomes.text(step.outcome, lang) if step.outcome else None,
        "ways": ways,
    }


def path_detail(flow: Flow, path: FlowPath, lang: str, child_flow: ChildFlow = _no_child) -> PathView:
    return {
        "outcome": path.outcome,
        "outcome_label": FlowNames(flow).outcomes.text(path.outcome, lang),
        "steps": list(path.steps),
        "hops": [
            {"from": h.step, "way": h.way, "kind": h.kind, "to": h.to, "key": h.edge[2]} for h in path.hops
        ],
        "text": path_text(flow, path, lang, child_flow),
    }


def path_text(flow: Flow, path: FlowPath, lang: str, child_flow: ChildFlow = _no_child) -> str:
    """'登记 ─[登记完成]→ 风险分类 ─[…]→ 解除隔离' in the reader's language; a step that leads on
    by itself, ' ─→ '."""
    if not path.hops:
        return flow.text(flow.steps[flow.start].label, lang)
    parts = [flow.text(flow.steps[path.hops[0].step].label, lang)]
    for hop in path.hops:
        label = _way_label(flow, hop.step, hop.way, hop.kind, lang=lang, child_flow=child_flow)
        arrow = f" ─[{label}]→ " if label else " ─→ "
        parts.append(arrow + flow.text(flow.steps[hop.to].label, lang))
    return "".join(parts)


def _way_label(flow: Flow, step_id: str, way: str, kind: str, *, lang: str, child_flow: ChildFlow) -> str:
    """A way out by its label: an action's, a branch's...; an outcome of a child flow as the
    child calls it; '' for the way on from a step that leads on by itself."""
    step = flow.steps[step_id]
    if kind == EdgeKind.NEXT:
        return ""
    if kind == EdgeKind.OUTCOME:
        child = child_flow(step.subflow) if step.subflow else None
        return FlowNames(child).outcomes.text(way, lang) if child is not None else way
    labelled: list[Action | Branch | Timer | Check | Condition] = [
        *step.actions,
        *step.branches,
        *step.timers,
        *step.checks,
        *step.conditions,
    ]
    for item in labelled:
        if item.name == way and item.label:
            return flow.text(item.label, lang)
    return way


def _plain(value: object) -> object:
    return format_duration(value) if isinstance(value, timedelta) else value


def schedule_words(check: Check, lang: str) -> str:
    """When a check is owed, as people say it: 'every 12 hours', 'at 08:00, 16:00, 1 hour either
    side', 'once, within 1 day'."""
    if check.once:
        return say("chart.once", lang, within=duration_words(check.within or timedelta(0), lang))
    if check.at:
        times = say("list.sep", lang).join(check.at)
        if check.window:
            return say("chart.at_window", lang, times=times, window=duration_words(check.window, lang))
        return say("chart.at", lang, times=times)
    return say("chart.every", lang, every=duration_words(check.every or timedelta(0), lang))
