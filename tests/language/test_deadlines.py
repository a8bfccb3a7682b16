"""Deadlines everywhere and urgent words (issue 11, C5): errors in format 2, warnings in format 1,
words in quotation marks passed on to someone else, each word placed at its own line and column."""

from __future__ import annotations

import pytest

from sopflow.errors import FlowError
from sopflow.language.deadlines import urgent_words
from sopflow.language.loader import load_shallow

FLOW = """\
format: {format}
id: demo
version: "1"
title: {{zh: 演示, en: Demo}}
unit: person
start: report
roles:
  doctor: {{zh: 医生, en: Doctor}}
steps:
  report:
    kind: task
    label: {{zh: 上报, en: Report}}
    role: doctor
{deadline}    instructions:
      zh: >-
        先测体温。
        发现发热立即上报。
      en: Report a fever.
    actions:
      - {{action: reported, label: {{zh: 已上报, en: Reported}}, to: done}}
  done: {{kind: end, label: {{zh: 结束, en: Done}}, role: doctor, outcome: done}}
"""


def text(format: int, deadline: str = "") -> bytes:
    return FLOW.format(format=format, deadline=f"    deadline: {deadline}\n" if deadline else "").encode()


def test_in_format_1_the_rules_are_warnings_that_say_they_become_errors() -> None:
    flow, _ = load_shallow(text(1), "demo.yaml")
    shown = [w.format("en") for w in flow.warnings]
    assert shown == [
        "demo.yaml:10:3: warning: task 'report' has no deadline, so it never shows as due — add deadline: 1d"
        " (or a duration param), or deadline: none with deadline_reason: why (an error from format: 2)",
        "demo.yaml:17:13: warning: 'report' says '立即' but has no deadline — give it one of at most 2h"
        " (deadline: 15m), or put words meant for someone else in quotes “…” (an error from format: 2)",
    ]


def test_in_format_2_they_are_errors_at_the_word_inside_a_folded_text() -> None:
    with pytest.raises(FlowError) as refused:
        load_shallow(text(2, "1d"), "demo.yaml")
    assert [(p.code, p.location.line, p.location.column) for p in refused.value.problems] == [
        ("step.urgent_deadline_too_long", 18, 13)
    ]
    flow, _ = load_shallow(text(2, "30m"), "demo.yaml")
    assert flow.format == 2 and flow.warnings == ()


def test_words_in_quotation_marks_are_passed_on_not_orders() -> None:
    assert list(urgent_words("告诉本人：“一旦发热，马上打社区电话。”")) == []
    assert list(urgent_words('Tell them: "call at once". Report immediately.')) == [("immediately", 0)]
    assert list(urgent_words("“马上”之后，马上上报")) == [("马上", 1)]
