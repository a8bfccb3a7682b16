"""Every task has a deadline, and a task that says "at once" has a short one (issue 11, C5).

A task without a time limit never shows in `due`: a 38.3 ℃ reading once sat at its step for 11
days unseen. So a task gives `deadline:`, or `deadline: none` with `deadline_reason:` saying why;
and a task whose instructions tell staff to act 马上/立即/immediately needs a deadline of at most
`urgent_within` (2 hours unless the flow says). Words in quotation marks are words to pass on to
someone else (告诉本人：“一旦发热，马上打电话”), not an order to staff, and do not count.

In `format: 2` these are errors; in format 1 warnings that say they become errors, so that a
county's own older files keep loading.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

from sopflow.errors import Severity
from sopflow.i18n import Phrase
from sopflow.language.model import Step, StepKind
from sopflow.language.problems import ProblemSink
from sopflow.language.yamlsource import Path

URGENT_WORDS = re.compile(
    r"马上|立即|立刻|即刻|第一时间|immediately|at once|right away|without delay", re.IGNORECASE
)
QUOTED = re.compile(r"“[^”]*”|「[^」]*」|\"[^\"]*\"")
DEFAULT_URGENT_WITHIN = timedelta(hours=2)


def urgent_words(text: str) -> Iterator[tuple[str, int]]:
    """Each urgent word said outside quotation marks, with how many times the same word came
    before it in the whole text (quoted or not): what places it in the file."""
    quoted = [m.span() for m in QUOTED.finditer(text)]
    for match in URGENT_WORDS.finditer(text):
        if any(start <= match.start() < end for start, end in quoted):
            continue
        word = match.group()
        yield word, text.count(word, 0, match.start())


def check_deadlines(
    steps: Mapping[str, Step],
    raw_steps: Mapping[str, Any],
    sink: ProblemSink,
    *,
    format: int,
    urgent_within: timedelta,
) -> None:
    """Report tasks without a deadline, and urgent words without a short one (see above)."""
    severity: Severity = "error" if format >= 2 else "warning"
    later = Phrase("deadline.from_format_2") if format < 2 else Phrase("word.nothing")
    for step in steps.values():
        path: Path = ("steps", step.id)
        raw = raw_steps.get(step.id)
        if isinstance(raw, Mapping):
            _none_and_reason(raw, path, sink)
        said_none = isinstance(raw, Mapping) and raw.get("deadline") == "none"
        if step.kind is StepKind.TASK and step.deadline is None and not said_none:
            sink.add("step.no_deadline", path, on_key=True, severity=severity, step=step.id, later=later)
        words = list(_said(step, raw))
        if not words:
            continue
        where, word, nth = words[0]
        if step.kind is not StepKind.TASK:
            sink.add_at_word(
                "step.urgent_words_elsewhere", where, word, nth, severity="warning", step=step.id, word=word
            )
            continue
        for where, word, nth in _first_per_language(words):
            if step.deadline is None:
                code, shown = "step.urgent_without_deadline", ""
            elif step.deadline > urgent_within:
                written = str(raw.get("deadline", "")) if isinstance(raw, Mapping) else ""
                value = _shown(step.deadline)
                code, shown = (
                    "step.urgent_deadline_too_long",
                    value if written == value else f"{written} ({value})",
                )
            else:
                continue
            sink.add_at_word(
                code,
                where,
                word,
                nth,
                severity=severity,
                step=step.id,
                word=word,
                deadline=shown,
                limit=_shown(urgent_within),
                later=later,
            )


def _none_and_reason(raw: Mapping[str, Any], path: Path, sink: ProblemSink) -> None:
    """`deadline: none` goes with `deadline_reason:`, and only with it."""
    none = raw.get("deadline") == "none"
    if none and not raw.get("deadline_reason"):
        sink.add("step.deadline_reason_missing", (*path, "deadline"))
    elif not none and "deadline_reason" in raw:
        sink.add("step.deadline_reason_without_none", (*path, "deadline_reason"), on_key=True)


def _said(step: Step, raw: Any) -> Iterator[tuple[Path, str, int]]:
    """(path of the text, word, occurrences before it) of each urgent word in the instructions."""
    written = raw.get("instructions") if isinstance(raw, Mapping) else None
    for lang, text in step.instructions.items():
        where: Path = ("steps", step.id, "instructions")
        if isinstance(written, Mapping):
            where = (*where, lang)
        if not isinstance(text, str):
            continue
        for word, nth in urgent_words(text):
            yield where, word, nth


def _first_per_language(words: list[tuple[Path, str, int]]) -> Iterator[tuple[Path, str, int]]:
    seen: set[Path] = set()
    for where, word, nth in words:
        if where not in seen:
            seen.add(where)
            yield where, word, nth


def _shown(span: timedelta) -> str:
    """A span as a flow file writes it: 2h, 30m, 1d."""
    minutes = int(span.total_seconds()) // 60
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)}d"
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"
