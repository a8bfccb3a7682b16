"""Words of the command-line interface in Chinese and English."""

from __future__ import annotations

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
    "way.timer": ("{label} after {after} from {start} → {to}", "{label}：自 {start} 起 {after} 后 → {to}"),
    "way.default": ("(otherwise)", "（否则）"),
    "validate.ok": ("{file}: OK", "{file}：通过"),
    "paths.too_many": (
        "more than {limit} paths; the flow has too many loops to list",
        "路径超过 {limit} 条，流程中的环路太多，无法列出",
    ),
    "paths.unknown_outcome": (
        "no outcome '{outcome}'; this flow has: {outcomes}",
        "没有结果 '{outcome}';本流程的结果有：{outcomes}",
    ),
    "paths.summary": (
        "{count} paths; outcomes reached: {outcomes}",
        "共 {count} 条路径；可到达的结果：{outcomes}",
    ),
}


def ui(code: str, lang: str, **params: object) -> str:
    english, chinese = UI[code]
    return (chinese if lang == "zh" else english).format(**params)
