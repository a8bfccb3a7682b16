"""Plain words for printed pages: the pages' own vocabulary (zh/en), and durations, values and
guard conditions said the way a volunteer reads them ("体温 ≥ 37.3 或 有症状")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from jinja2 import nodes

from sopflow.language.guards import GuardProblem, parse_guard
from sopflow.language.model import FieldSpec, FieldType, Flow

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
