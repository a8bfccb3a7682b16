"""Interrupts on a chart: one note per interrupt ("任何一步：报告发热") with one arrow to where it
leads, instead of an arrow from every step it is taken from (a fever report is taken from some
twenty steps; drawn one arrow each, the overview of key-person control no longer fitted a page).

Pure: works on the flow and says what the note reads; chart.py draws it. A note is drawn where it
stands for at least two arrows (`NOTE_FROM`); a single way stays an ordinary arrow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sopflow.i18n import say
from sopflow.language.model import EdgeKind, Flow, Interrupt, StepKind

NOTE_FROM = 2  # the fewest arrows a note replaces
_WAITED_AT = (StepKind.TASK, StepKind.WAIT)  # the steps an interrupt can be taken from


def interrupt_of(flow: Flow, step_id: str, name: str, kind: EdgeKind | str) -> Interrupt | None:
    """The interrupt that the way `name` out of `step_id` is, if it is one."""
    if str(kind) != str(EdgeKind.ACTION):
        return None
    return next((i for i in flow.interrupts if i.name == name and step_id in i.steps), None)


def interrupt_label(flow: Flow, interrupt: Interrupt, lang: str) -> str:
    """What the interrupt is called: the label of the action it gave its steps."""
    step = flow.steps[interrupt.steps[0]]
    action = next(a for a in step.actions if a.name == interrupt.name)
    return flow.text(action.label, lang) or interrupt.name


def waited_at(flow: Flow, steps: Sequence[str]) -> list[str]:
    """Those of `steps` an interrupt could be taken from (tasks and waits)."""
    return [s for s in steps if flow.steps[s].kind in _WAITED_AT]


def note_text(
    flow: Flow, interrupt: Interrupt, lang: str, units: Mapping[str, Sequence[str]], *, whole: bool
) -> str:
    """The note: where the interrupt is taken from, and its name. `units` are what the page
    draws (a group's box or a step, by its label) with the steps each stands for, the target's
    own unit left out; `whole` for an overview (the whole flow), else "any step on this page".
    Exact: "任何一步（急诊就医中除外）：报告发热", or the units it is taken in when those are fewer."""
    scope = set(interrupt.steps)
    counted = {label: steps for label, steps in units.items() if waited_at(flow, steps)}
    inside = [label for label, steps in counted.items() if scope & set(steps)]
    outside = [label for label in counted if label not in inside]
    label = interrupt_label(flow, interrupt, lang)
    sep = say("list.sep", lang)
    if outside and (len(outside) >= len(inside) or len(outside) > 2):
        return say("chart.interrupt_in", lang, steps=sep.join(inside), label=label)
    but = say("chart.interrupt_but", lang, steps=sep.join(outside)) if outside else ""
    return say("chart.interrupt_any" if whole else "chart.interrupt_page", lang, but=but, label=label)


def note_id(interrupt: Interrupt) -> str:
    return f"interrupt__{interrupt.name}"
