"""A case drawn on its flow's chart: where it is, the way it came (numbered, with dates and who),
what can be done now, and whether something is overdue."""

from __future__ import annotations

from datetime import datetime, tzinfo

from sopflow.cases.privacy import mask_actor
from sopflow.cases.records import Case, EventKind
from sopflow.engine.schedule import due_items
from sopflow.engine.stepper import Stepper
from sopflow.language.model import EdgeKind
from sopflow.render.dot import Highlight
from sopflow.render.printing import PrintedChart, only_pages

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# The way out of a step each kind of move took: an event's name is that way's name (a signal from
# a descendant case fires an action of this step).
WAY_OUT = {
    EventKind.ACTION: EdgeKind.ACTION,
    EventKind.SIGNAL: EdgeKind.ACTION,
    EventKind.BRANCH: EdgeKind.BRANCH,
    EventKind.TIMER: EdgeKind.TIMER,
    EventKind.ESCALATE: EdgeKind.ESCALATE,
    EventKind.NEXT: EdgeKind.NEXT,
    EventKind.OUTCOME: EdgeKind.OUTCOME,
    EventKind.CONDITION: EdgeKind.CONDITION,
}


def number(n: int) -> str:
    return CIRCLED[n - 1] if 1 <= n <= len(CIRCLED) else f"({n})"


def case_highlight(
    stepper: Stepper, case: Case, now: datetime, tz: tzinfo, *, show_personal: bool = False
) -> Highlight:
    """What to draw for `case` at time `now`: moves numbered in order, with local date and who
    (names masked, 王芳 -> 王*, unless `show_personal`)."""
    taken = []
    moves = [e for e in case.history if e.from_step and e.to_step and e.kind in WAY_OUT]
    for n, event in enumerate(moves, 1):
        when = event.at.astimezone(tz).strftime("%m-%d %H:%M")
        actor = mask_actor(event.actor, show_personal=show_personal)
        way = (event.from_step or "", str(WAY_OUT[event.kind]), event.name)
        taken.append((*way, f"{number(n)} {when}", actor))
    offers = stepper.offers(case, now)
    available = tuple(o.to for o in offers if o.available and o.to)
    overdue = any(item.overdue for item in due_items(stepper, case, now))
    return Highlight(case.step, tuple(taken), available, overdue)


def pages_for_case(printed: PrintedChart, case: Case) -> PrintedChart:
    """Only the pages the case has been on (all of a one-page chart), as a chart of their own:
    numbered 1, 2, ..., "see page N" meaning these pages (laid out again, see only_pages)."""
    visited = {case.step} | {e.to_step for e in case.history if e.to_step}
    kept = {
        p.page.number
        for p in printed.pages
        if visited & {n.id for n in p.page.nodes if n.kind != "connector"}
    }
    return only_pages(printed, kept or {p.page.number for p in printed.pages})
