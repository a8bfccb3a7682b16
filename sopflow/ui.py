"""Words of the command-line interface in Chinese and English."""

from __future__ import annotations

from datetime import timedelta

UI: dict[str, tuple[str, str]] = {
    "list.builtin": ("built-in", "内置"),
    "list.steps": ("steps", "步"),
    "show.roles": ("Roles:", "角色："),
    "show.steps": ("Steps:", "步骤："),
    "show.deadline": ("within {value}", "时限 {value}"),
    "show.outcome": ("outcome: {value}", "结果：{value}"),
    "show.check": ("{label} every {every}", "{label} 每 {every}"),
    "kind.task": ("task", "任务"),
    "kind.decision": ("decision", "判断"),
    "kind.wait": ("wait", "等待"),
    "kind.subflow": ("child flow", "子流程"),
    "kind.end": ("end", "结束"),
    "way.timer": ("{label} {after} after entering this step → {to}", "{label}：进入本步起 {after}后 → {to}"),
    "way.timer_from": ("{label} {after} after {start} → {to}", "{label}：自 {start} 起 {after}后 → {to}"),
    "duration.zero": ("0 minutes", "0 分钟"),
    "way.default": ("(otherwise)", "（否则）"),
    "validate.ok": ("{file}: OK", "{file}：通过"),
    "case.head": ("Case {id}  ({flow} v{version})", "案件 {id}（{flow} v{version}）"),
    "case.ended": ("Ended at {step}: {outcome}", "已结束于 {step}：{outcome}"),
    "case.at": ("Now at: {step} [{id}] — responsible: {role}", "当前步骤：{step} [{id}] — 负责：{role}"),
    "case.overdue": ("  OVERDUE", "  已超时"),
    "case.due.deadline": ("  finish this step by {at}", "  本步骤时限：{at} 前"),
    "case.due.check": ("  {label} due by {at}", "  {label}：{at} 前"),
    "case.due.timer": ("  {label} at {at}", "  {label}：{at}"),
    "case.now": ("What can be done now:", "现在可以办理："),
    "case.stays": (" (stays here)", "（留在本步骤）"),
    "case.needs": ("  needs: {fields}", "  需填写：{fields}"),
    "case.not_now": ("  — not now: {reason}", "  — 暂不可用：{reason}"),
    "case.data": ("Data:", "数据："),
    "case.history": ("History:", "记录："),
    "case.why": ("because {guard} with {values}", "依据 {guard}（{values}）"),
    "case.why_default": ("otherwise: none of {tried} held", "否则：{tried} 均不成立"),
    "case.count": ("{count} cases", "共 {count} 件"),
    "case.count.one": ("1 case", "共 1 件"),
    "due.kind.deadline": ("finish the step", "完成本步骤"),
    "due.kind.check": ("check", "定时检查"),
    "due.kind.timer": ("timer", "计时"),
    "due.count": ("{count} items, {overdue} overdue", "共 {count} 项，其中超时 {overdue} 项"),
    "due.count.one": ("1 item, {overdue} overdue", "共 1 项，其中超时 {overdue} 项"),
    "tick.moved": ("{case} → {step} [{id}] ({status})", "{case} → {step} [{id}]（{status}）"),
    "status.active": ("in progress", "办理中"),
    "status.ended": ("ended: {outcome}", "已结束：{outcome}"),
    "tick.count": ("{count} cases moved", "{count} 件案件已流转"),
    "tick.count.one": ("1 case moved", "1 件案件已流转"),
    "verify.line": (
        "{case}: {field} stored {stored}, replayed {replayed}",
        "{case}：{field} 存储为 {stored}，重放为 {replayed}",
    ),
    "verify.done": ("{count} differences found", "发现 {count} 处不一致"),
    "verify.done.one": ("1 difference found", "发现 1 处不一致"),
    "chart.deadline": ("within {value}", "时限 {value}"),
    "chart.check": ("↻ every {every}: {label}", "↻ 每{every}：{label}"),
    "chart.timer": ("timer: {after} from {start}", "计时：自{start}起 {after}"),
    "chart.timer_edge": ("{label} (time)", "{label}（到时）"),
    "chart.entered": ("entering", "进入本步"),
    "chart.subflow": ("starts: {flow}", "启动：{flow}"),
    "chart.escalate": ("{label}: abnormal", "{label}异常"),
    "chart.start": ("Start", "开始"),
    "chart.main_line": ("Main line", "主线"),
    "chart.page": ("page {number} of {total}", "第 {number} 页，共 {total} 页"),
    "chart.version": ("version {version}", "版本 {version}"),
    "chart.see_page": ("→ page {number}", "→ 见第 {number} 页"),
    "chart.from_page": ("← from page {number}", "← 来自第 {number} 页"),
    "chart.legend": ("Who does it:", "负责角色："),
    "chart.shapes": (
        "Shapes: rounded box = task, diamond = decision, double box = wait (timer, ↻ check) | "
        "3-D box = starts a child flow, bold box = end, dashed arrow = timer or alarm",
        "图形：圆角框＝任务，菱形＝判断，双线框＝等待（计时，↻定时检查）| 立体框＝启动子流程，粗框＝结束，虚线＝计时或异常",
    ),
    "render.done": (
        "{flow}: {count} pages, smallest text {points} pt → {files}",
        "{flow}：{count} 页，最小字号 {points} 磅 → {files}",
    ),
    "render.done.one": (
        "{flow}: 1 page, smallest text {points} pt → {files}",
        "{flow}：1 页，最小字号 {points} 磅 → {files}",
    ),
    "handbook.written": ("Wrote {file} ({count} chart pages).", "已写入 {file}（流程图 {count} 页）。"),
    "handbook.written.one": ("Wrote {file} (1 chart page).", "已写入 {file}（流程图 1 页）。"),
    "render.case_done": ("case {case} → {files}", "案件 {case} → {files}"),
    "render.too_big": (
        "warning: {flow}, page {page}: {element} is too big for one page at 9 pt, so that page's "
        "smallest text is {points} pt — shorten it, or print on A3 (--paper a3)",
        "警告：{flow} 第 {page} 页：{element}太大，一页内无法以 9 磅以上字号印出，该页最小字号只有 "
        "{points} 磅 — 请缩短文字，或用 A3 纸打印（--paper a3）",
    ),
    "render.too_big.step": ("step “{label}” ({id})", "步骤“{label}”（{id}）"),
    "render.too_big.title": ("the title block (title and organisation)", "标题栏（标题和单位名称）"),
    "paths.too_many": (
        "more than {limit} paths{ending}: each decision (and each loop) multiplies the ways through "
        "the flow, too many to list — use --cover for a few paths that together take every way out",
        "路径超过 {limit} 条{ending}：每个判断（和环路）都会使路径成倍增加，无法全部列出 — "
        "请用 --cover 列出走遍每条出路的少数几条路径",
    ),
    "paths.too_many_counted": (
        "{count} paths{ending}: each decision multiplies the ways through the flow, too many to "
        "list (at most {limit}) — use --cover for a few paths that together take every way out",
        "共 {count} 条路径{ending}：每个判断都会使路径成倍增加，无法全部列出（最多 {limit} 条） — "
        "请用 --cover 列出走遍每条出路的少数几条路径",
    ),
    "paths.ending": (" ending in {outcomes}", "（结果为 {outcomes}）"),
    "paths.unknown_outcome": (
        "no outcome '{outcome}'; this flow has: {outcomes}",
        "没有结果 '{outcome}';本流程的结果有：{outcomes}",
    ),
    "paths.summary": (
        "{count} paths; outcomes reached: {outcomes}",
        "共 {count} 条路径；可到达的结果：{outcomes}",
    ),
    "paths.summary.one": ("1 path; outcome reached: {outcomes}", "共 1 条路径；可到达的结果：{outcomes}"),
    # issue 10 (charts): a check's interval in words on a chart ("↻ 每 12 小时：测体温问症状")
    "chart.every": ("every {every}", "每 {every}"),
    "chart.check_every": ("↻ {every}: {label}", "↻ {every}：{label}"),
}


# a duration's parts, largest first: (seconds, English one, English many, Chinese)
_UNITS = ((86400, "day", "days", "天"), (3600, "hour", "hours", "小时"), (60, "minute", "minutes", "分钟"))


def ui(code: str, lang: str, **params: object) -> str:
    """The words for `code` in `lang`: Chinese for zh, English for any other language. A code with
    a `.one` variant takes it when the `count` given is 1 ("1 case", not "1 cases")."""
    if params.get("count") == 1 and f"{code}.one" in UI:
        code = f"{code}.one"
    english, chinese = UI[code]
    return (chinese if lang == "zh" else english).format(**params)


def duration_words(value: timedelta, lang: str) -> str:
    """A duration as people say it: '2 天', '1 天 12 小时'; '2 days', '1 hour 30 minutes'."""
    rest = int(value.total_seconds())
    parts = []
    for seconds, one, many, chinese in _UNITS:
        amount, rest = divmod(rest, seconds)
        if amount:
            unit = chinese if lang == "zh" else (one if amount == 1 else many)
            parts.append(f"{amount} {unit}")
    return " ".join(parts) or ui("duration.zero", lang)
