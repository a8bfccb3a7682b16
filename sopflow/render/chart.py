"""A flow as a chart: plain data that every renderer (DOT, Mermaid, handbook) reads.

Rendering has three layers: this module extracts what a printed chart shows (steps with their
role, time limits, timers and checks; the ways between them; groups; the legend) in one language;
`dot.py` and `mermaid.py` turn that into text; `graphviz_run.py` runs `dot`. The only I/O here is
finding a child flow's title (see `child_title`), once per child.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sopflow.errors import FlowError
from sopflow.i18n import duration_words, say
from sopflow.language.catalog import default_catalog
from sopflow.language.describe import schedule_words
from sopflow.language.model import EdgeKind, Flow, Interrupt, Step, StepKind
from sopflow.render.interrupts import NOTE_FROM, interrupt_of, note_id, note_text

# Light fills that print well and stay apart in greyscale; one per role, in the flow's role order.
ROLE_COLOURS = (
    "#dbe9f6",
    "#fde2c8",
    "#d5efd5",
    "#f6d5e1",
    "#e6dcf2",
    "#fff2b3",
    "#d4eeee",
    "#f0dcc8",
    "#e0e0e0",
    "#ead1f0",
    "#cde5c2",
    "#f9d0c4",
    "#c9d8ee",
    "#efe8c0",
    "#d9f2e6",
    "#f2d9d9",
)


@dataclass(frozen=True)
class ChartNode:
    """A box on the chart: a step, or a connector to a step printed on another page."""

    id: str
    kind: str  # a StepKind value, "start" or "connector"
    title: str
    role: str | None = None
    role_label: str = ""
    notes: tuple[str, ...] = ()  # timers, checks, child flow, outcome: one short line each
    deadline: str = ""  # "within 2h", printed beside the role
    group: str | None = None
    pages: tuple[int, ...] = ()  # for connectors: the page(s) the way continues on, or comes from
    incoming: bool = False  # a connector for ways coming in from other pages
    keep: tuple[str, ...] = ()  # phrases never broken across lines: the role, a time limit, an interval
    members: tuple[str, ...] = ()  # for a group's box on an overview: the steps it stands for

    @property
    def is_step(self) -> bool:
        """A step of the flow, not a box drawn about steps (a connector, the start, a note, a
        group's box on an overview)."""
        return self.kind not in ("connector", "start", "interrupt", "group")


@dataclass(frozen=True)
class ChartEdge:
    source: str
    target: str
    label: str
    kind: str  # an EdgeKind value, "start" or "connector"
    name: str = ""  # the way out of `source` it draws (action, branch, timer, check, outcome, "next")
    sources: tuple[str, ...] = ()  # for an interrupt's note: the steps it is taken from, on this page


@dataclass(frozen=True)
class ChartPage:
    number: int
    subtitle: str
    nodes: tuple[ChartNode, ...]
    edges: tuple[ChartEdge, ...]
    groups: Mapping[str, str] = field(default_factory=dict)  # group id -> label, for clusters
    overview: bool = False  # the whole flow, each group drawn as one box (see overview_page)


@dataclass(frozen=True)
class LegendEntry:
    role: str
    label: str
    colour: str


@dataclass(frozen=True)
class Chart:
    flow_id: str
    title: str
    version: str
    lang: str
    legend: tuple[LegendEntry, ...]
    pages: tuple[ChartPage, ...]
    organisation: str = ""
    date: str = ""

    def colour(self, role: str | None) -> str:
        return next((e.colour for e in self.legend if e.role == role), "#ffffff")


START_ID = "__start__"


def legend(flow: Flow, lang: str) -> tuple[LegendEntry, ...]:
    used = dict.fromkeys(step.role for step in flow.steps.values())
    return tuple(
        LegendEntry(role, flow.text(flow.roles[role], lang), ROLE_COLOURS[i % len(ROLE_COLOURS)])
        for i, role in enumerate(r for r in flow.roles if r in used)
    )


def step_node(flow: Flow, step: Step, lang: str) -> ChartNode:
    deadline = say("chart.deadline", lang, value=duration_words(step.deadline, lang)) if step.deadline else ""
    role_label = flow.text(flow.roles[step.role], lang)
    spans = [schedule_words(c, lang) for c in step.checks]
    spans += [duration_words(t.after, lang) for t in step.timers]
    return ChartNode(
        id=step.id,
        kind=str(step.kind),
        title=flow.text(step.label, lang),
        role=step.role,
        role_label=role_label,
        notes=step_notes(flow, step, lang),
        deadline=deadline,
        group=step.group,
        keep=tuple(dict.fromkeys(p for p in (role_label, deadline, *spans) if p)),
    )


def step_notes(flow: Flow, step: Step, lang: str) -> tuple[str, ...]:
    """The short lines under a step's title: who, how soon, what recurs, what runs out."""
    notes = []
    for check in step.checks:
        every = schedule_words(check, lang)
        label = flow.text(check.label, lang) or check.name
        notes.append(say("chart.check_every", lang, every=every, label=label))
    for timer in step.timers:
        start = (
            flow.text(flow.fields[timer.from_field].label, lang)
            if timer.from_field
            else say("chart.entered", lang)
        )
        notes.append(say("chart.timer", lang, after=duration_words(timer.after, lang), start=start))
    if step.kind is StepKind.SUBFLOW and step.subflow:
        notes.append(say("chart.subflow", lang, flow=child_title(flow, step.subflow, lang)))
    if step.kind is StepKind.END and step.outcome:  # said only where the box's name does not say it
        outcome = outcome_label(flow, step.outcome, lang)
        if outcome != flow.text(step.label, lang):
            notes.append(say("show.outcome", lang, value=outcome))
    return tuple(notes)


def outcome_label(flow: Flow, outcome: str, lang: str) -> str:
    """What an outcome of `flow` is called: the name of the (first) end step that gives it."""
    ends = (s for s in flow.steps.values() if s.kind is StepKind.END and s.outcome == outcome)
    end = next(ends, None)
    return flow.text(end.label, lang) if end is not None and end.label else outcome


def child_title(flow: Flow, child_id: str, lang: str) -> str:
    """The title, in `lang`, of the child flow `child_id` that `flow` starts, found where loading
    `flow` found it: beside its file, then among the built-in flows (a flow read from a store has
    no file: the built-in flows). The id itself if no such flow can be read."""
    child = _child_flow_of(flow, child_id)
    return child.text(child.title, lang) if child is not None else child_id


def _child_flow_of(flow: Flow, child_id: str) -> Flow | None:
    if child_id == flow.id:
        return flow
    folder = Path(flow.source_path).parent if flow.source_path and Path(flow.source_path).is_file() else None
    return _child_flow(str(folder) if folder else "", child_id)


@lru_cache(maxsize=256)
def _child_flow(folder: str, child_id: str) -> Flow | None:
    """A child flow read once per process (charts are built many times while pages are fitted)."""
    try:
        return default_catalog(Path(folder) if folder else None).shallow(child_id)
    except FlowError:
        return None


def child_outcome_label(flow: Flow, step: Step, outcome: str, lang: str) -> str:
    """An outcome of the child flow `step` starts, called as the child calls it."""
    child = _child_flow_of(flow, step.subflow) if step.subflow else None
    return outcome_label(child, outcome, lang) if child is not None else outcome


def edge_label(flow: Flow, step: Step, name: str, kind: EdgeKind, lang: str) -> str:
    if kind is EdgeKind.NEXT:
        return ""
    if kind is EdgeKind.OUTCOME:
        return child_outcome_label(flow, step, name, lang)
    labelled = {a.name: a.label for a in step.actions} | {b.name: b.label for b in step.branches}
    labelled |= {t.name: t.label for t in step.timers} | {c.name: c.label for c in step.checks}
    labelled |= {c.name: c.label for c in step.conditions}
    text = flow.text(labelled[name], lang) if labelled.get(name) else name
    if kind is EdgeKind.TIMER:
        return say("chart.timer_edge", lang, label=text)
    if kind is EdgeKind.ESCALATE:
        return say("chart.escalate", lang, label=text)
    return text


def whole_page(
    flow: Flow,
    lang: str,
    steps: Sequence[str] | None = None,
    *,
    number: int = 1,
    subtitle: str = "",
    where: Mapping[str, int] | None = None,
) -> ChartPage:
    """One page holding `steps` (default: all); ways to steps printed elsewhere end in connectors."""
    chosen = list(steps) if steps is not None else list(flow.steps)
    on_page = set(chosen)
    nodes = [step_node(flow, flow.steps[s], lang) for s in chosen]
    edges: list[ChartEdge] = []
    connectors: dict[str, ChartNode] = {}
    if flow.start in on_page:
        nodes.insert(0, ChartNode(START_ID, "start", say("chart.start", lang)))
        edges.append(ChartEdge(START_ID, flow.start, "", "start"))
    noted = _noted_interrupts(flow, {s: [s] for s in chosen})
    for step_id in chosen:
        step = flow.steps[step_id]
        for name, kind, target in step.exits():
            if interrupt_of(flow, step_id, name, kind) in noted:
                continue  # drawn once, as a note (below)
            shown = target if target in on_page else _connector(flow, target, lang, where or {}, connectors)
            edge = ChartEdge(step_id, shown, edge_label(flow, step, name, kind, lang), str(kind), name)
            if edge not in edges:  # one action under two conditions (已重签承诺) is one arrow
                edges.append(edge)
    for step_id, sources in _entries_from_elsewhere(flow, on_page).items():
        if where is not None and not any(s in where for s in sources):
            continue  # only from pages not printed (a case chart prints the pages the case was on)
        source = _connector(flow, step_id, lang, where or {}, connectors, sources=sources)
        edges.append(ChartEdge(source, step_id, "", "connector"))
    for interrupt, sources in noted.items():
        target = interrupt.to
        shown = target if target in on_page else _connector(flow, target, lang, where or {}, connectors)
        units = {flow.text(flow.steps[s].label, lang): [s] for s in chosen if s != target}
        text = note_text(flow, interrupt, lang, units, whole=False)
        nodes.append(ChartNode(note_id(interrupt), "interrupt", text, group=None))
        edges.append(ChartEdge(note_id(interrupt), shown, "", "interrupt", interrupt.name, tuple(sources)))
    groups = {g: flow.text(flow.groups[g], lang) for g in dict.fromkeys(n.group for n in nodes if n.group)}
    return ChartPage(number, subtitle, tuple(nodes + list(connectors.values())), tuple(edges), groups)


def _noted_interrupts(flow: Flow, units: Mapping[str, Sequence[str]]) -> dict[Interrupt, list[str]]:
    """The interrupts a page draws as one note, with the steps on it they are taken from: those
    taken from at least NOTE_FROM of the page's `units` (boxes or steps, with their steps)."""
    noted: dict[Interrupt, list[str]] = {}
    for interrupt in flow.interrupts:
        scope = set(interrupt.steps)
        inside = [u for u, steps in units.items() if scope & set(steps)]
        if len(inside) >= NOTE_FROM:
            noted[interrupt] = [s for u in inside for s in units[u] if s in scope]
    return noted


def _entries_from_elsewhere(flow: Flow, on_page: set[str]) -> dict[str, list[str]]:
    """Steps of this page that are reached from steps printed elsewhere, with those steps."""
    found: dict[str, list[str]] = {}
    for step in flow.steps.values():
        if step.id in on_page:
            continue
        for _, _, target in step.exits():
            if target in on_page:
                found.setdefault(target, []).append(step.id)
    return found


def _connector(
    flow: Flow,
    step_id: str,
    lang: str,
    where: Mapping[str, int],
    connectors: dict[str, ChartNode],
    *,
    sources: Sequence[str] = (),
) -> str:
    """A connector: to a step printed on another page, or (with `sources`) in from other pages."""
    incoming = bool(sources)
    node_id = f"{'from' if incoming else 'to'}__{step_id}"
    if node_id not in connectors:
        refers_to = sources if incoming else [step_id]
        pages = tuple(sorted({where[s] for s in refers_to if s in where}))
        title = flow.text(flow.steps[sources[0]].label, lang) if len(sources) == 1 else ""
        if not incoming:
            title = flow.text(flow.steps[step_id].label, lang)
        connectors[node_id] = ChartNode(node_id, "connector", title, pages=pages, incoming=incoming)
    return node_id


def build_chart(
    flow: Flow,
    lang: str,
    pages: Sequence[Sequence[str]] | None = None,
    *,
    subtitles: Sequence[str] = (),
    organisation: str = "",
    date: str = "",
    elsewhere: int | None = None,
    overview: bool = False,
) -> Chart:
    """The chart of `flow`, on one page or on the given pages (lists of step ids). Steps on no
    page are referred to as being on page `elsewhere` (used when trying out a page on its own).
    With `overview`, page 1 is the flow's overview (see overview_page): its list names the steps
    drawn there as themselves, which the other pages refer to unless they draw them too."""
    layout = [list(flow.steps)] if pages is None else [list(p) for p in pages]
    where = {step: n for n, page in enumerate(layout, 1) for step in page}  # the last page it is on
    if elsewhere is not None:
        where = {step: where.get(step, elsewhere) for step in flow.steps}
    built = tuple(
        overview_page(flow, lang, where, subtitle=subtitles[0] if subtitles else "")
        if overview and n == 1
        else whole_page(
            flow,
            lang,
            steps,
            number=n,
            subtitle=subtitles[n - 1] if n - 1 < len(subtitles) else "",
            where=where,
        )
        for n, steps in enumerate(layout, 1)
    )
    return Chart(
        flow.id,
        flow.text(flow.title, lang),
        flow.version,
        lang,
        legend(flow, lang),
        built,
        organisation,
        date,
    )


def overview_steps(flow: Flow) -> list[str]:
    """The steps an overview draws as themselves: those in no group; the rest are drawn as their
    group's box."""
    return [s.id for s in flow.steps.values() if s.group is None]


def overview_page(flow: Flow, lang: str, where: Mapping[str, int], *, subtitle: str = "") -> ChartPage:
    """Page 1 of a big flow: the whole flow on one page, each group one box (its name, the steps
    it is entered at, the ends inside it, the page it is drawn on) with its ways in and out; steps
    in no group drawn as themselves. Ways inside a group are left to the group's own page; ways
    between the same two boxes are one arrow, labelled if it is one way."""
    shown = set(overview_steps(flow))

    def box(step_id: str) -> str:
        return step_id if step_id in shown else f"group__{flow.steps[step_id].group}"

    nodes: dict[str, ChartNode] = {START_ID: ChartNode(START_ID, "start", say("chart.start", lang))}
    labels: dict[tuple[str, str], list[str]] = {(START_ID, box(flow.start)): []}
    kinds: dict[tuple[str, str], str] = {(START_ID, box(flow.start)): "start"}
    boxes: dict[str, list[str]] = {}
    for step in flow.steps.values():
        boxes.setdefault(box(step.id), []).append(step.id)
    noted = _noted_interrupts(flow, boxes)
    for step in flow.steps.values():
        if step.id in shown:
            nodes[step.id] = step_node(flow, step, lang)
        elif box(step.id) not in nodes:
            nodes[box(step.id)] = _group_node(flow, step.group or "", lang, where)
        for name, kind, target in step.exits():
            ends = (box(step.id), box(target))
            if ends[0] == ends[1] or interrupt_of(flow, step.id, name, kind) in noted:
                continue
            label = edge_label(flow, step, name, kind, lang)
            labels.setdefault(ends, [])
            if label and label not in labels[ends]:
                labels[ends].append(label)
            kinds.setdefault(ends, str(kind))
    edges = tuple(  # one name says which way it is; more are on the group's page
        ChartEdge(source, target, names[0] if len(names) == 1 else "", kinds[(source, target)])
        for (source, target), names in labels.items()
    )
    for interrupt, sources in noted.items():
        units = {nodes[b].title: steps for b, steps in boxes.items() if b != box(interrupt.to)}
        text = note_text(flow, interrupt, lang, units, whole=True)
        nodes[note_id(interrupt)] = ChartNode(note_id(interrupt), "interrupt", text)
        way = ChartEdge(
            note_id(interrupt), box(interrupt.to), "", "interrupt", interrupt.name, tuple(sources)
        )
        edges += (way,)
    return ChartPage(1, subtitle, tuple(nodes.values()), edges, {}, overview=True)


def _group_node(flow: Flow, group: str, lang: str, where: Mapping[str, int]) -> ChartNode:
    """A group as one box: its name, the steps ways from outside enter it at, its page(s)."""
    members = [s.id for s in flow.steps.values() if s.group == group]
    inside = set(members)
    entered = dict.fromkeys([flow.start] if flow.start in inside else [])
    for step in flow.steps.values():
        if step.id not in inside:
            entered |= dict.fromkeys(t for _, _, t in step.exits() if t in inside)
    ends = [s for s in members if flow.steps[s].kind is StepKind.END]
    sep = say("list.sep", lang)
    notes = [
        say("chart.group_entry", lang, steps=sep.join(flow.text(flow.steps[s].label, lang) for s in entered))
    ]
    notes += [
        say("chart.group_ends", lang, steps=sep.join(flow.text(flow.steps[s].label, lang) for s in ends))
    ]
    notes = [note for note, there in zip(notes, (entered, ends), strict=True) if there]
    pages = tuple(sorted({where[s] for s in members if s in where}))
    named = (flow.text(flow.steps[s].label, lang) for s in [*entered, *ends])
    return ChartNode(
        f"group__{group}",
        "group",
        flow.text(flow.groups[group], lang),
        notes=tuple(notes),
        pages=pages,
        keep=tuple(dict.fromkeys(named)),  # a step's name is never broken across lines
        members=tuple(members),
    )


def split_by_group(flow: Flow, lang: str) -> tuple[list[list[str]], list[str]]:
    """The sensible split for a big flow: the main line on page 1, each group on a page of its own."""
    main = [s.id for s in flow.steps.values() if s.group is None]
    pages = [main] if main else []
    subtitles = [say("chart.main_line", lang)] if main else []
    for group, label in flow.groups.items():
        steps = [s.id for s in flow.steps.values() if s.group == group]
        if steps:
            pages.append(steps)
            subtitles.append(flow.text(label, lang))
    return pages, subtitles
