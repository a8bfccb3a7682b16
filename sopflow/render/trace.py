"""A case drawn on its flow's chart: where it is, the way it came (numbered, with dates and who),
what can be done now, and whether something is overdue."""

from __future__ import annotations

from datetime import datetime, tzinfo

from sopflow.cases.privacy import mask_actor
from sopflow.cases.records import Case
from sopflow.engine.schedule import due_items
from sopflow.engine.stepper import Stepper
from sopflow.render.dot import Highlight
from sopflow.render.printing import PrintedChart

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def number(n: int) -> str:
    return CIRCLED[n - 1] if 1 <= n <= len(CIRCLED) else f"({n})"


def case_highlight(
    stepper: Stepper, case: Case, now: datetime, tz: tzinfo, *, show_personal: bool = False
) -> Highlight:
    """What to draw for `case` at time `now`: moves numbered in order, with local date and who
    (names masked, 王芳 -> 王*, unless `show_personal`)."""
    taken = []
    moves = [e for e in case.history if e.from_step and e.to_step]
    for n, event in enumerate(moves, 1):
        when = event.at.astimezone(tz).strftime("%m-%d %H:%M")
        actor = mask_actor(event.actor, show_personal=show_personal)
        taken.append((event.from_step or "", event.to_step or "", f"{number(n)} {when} {actor}"))
    offers = stepper.offers(case, now)
    available = tuple(o.to for o in offers if o.available and o.to)
    overdue = any(item.overdue for item in due_items(stepper, case, now))
    return Highlight(case.step, tuple(taken), available, overdue)


def pages_for_case(printed: PrintedChart, case: Case) -> PrintedChart:
    """Only the pages the case has been on (all of a one-page chart)."""
    visited = {case.step} | {e.to_step for e in case.history if e.to_step}
    kept = tuple(p for p in printed.pages if visited & {n.id for n in p.page.nodes if n.kind != "connector"})
    kept = kept or printed.pages
    numbers = {p.page.number for p in kept}
    return PrintedChart(printed.chart, kept, tuple(t for t in printed.too_big if t.page in numbers))
