"""The handbook of a flow, to print from a browser on A4: its chart pages (SVG from the real
`dot`, each on a printed page of its own), then every step in plain words — who, what to do, by
when, what it produces and what comes next (for decisions the condition in words, not guard
syntax) —, then the roles, the data and the configurable values with their sources.

Everything a reader sees comes from the plain data of `describe.flow_detail` plus the flow model;
the words of the page itself are in the catalogue (sopflow/i18n/texts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sopflow.errors import SopflowError
from sopflow.i18n import CATALOGUE, duration_words, say
from sopflow.language.catalog import FlowCatalog, default_catalog
from sopflow.language.describe import FlowDetail, flow_detail, schedule_words
from sopflow.language.model import Flow, Step, StepKind
from sopflow.language.wording import condition_words, value_words
from sopflow.render.chart import child_outcome_label, outcome_label
from sopflow.render.html import ChartSheet, chart_sheets, render_page


@dataclass(frozen=True)
class Way:
    label: str
    target: str
    details: tuple[str, ...] = ()
    code: str = ""  # what staff type for an action


@dataclass(frozen=True)
class StepRow:
    number: int
    id: str
    label: str
    kind: str
    role: str
    deadline: str
    instructions: str
    documents: tuple[str, ...]
    notes: tuple[str, ...]
    checks: tuple[str, ...]
    ways: tuple[Way, ...]
    chart_pages: tuple[int, ...] = ()
    group: str = ""
    timed: bool = True  # a step people work on, where "no time limit" is worth saying


@dataclass
class Handbook:
    """A flow said in the handbook's words; the case sheet borrows it for targets, roles and fields."""

    flow: Flow
    lang: str
    catalog: FlowCatalog | None = None
    numbers: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.numbers = {step_id: n for n, step_id in enumerate(self.flow.steps, 1)}

    def w(self, code: str, **params: object) -> str:
        return say(code, self.lang, **params)

    def text(self, value: Mapping[str, str]) -> str:
        return self.flow.text(value, self.lang)

    def target(self, step_id: str) -> str:
        label = self.text(self.flow.steps[step_id].label)
        return self.w("way.target", label=label, number=self.numbers[step_id])

    def fields(self, names: Sequence[str]) -> str:
        sep = self.w("cond.list_sep")
        return sep.join(self.text(self.flow.fields[n].label) if n in self.flow.fields else n for n in names)

    def roles(self, ids: Sequence[str]) -> str:
        sep = self.w("cond.list_sep")
        return sep.join(self.text(self.flow.roles[r]) if r in self.flow.roles else r for r in ids)

    def condition(self, source: str) -> str:
        return condition_words(self.flow, source, self.lang)

    def other_flow(self, flow_id: str) -> Flow | None:
        """Another flow this one opens or signals, to name it by its title (None: not found)."""
        if self.catalog is None:
            return None
        try:
            return self.catalog.shallow(flow_id)
        except SopflowError:
            return None

    def flow_title(self, flow_id: str) -> str:
        other = self.other_flow(flow_id)
        return other.text(other.title, self.lang) if other is not None else flow_id

    def signal_label(self, flow_id: str, action: str) -> str:
        other = self.other_flow(flow_id)
        if other is None:
            return action
        for step in other.steps.values():
            for item in step.actions:
                if item.name == action and item.label:
                    return other.text(item.label, self.lang)
        return action

    def ways(self, step: Step) -> tuple[Way, ...]:
        ways: list[Way] = []
        for action in step.actions:
            details = [self.w("way.by", roles=self.roles(action.roles or (step.role,)))]
            if action.requires:
                details.append(self.w("way.needs", fields=self.fields(action.requires)))
            if action.accepts:
                details.append(self.w("way.may_add", fields=self.fields(action.accepts)))
            if action.guard is not None:
                details.append(self.w("way.only_when", condition=self.condition(action.guard.source)))
            label = self.text(action.label) or action.name
            ways.append(Way(label, self.target(action.to), tuple(details), action.name))
        for branch in step.branches:
            if branch.guard is not None:
                detail = self.w("way.when", condition=self.condition(branch.guard.source))
            else:
                detail = self.w("way.otherwise")
            ways.append(Way(self.text(branch.label) or branch.name, self.target(branch.to), (detail,)))
        for timer in step.timers:
            start = self.fields([timer.from_field]) if timer.from_field else self.w("way.entering")
            detail = self.w("way.after", after=duration_words(timer.after, self.lang), start=start)
            ways.append(Way(self.text(timer.label) or timer.name, self.target(timer.to), (detail,)))
        for check in step.checks:
            if check.escalate is not None:
                label = self.w("way.escalate", label=self.text(check.label) or check.name)
                detail = self.w("way.escalate_when", condition=self.condition(check.escalate.guard.source))
                ways.append(Way(label, self.target(check.escalate.to), (detail,)))
        if step.next:
            ways.append(Way(self.w("way.next"), self.target(step.next)))
        for outcome, to in step.outcomes.items():
            said = child_outcome_label(self.flow, step, outcome, self.lang)
            ways.append(Way(self.w("way.outcome", outcome=said), self.target(to)))
        return tuple(ways)

    def checks(self, step: Step) -> tuple[str, ...]:
        lines = []
        for check in step.checks:
            line = self.w(
                "check.line",
                every=schedule_words(check, self.lang),
                label=self.text(check.label) or check.name,
                roles=self.roles(check.roles or (step.role,)),
            )
            if check.requires:
                line += "; " + self.w("check.records", fields=self.fields(check.requires))
            lines.append(line)
        return tuple(lines)

    def notes(self, step: Step) -> tuple[str, ...]:
        notes = []
        if step.kind is StepKind.DECISION:
            notes.append(self.w("steprow.automatic"))
        if step.subflow:
            notes.append(self.w("steprow.subflow", flow=self.flow_title(step.subflow)))
            if step.copy:
                notes.append(self.w("steprow.subflow_copy", fields=self.fields(step.copy)))
            notes.append(self.w("steprow.subflow_wait" if step.wait else "steprow.subflow_go_on"))
        if step.outcome:
            notes.append(self.w("steprow.outcome", outcome=outcome_label(self.flow, step.outcome, self.lang)))
        if step.signal is not None:
            signal = step.signal
            words = {
                "flow": self.flow_title(signal.flow),
                "action": self.signal_label(signal.flow, signal.action),
            }
            if signal.to:  # addressed: to whom the fields name, not to the case it belongs to
                fields = self.fields([address.field for address in signal.to])
                notes.append(self.w("steprow.signal_to", fields=fields, **words))
            else:
                notes.append(self.w("steprow.signal", **words))
        return tuple(notes)

    def rows(self, detail: FlowDetail, pages_of: Mapping[str, tuple[int, ...]]) -> list[StepRow]:
        rows = []
        for step_detail in detail["steps"]:
            step = self.flow.steps[step_detail["id"]]
            rows.append(
                StepRow(
                    number=self.numbers[step.id],
                    id=step.id,
                    label=step_detail["label"],
                    kind=say(f"kind.{step_detail['kind']}", self.lang),
                    role=step_detail["role_label"],
                    deadline=(
                        self.w("steprow.within", value=duration_words(step.deadline, self.lang))
                        if step.deadline
                        else ""
                    ),
                    instructions=step_detail["instructions"],
                    documents=tuple(step_detail["documents"]),
                    notes=self.notes(step),
                    checks=self.checks(step),
                    ways=self.ways(step),
                    chart_pages=pages_of.get(step.id, ()),
                    timed=step.kind in (StepKind.TASK, StepKind.WAIT),
                    group=self.text(self.flow.groups[step.group]) if step.group is not None else "",
                )
            )
        return rows

    def role_rows(self) -> list[dict[str, Any]]:
        rows = []
        for role_id, name in self.flow.roles.items():
            responsible = [self.numbers[s.id] for s in self.flow.steps.values() if s.role == role_id]
            also = [
                self.numbers[s.id]
                for s in self.flow.steps.values()
                if s.role != role_id
                and (any(role_id in a.roles for a in s.actions) or any(role_id in c.roles for c in s.checks))
            ]
            rows.append(
                {
                    "id": role_id,
                    "label": self.text(name),
                    "responsible": ", ".join(map(str, responsible)) or self.w("roles.none"),
                    "also": ", ".join(map(str, also)) or self.w("roles.none"),
                }
            )
        return rows

    def field_rows(self) -> list[dict[str, Any]]:
        rows = []
        for spec in self.flow.fields.values():
            notes = []
            if spec.required:
                notes.append(self.w("datum.required"))
            if spec.personal:
                notes.append(self.w("datum.personal"))
            if spec.choices:
                choices = self.w("cond.list_sep").join(self.text(c) for c in spec.choices.values())
                notes.append(self.w("datum.choices", choices=choices))
            kind = self.w(f"type.{spec.type}")
            rows.append(
                {
                    "id": spec.id,
                    "label": self.text(spec.label) or spec.id,
                    "kind": f"{kind} ({spec.unit})" if spec.unit else kind,
                    "notes": notes,
                }
            )
        return rows

    def param_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "id": param.id,
                "label": self.text(param.label) or param.id,
                "value": value_words(None, param.value, self.lang),
                "source": param.source or "",
            }
            for param in self.flow.params.values()
        ]


def handbook_html(
    flow: Flow,
    lang: str = "zh",
    *,
    organisation: str = "",
    date: str = "",
    charts: bool = True,
    catalog: FlowCatalog | None = None,
) -> str:
    """A printable handbook of `flow`: title block, chart pages (if `charts`), every step in plain
    words, the roles, the data and the settings. Needs Graphviz's `dot` for the charts.

    `catalog` names the flows this one opens or signals by their titles (default: the built-in
    flows; ids are shown for flows it does not have)."""
    detail = flow_detail(flow, lang)
    book = Handbook(flow, lang, catalog if catalog is not None else default_catalog(None))
    sheets: list[ChartSheet] = []
    pages_of: dict[str, tuple[int, ...]] = {}
    if charts:
        sheets, pages_of = chart_sheets(flow, lang, organisation=organisation, date=date)
    return render_page(
        "handbook.html.j2",
        lang,
        title=detail["title"],
        description=detail["description"],
        flow_id=flow.id,
        version=flow.version,
        unit=say(f"unit.{flow.unit}", lang)
        if CATALOGUE.has(f"unit.{flow.unit}")
        else say("handbook.unit", lang, unit=flow.unit),
        organisation=organisation,
        date=date,
        charts=sheets,
        steps=book.rows(detail, pages_of),
        roles=book.role_rows(),
        fields=book.field_rows(),
        params=book.param_rows(),
        sources=[say(f"source.{tag}", lang) for tag in "ASKI"],
    )
