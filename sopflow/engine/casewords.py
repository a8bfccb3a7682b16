"""A case's parts in the reader's words, for the views: fields and values by their labels, events
("已分类", "判断：有症状"), the reasons of automatic decisions with their rules in words, outcomes
and child flows by name. Ids stay in the views beside these; the words are what a person reads."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sopflow.cases.records import CANCELLED, MERGED, Event
from sopflow.engine.alert_views import action_label
from sopflow.i18n import duration_words, say
from sopflow.language.model import Action, Branch, Check, Condition, FieldType, Flow, Timer
from sopflow.language.naming import FlowNames
from sopflow.language.wording import call_words, condition_words, value_words

ChildFlow = Callable[[str], Flow | None]  # a flow by id (a child flow's title and outcomes), if known


def no_child(_flow_id: str) -> Flow | None:
    return None


def field_label(flow: Flow, name: str, lang: str) -> str:
    """A field's (or setting's) label in `lang`; its id if it has none."""
    if name in flow.fields:
        return flow.text(flow.fields[name].label, lang) or name
    if name in flow.params:
        return flow.text(flow.params[name].label, lang) or name
    return call_words(flow, name, lang) if name.endswith(")") else name  # a count a rule read (C8, C11)


def value_text(flow: Flow, name: str, value: Any, lang: str) -> str:
    """A value as the views hold it (JSON data, masked as shown) in words: a choice by its label,
    yes/no, a reading with its unit, a date-time as 2020-02-03 10:00 (local time, as given)."""
    spec = flow.fields.get(name)
    if spec is not None and spec.type is FieldType.DATETIME and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value  # masked
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).strftime("%Y-%m-%d %H:%M")
    if value is None:
        return "-"
    return value_words(spec, value, lang)


def values_text(flow: Flow, values: Mapping[str, Any], lang: str) -> str:
    """姓名=张*、体温=36.6 ℃: values with their labels, as lists give them."""
    return say("list.sep", lang).join(
        f"{field_label(flow, k, lang)}={value_text(flow, k, v, lang)}" for k, v in values.items()
    )


def outcome_text(flow: Flow, outcome: str | None, lang: str) -> str | None:
    """What an outcome of `flow` is called (the name of the end step that gives it); a case
    cancelled or merged away ends with sopflow's own outcome, named by the catalogue."""
    if outcome is None:
        return None
    known = FlowNames(flow).outcomes
    if outcome not in known and outcome == CANCELLED:
        return say("outcome.cancelled", lang)
    if outcome not in known and outcome == MERGED:
        return say("outcome.merged", lang)
    return known.text(outcome, lang)


def way_text(flow: Flow, step_id: str | None, name: str, lang: str) -> str:
    """An action, check, branch or timer of a step by its label; its name if it has none."""
    step = flow.steps.get(step_id or "")
    if step is None:
        return name
    labelled: list[Action | Check | Branch | Timer | Condition] = [
        *step.actions,
        *step.checks,
        *step.branches,
        *step.timers,
        *step.conditions,
    ]
    for item in labelled:
        if item.name == name and item.label:
            return flow.text(item.label, lang)
    for other in flow.steps.values():  # an alert names an action not offered where it came
        for action in other.actions:
            if action.name == name and action.label:
                return flow.text(action.label, lang)
    return name


def event_text(flow: Flow, event: Event, lang: str, child_flow: ChildFlow) -> str:
    """What an entry of a history did, in words: 立案, 已分类, 判断：有症状, 到时：观察期满..."""
    kind, name, from_step = str(event.kind), event.name, event.from_step
    if kind in ("start", "next"):
        return say(f"event.{kind}", lang)
    if kind in ("child", "join", "leave"):
        return _kin_text(event, lang, child_flow)
    if kind in ("outcome", "child_ended"):
        return _end_text(flow, event, lang, child_flow)
    own = event.why.get("label") if isinstance(event.why, Mapping) else None
    if isinstance(own, Mapping) and own:  # a signal sent to another flow's action, named there
        return say(f"event.{kind}", lang, label=str(own.get(lang) or next(iter(own.values()))))
    if kind in ("alert", "sent") and event.why and event.why.get("flow"):  # another flow's action
        other = child_flow(str(event.why["flow"]))
        if other is not None:
            return say(f"event.{kind}", lang, label=action_label(other, name, lang))
    if kind == "alert" and event.why and event.why.get("kind") == "late_entry":
        kind = "alert_late"  # a check entered late that would have escalated (engine/late.py)
    return say(f"event.{kind}", lang, label=way_text(flow, from_step, name, lang))


def _end_text(flow: Flow, event: Event, lang: str, child_flow: ChildFlow) -> str:
    """A child's end: the one this case waited for at a subflow step (OUTCOME), or any child's
    end noted in its parent's history (CHILD_ENDED, C11), with the outcome in the child's words."""
    if event.kind == "child_ended":
        label = _ended_as(flow, event.name, lang, child_flow)
        return say("event.child_ended", lang, child=event.child_id or "", label=label)
    step = flow.steps.get(event.from_step or "")
    found = child_flow(step.subflow) if step is not None and step.subflow else None
    said = outcome_text(found, event.name, lang) if found is not None else event.name
    return say("event.outcome", lang, label=said or event.name)


def _ended_as(flow: Flow, outcome: str, lang: str, child_flow: ChildFlow) -> str:
    """An outcome of one of the flows this flow starts, in its words."""
    started = [s.subflow for s in flow.steps.values() if s.subflow]
    started += [a.start.flow for s in flow.steps.values() for a in s.actions if a.start is not None]
    for flow_id in dict.fromkeys(started):
        found = child_flow(flow_id) if flow_id else None
        if found is not None and outcome in found.outcomes:
            return outcome_text(found, outcome, lang) or outcome
    return outcome


def _kin_text(event: Event, lang: str, child_flow: ChildFlow) -> str:
    """A child case started, or a shared case joined (on the member: child_id is the shared case)
    or a member joining or leaving it (on the shared case: why.member)."""
    kind, name, why = str(event.kind), event.name, event.why or {}
    if kind == "child" or event.child_id:
        found = child_flow(name)
        title = found.text(found.title, lang) if found is not None else name
        if kind == "child":
            return say("event.child", lang, child=event.child_id or "", flow=title)
        return say("event.joined", lang, case=event.child_id or "", flow=title)
    return say(f"event.{kind}", lang, member=str(why.get("member", "")), count=why.get("members_in", 0))


def why_text(flow: Flow, event: Event, why: Mapping[str, Any] | None, lang: str) -> str | None:
    """Why the engine did something by itself, in words: the rule it met and the values it saw,
    every rule that did not hold, how long a timer ran; None for what a person did."""
    kind, name, from_step = str(event.kind), event.name, event.from_step
    if not why:
        return None
    if "guard" in why:
        condition = condition_words(flow, str(why["guard"]), lang)
        return say("view.why", lang, guard=condition, values=values_text(flow, why.get("values", {}), lang))
    if why.get("default"):
        tried = why.get("tried", [])
        rules = say("list.rules", lang).join(condition_words(flow, str(t["guard"]), lang) for t in tried)
        seen: dict[str, Any] = {}
        for attempt in tried:
            seen.update(attempt.get("values", {}))
        return say("view.why_default", lang, tried=rules or "-", values=values_text(flow, seen, lang))
    if kind == "timer":
        start = why.get("from", "entered")
        words = say("way.entering", lang) if start == "entered" else field_label(flow, start, lang)
        step = flow.steps.get(from_step or "")
        after = next((t.after for t in step.timers if t.name == name), None) if step else None
        return say(
            "why.timer",
            lang,
            after=duration_words(after, lang) if after else why.get("after", ""),
            start=words,
        )
    return None
