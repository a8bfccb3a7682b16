"""Printable HTML: a handbook for a flow and a sheet for a case, to print from a browser on A4.

The handbook puts the flow's chart pages (SVG from the real `dot`, each on a printed page of its
own) in front of a table of every step in plain words: who, what to do, by when, what it produces
and what comes next (for decisions, the condition in words, not in guard syntax); then the roles,
the data and the configurable values with their sources. The case sheet is one page for one case:
who and where, where it stands, what to do next and by when, and its history.

Everything a reader sees comes from the plain data of `describe.flow_detail` and
`casefmt.case_detail` (masking included) plus the flow model; the words of the pages themselves are
in PAGE_WORDS, in English and Chinese. Templates autoescape: notes and data typed by users come out
as text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, nodes, select_autoescape
from markupsafe import Markup

from sopflow.engine.casefmt import case_detail, local
from sopflow.engine.catalog import FlowCatalog, default_catalog
from sopflow.engine.describe import flow_detail
from sopflow.engine.guards import GuardProblem, parse_guard
from sopflow.engine.model import Action, Branch, Check, FieldSpec, FieldType, Flow, Step, StepKind, Timer
from sopflow.engine.privacy import mask_text, mask_value
from sopflow.engine.runtime import Engine
from sopflow.errors import SopflowError
from sopflow.ui import ui

PAGE_WORDS: dict[str, tuple[str, str]] = {
    # the handbook
    "handbook.kind": ("Handbook", "操作手册"),
    "handbook.flow_id": ("flow {id}, version {version}", "流程 {id}，版本 {version}"),
    "handbook.unit": ("One case is one {unit}.", "每个案件对应一个{unit}。"),
    "unit.person": ("One case is one person.", "一人一案：每个案件对应一名人员。"),
    "unit.household": ("One case is one household.", "一户一案：每个案件对应一户。"),
    "unit.dwelling": ("One case is one dwelling visit.", "每个案件对应一次入户（一处住所）。"),
    "unit.request": ("One case is one request.", "每个案件对应一次需求。"),
    "handbook.printed": ("Date: {date}", "日期：{date}"),
    "handbook.contents": ("Contents", "目录"),
    "handbook.charts": ("Flowchart ({count} pages)", "流程图（共 {count} 页）"),
    "handbook.charts_one": ("Flowchart (1 page)", "流程图（1 页）"),
    "handbook.steps": ("The steps", "各步骤说明"),
    "handbook.roles": ("Who does what", "角色与职责"),
    "handbook.fields": ("Case data", "案件数据"),
    "handbook.params": ("Settings and where they come from", "可调参数及依据"),
    "handbook.how_to_read": (
        "The chart shows the whole procedure at a glance; the table after it says, step by step, "
        "who does what by when and where the case goes next. Steps are numbered in the order of "
        "the flow; each row says on which chart page the step is drawn.",
        "流程图一看就懂全貌；后面的表格逐步说明由谁办、办什么、什么时限、办完去哪一步。"
        "步骤按流程顺序编号，并注明画在流程图第几页。",
    ),
    "col.number": ("No.", "序号"),
    "col.step": ("Step", "步骤"),
    "col.who": ("Who / time limit", "负责 / 时限"),
    "col.what": ("What to do", "办理要求"),
    "col.next": ("What comes next", "下一步"),
    "col.role": ("Role", "角色"),
    "col.role_id": ("Id", "代码"),
    "col.responsible": ("Responsible for steps", "负责的步骤"),
    "col.also": ("Also acts in steps", "参与的步骤"),
    "col.setting": ("Setting", "参数"),
    "col.value": ("Value", "取值"),
    "col.source": ("Source", "依据"),
    "col.field": ("Data", "数据项"),
    "col.type": ("Kind", "类型"),
    "col.notes": ("Notes", "说明"),
    "steprow.id": ("id: {id}", "代码：{id}"),
    "steprow.group": ("part of: {group}", "所属：{group}"),
    "steprow.chart_page": ("chart page {page}", "见流程图第 {page} 页"),
    "steprow.no_limit": ("no time limit", "无时限"),
    "steprow.within": ("within {value}", "时限 {value}"),
    "steprow.documents": ("Produces:", "形成材料："),
    "steprow.automatic": ("Decided by the software from the case data.", "由系统根据案件数据自动判断。"),
    "steprow.subflow": ("Opens a case of the flow “{flow}”.", "启动“{flow}”流程的案件。"),
    "steprow.subflow_copy": ("Hands over: {fields}.", "移交数据：{fields}。"),
    "steprow.subflow_wait": ("Waits until that case ends.", "等待该案件结束后继续。"),
    "steprow.subflow_go_on": ("Goes on at once.", "启动后立即继续。"),
    "steprow.outcome": ("The case ends here: {outcome}.", "案件在此结束，结果：{outcome}。"),
    "steprow.signal": (
        "On ending, tells the “{flow}” case it belongs to: “{action}”.",
        "结束时通知所属“{flow}”案件：“{action}”。",
    ),
    "steprow.checks": ("Recurring checks:", "定时检查："),
    "check.line": ("every {every}: {label} — by {roles}", "每{every}：{label}（{roles}）"),
    "check.records": ("records: {fields}", "记录：{fields}"),
    "way.to": ("→ {target}", "→ {target}"),
    "way.target": ("{label} (No. {number})", "{label}（第 {number} 步）"),
    "way.type": ("type: {name}", "办理代码：{name}"),
    "way.by": ("by {roles}", "办理人：{roles}"),
    "way.needs": ("needs: {fields}", "需填写：{fields}"),
    "way.may_add": ("may add: {fields}", "可填写：{fields}"),
    "way.only_when": ("only when {condition}", "仅当 {condition}"),
    "way.when": ("when {condition}", "条件：{condition}"),
    "way.otherwise": ("otherwise (no condition above holds)", "否则（以上条件均不成立）"),
    "way.after": ("automatically, {after} after {start}", "自动：自{start}起 {after} 后"),
    "way.entering": ("entering this step", "进入本步骤"),
    "way.escalate": ("{label}: abnormal", "{label}异常"),
    "way.escalate_when": ("when a recorded check shows {condition}", "记录的检查显示 {condition} 时"),
    "way.next": ("then", "随后"),
    "way.outcome": ("the opened case ended: {outcome}", "所启动案件结束：{outcome}"),
    "roles.none": ("—", "—"),
    "source.title": ("Source tags", "依据标记"),
    "source.A": (
        "A — stated in the source article (Qian Gorlos county, 2020)",
        "A — 原文明确记载（前郭县，2020年）",
    ),
    "source.S": (
        "S1, S2, … — a numbered retrieved source of the domain brief",
        "S1、S2 … — 领域资料中编号的检索来源",
    ),
    "source.K": (
        "K — national guidance of the period, not re-checked",
        "K — 当时的国家指导文件（未逐条复核）",
    ),
    "source.I": (
        "I — an inference or a configurable default: check it against local rules",
        "I — 推断或可调的默认值：请按本地规定核对",
    ),
    "datum.required": ("must be given when the case is opened", "立案时必须填写"),
    "datum.personal": ("personal: masked in lists and sheets", "个人信息：列表和单据中打码"),
    "datum.choices": ("one of: {choices}", "可选：{choices}"),
    "type.text": ("text", "文字"),
    "type.integer": ("whole number", "整数"),
    "type.number": ("number", "数字"),
    "type.boolean": ("yes / no", "是 / 否"),
    "type.date": ("date", "日期"),
    "type.datetime": ("date and time", "日期时间"),
    "type.choice": ("choice", "选项"),
    "type.id_number": ("ID number", "身份证号"),
    # conditions in words
    "cond.and": (" and ", " 且 "),
    "cond.or": (" or ", " 或 "),
    "cond.group": ("({text})", "（{text}）"),
    "cond.not": ("not {text}", "并非{text}"),
    "cond.yes": ("{what}: yes", "{what}：是"),
    "cond.no": ("{what}: no", "{what}：否"),
    "cond.eq": ("{left} is {right}", "{left}为{right}"),
    "cond.ne": ("{left} is not {right}", "{left}不为{right}"),
    "cond.in": ("{left} is one of {right}", "{left}为{right}之一"),
    "cond.notin": ("{left} is none of {right}", "{left}不为{right}中任何一项"),
    "cond.defined": ("{what} is filled in", "已填写{what}"),
    "cond.undefined": ("{what} is not filled in", "未填写{what}"),
    "cond.none": ("{what} is empty", "{what}为空"),
    "cond.param": ("{label} ({value})", "{label}（{value}）"),
    "cond.days_since": ("days since {what}", "{what}至今天数"),
    "cond.hours_since": ("hours since {what}", "{what}至今小时数"),
    "cond.list_sep": (", ", "、"),
    "word.yes": ("yes", "是"),
    "word.no": ("no", "否"),
    "word.system": ("system", "系统"),
    "span.days": ("{n} days", "{n}天"),
    "span.day": ("1 day", "1天"),
    "span.hours": ("{n} hours", "{n}小时"),
    "span.hour": ("1 hour", "1小时"),
    "span.minutes": ("{n} minutes", "{n}分钟"),
    "span.minute": ("1 minute", "1分钟"),
    # the case sheet
    "sheet.kind": ("Case sheet", "案件单"),
    "sheet.case": ("Case {id}", "案件 {id}"),
    "sheet.flow": ("{title} ({id}, version {version})", "{title}（{id}，版本 {version}）"),
    "sheet.printed": ("as at {now}", "截至 {now}"),
    "sheet.masked": (
        "Personal data is masked.",
        "个人信息已打码。",
    ),
    "sheet.unmasked": (
        "Contains personal data unmasked: keep it safe, shred after use.",
        "含未打码的个人信息：妥善保管，用后销毁。",
    ),
    "sheet.who": ("Who", "对象"),
    "sheet.where": ("Where", "地点"),
    "sheet.no_place": ("(no place given)", "（未填写）"),
    "sheet.parent": ("Opened from case {id}", "由案件 {id} 启动"),
    "sheet.children": ("Cases opened from it: {ids}", "由本案件启动：{ids}"),
    "sheet.now": ("Where it stands", "当前状态"),
    "sheet.step": ("Step", "当前步骤"),
    "sheet.step_ref": ("(step {number} of the flow, id {id})", "（流程第 {number} 步，代码 {id}）"),
    "sheet.responsible": ("Responsible", "负责"),
    "sheet.since": ("At this step since", "进入本步骤时间"),
    "sheet.ended": ("Ended: {outcome} (at “{step}”)", "已结束：{outcome}（于“{step}”）"),
    "sheet.todo": ("What to do next", "下一步办理"),
    "sheet.instructions": ("Instructions", "办理要求"),
    "sheet.nothing": ("Nothing can be done at this step by hand.", "本步骤无需人工办理。"),
    "sheet.due": ("Deadlines", "时限"),
    "sheet.no_due": ("No deadlines at this step.", "本步骤无时限。"),
    "sheet.overdue": ("OVERDUE", "已超时"),
    "sheet.on_time": ("due", "未到期"),
    "sheet.history": ("History", "办理记录"),
    "col.action": ("Action", "办理事项"),
    "col.goes_to": ("Goes to", "去向"),
    "col.who_may": ("Who may", "办理人"),
    "col.needs": ("Data needed", "需填写"),
    "col.due_what": ("What", "事项"),
    "col.due_at": ("By", "截止"),
    "col.state": ("State", "状态"),
    "col.time": ("Time", "时间"),
    "col.actor": ("Who", "办理人"),
    "col.happened": ("What happened", "经过"),
    "col.note": ("Note / why", "备注 / 依据"),
    "offer.stays": ("stays at this step", "留在本步骤"),
    "offer.not_now": ("not now: only when {condition}", "暂不可办：仅当 {condition}"),
    "offer.check": ("recurring check", "定时检查"),
    "due.deadline": ("Finish “{label}”", "完成“{label}”"),
    "due.check": ("Check: {label}", "检查：{label}"),
    "due.timer": ("Time runs out: {label}", "到时：{label}"),
    "event.start": ("Case opened", "立案"),
    "event.action": ("{label}", "{label}"),
    "event.check": ("Check recorded: {label}", "已记录检查：{label}"),
    "event.branch": ("Decided: {label}", "判断：{label}"),
    "event.timer": ("Time ran out: {label}", "到时：{label}"),
    "event.escalate": ("{label}: abnormal", "{label}异常"),
    "event.next": ("Went on", "继续"),
    "event.child": ("Opened case {child} ({flow})", "启动案件 {child}（{flow}）"),
    "event.outcome": ("Opened case ended: {label}", "所启动案件结束：{label}"),
    "event.signal": ("From case below: {label}", "下级案件通知：{label}"),
    "event.move": ("{from_} → {to}", "{from_} → {to}"),
    "why.guard": ("because {condition} ({values})", "依据：{condition}（{values}）"),
    "why.default": ("otherwise: none of the conditions held ({values})", "否则：各条件均不成立（{values}）"),
    "why.escalate": ("because the check showed {values}", "依据检查结果：{values}"),
    "why.timer": ("{after} from {start} ran out", "自{start}起 {after} 已到"),
    # the commands
    "cli.handbook_written": ("Wrote {file} ({pages} chart pages).", "已写入 {file}（流程图 {pages} 页）。"),
    "cli.sheet_written": ("Wrote {file}.", "已写入 {file}。"),  # also a handbook without charts
}


def word(code: str, lang: str, **params: object) -> str:
    """A word of the printed pages in `lang` (Chinese for "zh", else English)."""
    english, chinese = PAGE_WORDS[code]
    return (chinese if lang == "zh" else english).format(**params)


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
        return word(code, lang, **params)

    return _ENV.get_template(template).render(
        lang=lang, html_lang="zh-CN" if lang == "zh" else "en", w=w, **context
    )


# -- plain words for durations, values and conditions --------------------------------------------


def duration_words(value: timedelta, lang: str) -> str:
    """14d -> "14天" / "14 days"; 1d12h -> "1天12小时" / "1 day 12 hours"."""
    minutes_total = int(value.total_seconds()) // 60
    days, rest = divmod(minutes_total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    for amount, unit in ((days, "day"), (hours, "hour"), (minutes, "minute")):
        if amount == 1:
            parts.append(word(f"span.{unit}", lang))
        elif amount:
            parts.append(word(f"span.{unit}s", lang, n=amount))
    if not parts:
        parts.append(word("span.minutes", lang, n=0))
    return ("" if lang == "zh" else " ").join(parts)


def value_words(spec: FieldSpec | None, value: Any, lang: str) -> str:
    """A value as a reader says it: choices by their label, booleans as yes/no, with the unit."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return word("word.yes" if value else "word.no", lang)
    if isinstance(value, timedelta):
        return duration_words(value, lang)
    if (
        spec is not None
        and spec.type is FieldType.CHOICE
        and isinstance(value, str)
        and value in spec.choices
    ):
        return _pick(spec.choices[value], lang)
    if spec is not None and spec.unit and isinstance(value, int | float):
        return f"{value} {spec.unit}"
    return str(value)


def _pick(text: Mapping[str, str], lang: str) -> str:
    return text.get(lang) or next(iter(text.values()), "")


class _Unsaid(Exception):
    """A guard construct that has no plain wording; the guard is then shown as written."""


_SYMBOLS = {"gt": ">", "gteq": "≥", "lt": "<", "lteq": "≤"}


class _Speaker:
    """Says a guard in words: field and setting names by their labels, choice codes by theirs."""

    def __init__(self, flow: Flow, lang: str) -> None:
        self.flow = flow
        self.lang = lang

    def w(self, code: str, **params: object) -> str:
        return word(code, self.lang, **params)

    def condition(self, node: nodes.Node, inside: type | None = None) -> str:
        if isinstance(node, nodes.And | nodes.Or):
            glue = self.w("cond.and" if isinstance(node, nodes.And) else "cond.or")
            text = glue.join([self.condition(node.left, type(node)), self.condition(node.right, type(node))])
            return self.w("cond.group", text=text) if inside not in (None, type(node)) else text
        if isinstance(node, nodes.Not):
            return self.negation(node.node)
        if isinstance(node, nodes.Name):
            return self.w("cond.yes", what=self.name(node.name))
        if isinstance(node, nodes.Compare):
            return self.compare(node)
        if isinstance(node, nodes.Test):
            return self.test(node)
        raise _Unsaid

    def negation(self, inner: nodes.Node) -> str:
        if isinstance(inner, nodes.Name):
            return self.w("cond.no", what=self.name(inner.name))
        if isinstance(inner, nodes.Test) and inner.name in ("defined", "undefined"):
            flipped = "undefined" if inner.name == "defined" else "defined"
            return self.w(f"cond.{flipped}", what=self.value(inner.node))
        return self.w("cond.not", text=self.w("cond.group", text=self.condition(inner)))

    def compare(self, node: nodes.Compare) -> str:
        parts = []
        left = node.expr
        for operand in node.ops:
            right = operand.expr
            choices = self.choices_of(left)
            lhs, rhs = self.value(left), self.value(right, choices)
            if operand.op in ("eq", "ne", "in", "notin"):
                parts.append(self.w(f"cond.{operand.op}", left=lhs, right=rhs))
            elif operand.op in _SYMBOLS:
                parts.append(f"{lhs} {_SYMBOLS[operand.op]} {rhs}")
            else:
                raise _Unsaid
            left = right
        return self.w("cond.and").join(parts)

    def test(self, node: nodes.Test) -> str:
        if node.args or node.kwargs:
            raise _Unsaid
        what = self.value(node.node)
        if node.name in ("defined", "undefined", "none"):
            return self.w(f"cond.{node.name}", what=what)
        if node.name in ("true", "false"):
            return self.w("cond.yes" if node.name == "true" else "cond.no", what=what)
        raise _Unsaid

    def value(self, node: nodes.Node, choices: Mapping[str, Mapping[str, str]] | None = None) -> str:
        if isinstance(node, nodes.Name):
            return self.name(node.name, with_value=True)
        if isinstance(node, nodes.Const):
            return self.constant(node.value, choices)
        if isinstance(node, nodes.List | nodes.Tuple):
            return self.w("cond.list_sep").join(self.value(item, choices) for item in node.items)
        if (
            isinstance(node, nodes.Call)
            and isinstance(node.node, nodes.Name)
            and node.node.name in ("days_since", "hours_since")
            and len(node.args) == 1
        ):
            return self.w(f"cond.{node.node.name}", what=self.value(node.args[0]))
        raise _Unsaid

    def constant(self, value: Any, choices: Mapping[str, Mapping[str, str]] | None) -> str:
        if isinstance(value, str) and choices and value in choices:
            return _pick(choices[value], self.lang)
        if isinstance(value, bool):
            return self.w("word.yes" if value else "word.no")
        return f"“{value}”" if isinstance(value, str) else str(value)

    def name(self, name: str, *, with_value: bool = False) -> str:
        if name in self.flow.fields:
            return self.flow.text(self.flow.fields[name].label, self.lang) or name
        if name in self.flow.params:
            param = self.flow.params[name]
            label = self.flow.text(param.label, self.lang) or name
            if with_value:
                return self.w("cond.param", label=label, value=value_words(None, param.value, self.lang))
            return label
        raise _Unsaid

    def choices_of(self, node: nodes.Node) -> Mapping[str, Mapping[str, str]] | None:
        if isinstance(node, nodes.Name) and node.name in self.flow.fields:
            spec = self.flow.fields[node.name]
            return spec.choices if spec.type is FieldType.CHOICE else None
        return None


def condition_words(flow: Flow, source: str, lang: str) -> str:
    """A guard in plain words, e.g. `request_type == "medicine"` -> 需求类型为药品; a guard with
    no plain wording (arithmetic, filters) is given as written."""
    try:
        return _Speaker(flow, lang).condition(parse_guard(source))
    except (GuardProblem, _Unsaid):
        return source


# -- the handbook -----------------------------------------------------------------------------------


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
        return word(code, self.lang, **params)

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
                    kind=ui(f"kind.{step_detail['kind']}", self.lang),
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


_XML_HEAD = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_SVG_TAG = re.compile(r"<svg\b[^>]*>")
_GRAPH = re.compile(
    r'<g id="graph0" class="graph" transform="scale\(([-\d.]+) ([-\d.]+)\) rotate\(([-\d.]+)\) '
    r'translate\(([-\d.]+) ([-\d.]+)\)">'
)
_POLYGON = re.compile(r'<polygon\b[^>]*\bpoints="([^"]+)"')


def inline_svg(svg: bytes | str, prefix: str) -> str:
    """An SVG from `dot` made fit to sit inside HTML: no XML prolog or doctype, ids made unique
    with `prefix`, and a viewBox that does not match the printed size (Graphviz 2.43 with a graph
    `margin`) replaced by the drawing's own box, which the browser would otherwise shift and
    rescale. Sizes stay in points: the page prints at the size `lay_out` chose."""
    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    text = _fit_view_box(_XML_HEAD.sub("", text, count=1))
    text = re.sub(r'\bid="', f'id="{prefix}', text)
    return re.sub(r"<svg\b", '<svg class="chart" role="img"', text, count=1)


def _fit_view_box(text: str) -> str:
    head = _SVG_TAG.search(text)
    if head is None or not _view_box_is_off(head.group(0)):
        return text
    graph = _GRAPH.search(text)
    polygon = _POLYGON.search(text, graph.end()) if graph else None
    if graph is None or polygon is None or float(graph.group(3)) != 0:
        return text
    sx, sy, _, tx, ty = (float(g) for g in graph.groups())
    points = [tuple(float(v) for v in p.split(",")) for p in polygon.group(1).split()]
    xs = [(x + tx) * sx for x, _ in points]
    ys = [(y + ty) * sy for _, y in points]
    x0, y0, width, height = min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)
    if width <= 0 or height <= 0:
        return text
    tag = head.group(0)
    tag = re.sub(r'\s(width|height|viewBox)="[^"]*"', "", tag)
    tag = tag.replace(
        "<svg",
        f'<svg width="{width:.2f}pt" height="{height:.2f}pt" '
        f'viewBox="{x0:.2f} {y0:.2f} {width:.2f} {height:.2f}"',
        1,
    )
    return text[: head.start()] + tag + text[head.end() :]


def _view_box_is_off(tag: str) -> bool:
    """True when the viewBox's shape differs from the printed size's: the drawing would be shifted
    and scaled (Graphviz 2.43 with a graph `margin`). A page set with `pad` comes out right."""
    sizes = dict(re.findall(r'\s(width|height)="([\d.]+)pt"', tag))
    box = re.search(r'\sviewBox="([-\d.]+) ([-\d.]+) ([\d.]+) ([\d.]+)"', tag)
    if box is None or set(sizes) != {"width", "height"}:
        return False
    box_w, box_h = float(box.group(3)), float(box.group(4))
    width, height = float(sizes["width"]), float(sizes["height"])
    if min(box_w, box_h, width, height) <= 0:
        return False
    return abs((width / height) / (box_w / box_h) - 1) > 0.01


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
        unit=word(f"unit.{flow.unit}", lang)
        if f"unit.{flow.unit}" in PAGE_WORDS
        else word("handbook.unit", lang, unit=flow.unit),
        organisation=organisation,
        date=date,
        charts=sheets,
        steps=book.rows(detail, pages_of),
        roles=book.role_rows(),
        fields=book.field_rows(),
        params=book.param_rows(),
        sources=[word(f"source.{tag}", lang) for tag in "ASKI"],
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
    personal = frozenset(
        str(value)
        for name, value in case.data.items()
        if name in flow.fields and flow.fields[name].personal and value is not None
    )
    sheet = _Sheet(flow, lang, book, show_personal, engine.tz, personal)
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
    personal: frozenset[str] = frozenset()  # the case's personal values, as text

    def w(self, code: str, **params: object) -> str:
        return word(code, self.lang, **params)

    def actor(self, name: str) -> str:
        """Who did it. The person in the case recording their own temperature is masked like the
        name field (staff names are shown: they answer for what they did)."""
        if name == "system":
            return self.w("word.system")
        if not self.show_personal and name in self.personal:
            return mask_text(name)
        return name

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
            "reason": (
                self.w("offer.not_now", condition=condition_words(self.flow, offer["reason"], self.lang))
                if offer["reason"]
                else ""
            ),
        }

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
