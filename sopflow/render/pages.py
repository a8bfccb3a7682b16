"""Printable HTML: a handbook for a flow and a sheet for a case, to print from a browser on A4.

The handbook puts the flow's chart pages (SVG from the real `dot`, each on a printed page of its
own) in front of a table of every step in plain words: who, what to do, by when, what it produces
and what comes next (for decisions, the condition in words, not in guard syntax); then the roles,
the data and the configurable values with their sources. The case sheet is one page for one case:
who and where, where it stands, what to do next and by when, and its history.

Everything a reader sees comes from the plain data of `describe.flow_detail` and
`casefmt.case_detail` (masking included) plus the flow model; the words of the pages themselves are
in the catalogue (sopflow/i18n/texts). Templates autoescape: notes and data typed by users come out
as text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from sopflow.cases.privacy import mask_value
from sopflow.engine.runtime import Engine
from sopflow.engine.views import case_detail, local
from sopflow.errors import SopflowError
from sopflow.i18n import CATALOGUE, aside, duration_words, say
from sopflow.language.catalog import FlowCatalog, default_catalog
from sopflow.language.describe import flow_detail
from sopflow.language.model import Action, Branch, Check, FieldType, Flow, Step, StepKind, Timer
from sopflow.language.wording import condition_words, value_words
from sopflow.render.svg import inline_svg

_ENV = Environment(
    loader=PackageLoader("sopflow.render", "templates"),
    autoescape=select_autoescape(("html", "j2"), default_for_string=True, default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def _render(template: str, lang: str, **context: Any) -> str:
    def w(code: str, **params: object) -> str:
        return say(code, lang, **params)

    return _ENV.get_template(template).render(lang=lang, html_lang=say("html.lang", lang), w=w, **context)


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


@dataclass(frozen=True)
class ChartSheet:
    svg: Markup
    landscape: bool


@dataclass
class _Handbook:
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
            ways.append(Way(self.w("way.outcome", outcome=outcome), self.target(to)))
        return tuple(ways)

    def checks(self, step: Step) -> tuple[str, ...]:
        lines = []
        for check in step.checks:
            line = self.w(
                "check.line",
                every=duration_words(check.every, self.lang),
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
            notes.append(self.w("steprow.outcome", outcome=step.outcome))
        if step.signal is not None:
            signal = step.signal
            notes.append(
                self.w(
                    "steprow.signal",
                    flow=self.flow_title(signal.flow),
                    action=self.signal_label(signal.flow, signal.action),
                )
            )
        return tuple(notes)

    def rows(self, detail: Mapping[str, Any], pages_of: Mapping[str, tuple[int, ...]]) -> list[StepRow]:
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


def chart_sheets(
    flow: Flow, lang: str, *, organisation: str = "", date: str = ""
) -> tuple[list[ChartSheet], dict[str, tuple[int, ...]]]:
    """The flow's chart pages as inline SVG, and on which page(s) each step is drawn."""
    from sopflow.render.graphviz_run import run_dot  # noqa: PLC0415 (only charts need `dot`)
    from sopflow.render.printing import PrintOptions, lay_out  # noqa: PLC0415

    printed = lay_out(flow, lang, PrintOptions(organisation=organisation, date=date))
    sheets = []
    pages_of: dict[str, list[int]] = {}
    for page in printed.pages:
        number = page.page.number
        svg = inline_svg(run_dot(page.dot, "svg"), f"p{number}-")
        sheets.append(ChartSheet(Markup(svg), page.fit.landscape))  # noqa: S704 (dot's own output)
        for node in page.page.nodes:
            if node.id in flow.steps and node.kind != "connector":
                pages_of.setdefault(node.id, []).append(number)
    return sheets, {step: tuple(numbers) for step, numbers in pages_of.items()}


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
    book = _Handbook(flow, lang, catalog if catalog is not None else default_catalog(None))
    sheets: list[ChartSheet] = []
    pages_of: dict[str, tuple[int, ...]] = {}
    if charts:
        sheets, pages_of = chart_sheets(flow, lang, organisation=organisation, date=date)
    return _render(
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


# -- the case sheet ---------------------------------------------------------------------------------


def case_sheet_html(
    engine: Engine,
    case_id: str,
    *,
    lang: str,
    now: datetime | None = None,
    show_personal: bool = False,
) -> str:
    """One printable A4 page for one case: who and where, where it stands, what to do next and by
    when, and its history. Personal data is masked unless `show_personal`."""
    case = engine.case(case_id)
    stepper = engine.stepper_for(case)
    flow = stepper.flow
    moment = now or engine.clock()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=engine.tz)
    detail = case_detail(stepper, case, lang, engine.tz, moment, show_personal=show_personal)
    book = _Handbook(flow, lang)
    sheet = _Sheet(flow, lang, book, show_personal, engine.tz)
    step = flow.steps[case.step]
    return _render(
        "case_sheet.html.j2",
        lang,
        case=detail,
        flow_title=flow.text(flow.title, lang),
        printed_at=local(moment, engine.tz),
        show_personal=show_personal,
        who=sheet.data_rows(detail["data"]),
        active=case.active,
        step_number=book.numbers[case.step],
        since=local(case.entered_at, engine.tz),
        documents=[flow.text(d, lang) for d in step.documents] if case.active else [],
        offers=[sheet.offer(o) for o in detail["offers"]],
        due=[sheet.due(d) for d in detail["due"]],
        history=[sheet.event(e) for e in detail["history"]],
    )


@dataclass
class _Sheet:
    flow: Flow
    lang: str
    book: _Handbook
    show_personal: bool
    tz: tzinfo

    def w(self, code: str, **params: object) -> str:
        return say(code, self.lang, **params)

    def actor(self, name: str) -> str:
        """Who did it, as case_detail gives it (masked unless show_personal); the system in words."""
        return self.w("word.system") if name == "system" else name

    def label(self, name: str) -> str:
        spec = self.flow.fields.get(name)
        return self.flow.text(spec.label, self.lang) or name if spec else name

    def shown(self, name: str, value: Any) -> str:
        spec = self.flow.fields.get(name)
        if spec is not None and spec.type is FieldType.DATETIME and isinstance(value, str):
            try:
                return local(datetime.fromisoformat(value), self.tz) or value
            except ValueError:
                return value  # masked
        return value_words(spec, value, self.lang)

    def data_rows(self, data: Mapping[str, Any]) -> list[dict[str, str]]:
        ordered = [n for n in self.flow.fields if n in data] + [n for n in data if n not in self.flow.fields]
        return [{"label": self.label(n), "value": self.shown(n, data[n])} for n in ordered]

    def offer(self, offer: Mapping[str, Any]) -> dict[str, Any]:
        if offer["kind"] == "check":
            goes_to = self.w("offer.check")
        elif offer["to_label"]:
            goes_to = self.book.target(offer["to"])
        else:
            goes_to = self.w("offer.stays")
        needs = self.book.fields(offer["requires"])
        if offer["accepts"]:
            needs = "; ".join(
                [p for p in (needs, self.w("way.may_add", fields=self.book.fields(offer["accepts"]))) if p]
            )
        return {
            "label": offer["label"],
            "name": offer["name"],
            "goes_to": goes_to,
            "roles": self.book.roles(offer["roles"]),
            "needs": needs,
            "available": offer["available"],
            "reason": self.not_now(offer),
        }

    def not_now(self, offer: Mapping[str, Any]) -> str:
        """Why an action is not available: its condition in words, and what stops deciding it."""
        if not offer["reason"]:
            return ""
        text = self.w("offer.not_now", condition=condition_words(self.flow, offer["reason"], self.lang))
        if offer["problem"]:
            text += aside(offer["problem"], self.lang)
        return text

    def due(self, item: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "what": self.w(f"due.{item['kind']}", label=item["label"]),
            "at": item["due_at"],
            "overdue": item["overdue"],
            "roles": self.book.roles(item["roles"]),
        }

    def way_label(self, step_id: str | None, name: str) -> str:
        step = self.flow.steps.get(step_id) if step_id else None
        if step is not None:
            items: list[Action | Check | Branch | Timer] = [
                *step.actions,
                *step.checks,
                *step.branches,
                *step.timers,
            ]
            for item in items:
                if item.name == name and item.label:
                    return self.flow.text(item.label, self.lang)
        return name

    def what(self, event: Mapping[str, Any]) -> str:
        kind, name = event["kind"], event["name"]
        if kind == "start":
            return self.w("event.start")
        if kind == "child":
            return self.w("event.child", child=event["child"] or "", flow=name)
        if kind == "next":
            return self.w("event.next")
        if kind == "outcome":
            return self.w("event.outcome", label=name)
        return self.w(f"event.{kind}", label=self.way_label(event["from"], name))

    def masked(self, name: str, value: Any) -> Any:
        return value if self.show_personal else mask_value(self.flow.fields.get(name), value)

    def values(self, values: Mapping[str, Any]) -> str:
        sep = self.w("cond.list_sep")
        return sep.join(
            f"{self.book_name(n)} = {self.shown(n, self.masked(n, v))}" for n, v in values.items()
        )

    def book_name(self, name: str) -> str:
        if name in self.flow.params:
            return self.flow.text(self.flow.params[name].label, self.lang) or name
        return self.label(name)

    def why(self, event: Mapping[str, Any]) -> str:
        why = event["why"]
        if not why:
            return ""
        if "guard" in why:
            return self.w(
                "why.guard",
                condition=condition_words(self.flow, why["guard"], self.lang),
                values=self.values(why.get("values", {})),
            )
        if why.get("default"):
            seen: dict[str, Any] = {}
            for tried in why.get("tried", []):
                seen.update(tried.get("values", {}))
            return self.w("why.default", values=self.values(seen))
        if event["kind"] == "timer":
            start = why.get("from", "entered")
            start_words = self.w("way.entering") if start == "entered" else self.label(start)
            after = self._timer_after(event)
            return self.w("why.timer", after=after, start=start_words)
        if event["kind"] == "escalate":
            return self.w("why.escalate", values=self.values(why))
        return ""

    def _timer_after(self, event: Mapping[str, Any]) -> str:
        step = self.flow.steps.get(event["from"] or "")
        for timer in step.timers if step else ():
            if timer.name == event["name"]:
                return duration_words(timer.after, self.lang)
        return str((event["why"] or {}).get("after", ""))

    def event(self, event: Mapping[str, Any]) -> dict[str, Any]:
        move = ""
        if event["to"]:
            move = self.w("event.move", from_=event["from_label"] or "", to=event["to_label"] or "").strip()
        changes = [
            f"{self.label(name)} = {self.shown(name, new)}" for name, (_old, new) in event["changes"].items()
        ]
        role = event["role"]
        return {
            "seq": event["seq"],
            "at": event["at"],
            "actor": self.actor(event["actor"]),
            "role": self.book.roles([role]) if role else "",
            "what": self.what(event),
            "move": move,
            "changes": changes,
            "note": event["note"] or "",
            "why": self.why(event),
        }
