"""The county's settings files (sopflow/settings/*.yaml, or a county's own copy): what the daily
report counts and how a building chart colours a door. Read with safe YAML and checked here, so
a mistake in one is said with the file and the key, not found later as a wrong number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from sopflow.errors import LookupFailed
from sopflow.language.durations import parse_duration

Label = dict[str, str]
Steps = dict[str, tuple[str, ...] | None]  # flow -> its steps, None for every step that is not an end


@dataclass(frozen=True)
class Column:
    """One column of the daily report: the counts it adds up (see daily_report.yaml)."""

    id: str
    label: Label
    now: Steps
    entered: Steps
    within: timedelta | None
    started: tuple[str, ...]
    overdue: tuple[str, ...] | None  # flows; None: none; ("*",): every flow
    by_role: bool
    alerts: bool


@dataclass(frozen=True)
class ColourRule:
    """Doors whose people have a case of `flow` at one of `steps` get `colour` (see building_colours.yaml)."""

    id: str
    colour: str
    label: Label
    flow: str
    steps: tuple[str, ...]
    ended: bool
    day_of: str | None
    days: int
    show_name: bool = False


@dataclass(frozen=True)
class Colours:
    rules: tuple[ColourRule, ...]
    empty: tuple[str, Label]
    not_visited: tuple[str, Label]


def _read(path: Path | None, name: str) -> tuple[str, dict[str, Any]]:
    if path is None:
        text = resources.files("sopflow.settings").joinpath(name).read_text("utf-8")
        shown = name
    else:
        try:
            text = path.read_text("utf-8")
        except OSError as exc:
            detail = exc.strerror or str(exc)
            raise LookupFailed("settings.unreadable", file=str(path), detail=detail) from None
        shown = str(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise LookupFailed("settings.bad", file=shown, key="-", detail=str(exc).splitlines()[0]) from None
    if not isinstance(data, dict):
        raise LookupFailed("settings.bad", file=shown, key="-", detail="not a mapping")
    return shown, data


def _steps(shown: str, key: str, value: Any) -> Steps:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise LookupFailed("settings.bad", file=shown, key=key, detail="flow: [steps]")
    steps: Steps = {}
    for flow, listed in value.items():
        if listed == "*":
            steps[str(flow)] = None
        elif isinstance(listed, list) and all(isinstance(s, str) for s in listed):
            steps[str(flow)] = tuple(listed)
        else:
            raise LookupFailed("settings.bad", file=shown, key=f"{key}.{flow}", detail="[steps] or '*'")
    return steps


def _label(shown: str, key: str, value: Any) -> Label:
    if not isinstance(value, dict) or not value:
        raise LookupFailed("settings.bad", file=shown, key=key, detail="{zh: …, en: …}")
    return {str(k): str(v) for k, v in value.items()}


def _flows(shown: str, key: str, value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if value == "*":
        return ("*",)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    raise LookupFailed("settings.bad", file=shown, key=key, detail="[flows] or '*'")


def report_columns(path: Path | None = None) -> tuple[Column, ...]:
    """The daily report's columns, from `path` or the built-in daily_report.yaml."""
    shown, data = _read(path, "daily_report.yaml")
    columns = []
    for index, raw in enumerate(data.get("columns") or []):
        key = f"columns[{index}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            raise LookupFailed("settings.bad", file=shown, key=key, detail="id: …")
        within = raw.get("within")
        span = None if within is None else parse_duration(str(within))
        if within is not None and span is None:
            raise LookupFailed("settings.bad", file=shown, key=f"{key}.within", detail="a duration, e.g. 14d")
        columns.append(
            Column(
                id=raw["id"],
                label=_label(shown, f"{key}.label", raw.get("label")),
                now=_steps(shown, f"{key}.now", raw.get("now")),
                entered=_steps(shown, f"{key}.entered", raw.get("entered")),
                within=span,
                started=_flows(shown, f"{key}.started", raw.get("started")) or (),
                overdue=_flows(shown, f"{key}.overdue", raw.get("overdue")),
                by_role=bool(raw.get("by_role", False)),
                alerts=bool(raw.get("alerts", False)),
            )
        )
    return tuple(columns)


def building_colours(path: Path | None = None) -> Colours:
    """The colour rules of building charts, from `path` or the built-in building_colours.yaml."""
    shown, data = _read(path, "building_colours.yaml")
    rules = []
    for index, raw in enumerate(data.get("rules") or []):
        key = f"rules[{index}]"
        named = isinstance(raw, dict) and all(isinstance(raw.get(k), str) for k in ("id", "colour", "flow"))
        if not named:
            raise LookupFailed("settings.bad", file=shown, key=key, detail="id, colour, flow, steps")
        steps = raw.get("steps")
        if not isinstance(steps, list):
            raise LookupFailed("settings.bad", file=shown, key=f"{key}.steps", detail="[steps]")
        rules.append(
            ColourRule(
                id=raw["id"],
                colour=raw["colour"],
                label=_label(shown, f"{key}.label", raw.get("label")),
                flow=raw["flow"],
                steps=tuple(str(s) for s in steps),
                ended=bool(raw.get("ended", False)),
                day_of=raw.get("day_of"),
                days=int(raw.get("days", 14)),
                show_name=bool(raw.get("show_name", False)),
            )
        )
    fixed = []
    for name in ("empty", "not_visited"):
        raw = data.get(name)
        if not isinstance(raw, dict) or not isinstance(raw.get("colour"), str):
            raise LookupFailed("settings.bad", file=shown, key=name, detail="colour, label")
        fixed.append((raw["colour"], _label(shown, f"{name}.label", raw.get("label"))))
    return Colours(tuple(rules), fixed[0], fixed[1])


def in_language(label: Label, lang: str) -> str:
    """A settings label in the reader's language, else English, else the first given."""
    return label.get(lang) or label.get("en") or next(iter(label.values()))
