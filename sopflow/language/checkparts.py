"""Build one check of a step: recurring (`every:`), at fixed times of day (`at:` with `window:`),
once (`once: true`, `within:`), and owed only while a guard holds (`when:`).

Kept apart from the builder, which holds the references every part of a flow shares: a check's
schedule has rules of its own (times of day, windows that must not overlap), each reported at
its place in the file."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from sopflow.language.model import Check, Escalation

if TYPE_CHECKING:
    from sopflow.language.builder import FlowBuilder
    from sopflow.language.yamlsource import Path

_TIME = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")


def time_of_day(value: object) -> str | None:
    """`value` as "HH:MM" if it is a time of day written H:MM or HH:MM, else None."""
    found = _TIME.match(value) if isinstance(value, str) else None
    return f"{int(found.group(1)):02d}:{found.group(2)}" if found else None


def minutes(time: str) -> int:
    """Minutes after midnight of a time "HH:MM" (as time_of_day gives it)."""
    hours, mins = time.split(":")
    return int(hours) * 60 + int(mins)


def build_check(builder: FlowBuilder, raw: Mapping[str, Any], path: Path, role: str) -> Check:
    """The Check `raw` describes, every mistake in it reported to the builder's sink."""
    escalation = None
    if "escalate" in raw:
        epath: Path = (*path, "escalate")
        guard = builder.guard(raw["escalate"]["when"], (*epath, "when"))
        target = builder.step_ref(raw["escalate"]["to"], (*epath, "to"))
        told = raw["escalate"].get("alert_roles")
        roles = builder.role_refs(told, (*epath, "alert_roles"), "") if told else ()
        escalation = Escalation(guard, target, roles) if guard else None
    when = builder.guard(raw.get("when"), (*path, "when"))
    if when is not None and when.uses_time:
        builder.sink.add("check.when_uses_time", (*path, "when"), guard=when.source)
    once = bool(raw.get("once", False))
    _schedule_shape(builder, raw, path, once=once)
    times = _times(builder, raw.get("at"), (*path, "at"))
    window = builder.duration(raw["window"], (*path, "window")) if "window" in raw else timedelta(0)
    if times and window:
        _windows_apart(builder, times, window, (*path, "window"))
    return Check(
        name=raw["check"],
        label=builder.text(raw.get("label"), (*path, "label")),
        every=builder.duration(raw["every"], (*path, "every")) if "every" in raw else None,
        roles=builder.role_refs(raw.get("roles"), (*path, "roles"), role),
        requires=builder.field_refs(raw.get("requires"), (*path, "requires")),
        accepts=builder.field_refs(raw.get("accepts"), (*path, "accepts")),
        escalate=escalation,
        source=raw.get("source"),
        at=times,
        window=window,
        once=once,
        within=builder.duration(raw["within"], (*path, "within")) if "within" in raw else None,
        when=when,
    )


def _schedule_shape(builder: FlowBuilder, raw: Mapping[str, Any], path: Path, *, once: bool) -> None:
    """Exactly one schedule: every:, at: or once: true (with within:); window: only with at:."""
    if once:
        for key in ("every", "at", "window"):
            if key in raw:
                builder.sink.add("check.once_with_schedule", (*path, key), on_key=True, key=key)
        if "within" not in raw:
            builder.sink.add("check.once_without_within", path, check=raw["check"])
        return
    if "within" in raw:
        builder.sink.add("check.within_without_once", (*path, "within"), on_key=True)
    if "every" in raw and "at" in raw:
        builder.sink.add("check.at_and_every", (*path, "at"), on_key=True)
    elif "every" not in raw and "at" not in raw:
        builder.sink.add("check.no_schedule", path, check=raw["check"])
    if "window" in raw and "at" not in raw:
        builder.sink.add("check.window_without_at", (*path, "window"), on_key=True)


def _times(builder: FlowBuilder, value: object, path: Path) -> tuple[str, ...]:
    """The times of `at:`, a list here or the name of a param holding one, sorted."""
    if value is None:
        return ()
    listed: object = value
    where: Path = path
    if isinstance(value, str):
        param = builder.params.get(value)
        if param is None:
            builder.sink.add("check.at_unknown_param", path, name=value)
            return ()
        listed, where = param.value, ("params", value, "value")
        if not isinstance(listed, tuple) or not listed:
            builder.sink.add("check.at_param_not_times", path, name=value)
            return ()
    times = []
    for i, item in enumerate(listed if isinstance(listed, list | tuple) else ()):
        time = time_of_day(item)
        if time is None:
            builder.sink.add("check.bad_time", (*where, i), value=item)
        else:
            times.append(time)
    if len(set(times)) < len(times):
        builder.sink.add("check.time_twice", where)
    return tuple(sorted(set(times), key=minutes))


def _windows_apart(builder: FlowBuilder, times: tuple[str, ...], window: timedelta, path: Path) -> None:
    """Each window ends before the next opens (also the last of a day and the first of the next):
    a reading must fill one slot, never two."""
    starts = [minutes(t) for t in times]
    gaps = [b - a for a, b in pairwise(starts)] + [starts[0] + 24 * 60 - starts[-1]]
    widest = timedelta(minutes=min(gaps)) / 2
    if window >= widest:
        builder.sink.add("check.window_too_wide", path, times=", ".join(times), most=_hours(widest))


def _hours(span: timedelta) -> str:
    total = int(span.total_seconds() // 60)
    return f"{total // 60}h{total % 60}m" if total % 60 else f"{total // 60}h"
