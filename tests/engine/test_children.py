"""Child cases seen from their parent (issue 11, C11): an action that stays at its wait step and
starts a child per firing, every child's end in the parent's history, conditions of a wait step,
and the children() guard functions. Defect 8's scenario (tests/scenarios) walks the three-check
through the built-in flows; here a small flow shows each rule on its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from sopflow import Engine, EventKind
from sopflow.language.catalog import FlowCatalog, builtin_dir
from sopflow.store.store import Store
from tests.conftest import Clock

ROLL_CALL = """\
format: 1
id: roll_call
version: "2020.05.1"
languages: [zh, en]
title: {zh: 点名, en: Roll call}
description: {zh: 测试用的小流程, en: A small flow for the tests}
unit: dwelling
start: count
roles:
  grid_worker: {zh: 网格员, en: Grid worker}
fields:
  room: {type: text, label: {zh: 房间, en: Room}, required: true}
  expected: {type: integer, label: {zh: 应到人数, en: Expected}, min: 0}
  full_name: {type: text, label: {zh: 姓名, en: Name}, personal: true}
  phone: {type: text, label: {zh: 电话, en: Phone}, personal: true}
  reached: {type: integer, label: {zh: 已结人数, en: Ended}, compute: [{default: 'children_ended("answer")'}]}
steps:
  count:
    kind: task
    label: {zh: 清点, en: Count}
    role: grid_worker
    actions:
      - {action: counted, label: {zh: 已清点, en: Counted}, to: call, requires: [expected]}
  call:
    kind: wait
    label: {zh: 逐人点名, en: Call each}
    role: grid_worker
    deadline: 1d
    actions:
      - action: called
        label: {zh: 点一人, en: One called}
        stays: true
        start: {flow: answer, copy: [room]}
        requires: [full_name]
        accepts: [phone]
        keep: [phone]
    conditions:
      - condition: all_in
        label: {zh: 全部到齐, en: All in}
        when: children("answer") >= expected and children_open("answer") == 0
        to: done
  done:
    kind: end
    label: {zh: 完成, en: Done}
    role: grid_worker
    outcome: done
"""

ANSWER = """\
format: 1
id: answer
version: "2020.05.1"
languages: [zh, en]
title: {zh: 应答, en: Answer}
description: {zh: 测试用的小流程, en: A small flow for the tests}
unit: person
start: wait_answer
roles:
  grid_worker: {zh: 网格员, en: Grid worker}
fields:
  room: {type: text, label: {zh: 房间, en: Room}, required: true}
  full_name: {type: text, label: {zh: 姓名, en: Name}, required: true, personal: true}
  phone: {type: text, label: {zh: 电话, en: Phone}, personal: true}
steps:
  wait_answer:
    kind: task
    label: {zh: 等应答, en: Wait}
    role: grid_worker
    actions:
      - {action: present, label: {zh: 到, en: Present}, to: here}
  here:
    kind: end
    label: {zh: 已到, en: Here}
    role: grid_worker
    outcome: here
"""


@pytest.fixture
def roll(store: Store, clock: Clock, tmp_path: Path) -> Engine:
    (tmp_path / "roll_call.yaml").write_text(ROLL_CALL, encoding="utf-8")
    (tmp_path / "answer.yaml").write_text(ANSWER, encoding="utf-8")
    engine = Engine(store, flows=FlowCatalog([tmp_path, builtin_dir()]), clock=clock)
    engine.start("roll_call", "R-1", {"room": "301"}, actor="王芳", role="grid_worker")
    clock.advance(minutes=5)
    engine.fire("R-1", "counted", actor="王芳", role="grid_worker", data={"expected": "2"})
    return engine


def call(engine: Engine, clock: Clock, name: str, phone: str = "13900001111") -> None:
    clock.advance(minutes=5)
    engine.fire("R-1", "called", actor="王芳", role="grid_worker", data={"full_name": name, "phone": phone})


def test_a_staying_action_starts_a_child_with_what_was_given_and_keeps_the_steps_clock(
    roll: Engine, clock: Clock
) -> None:
    entered = roll.case("R-1").entered_at
    call(roll, clock, "李四")
    call(roll, clock, "王五", phone="13900002222")
    parent = roll.case("R-1")
    assert (parent.step, parent.entered_at, parent.children) == ("call", entered, ("R-1.1", "R-1.2"))
    assert "full_name" not in parent.data and parent.data["phone"] == "13900002222"  # kept: phone only
    child = roll.case("R-1.2")
    assert (child.flow_id, child.parent_id, dict(child.data)) == (
        "answer",
        "R-1",
        {"room": "301", "full_name": "王五", "phone": "13900002222"},
    )


def test_every_child_end_is_noted_and_the_condition_moves_the_parent(roll: Engine, clock: Clock) -> None:
    call(roll, clock, "李四")
    call(roll, clock, "王五")
    clock.advance(minutes=5)
    roll.fire("R-1.1", "present", actor="王芳", role="grid_worker")
    parent = roll.case("R-1")
    assert parent.step == "call"  # one of two still open
    ended = [e for e in parent.history if e.kind is EventKind.CHILD_ENDED]
    assert [(e.name, e.child_id) for e in ended] == [("here", "R-1.1")]
    assert parent.data["reached"] == 1  # a computed field reads the children's ends
    clock.advance(minutes=5)
    roll.fire("R-1.2", "present", actor="王芳", role="grid_worker")
    parent = roll.case("R-1")
    assert (parent.step, parent.outcome, parent.data["reached"]) == ("done", "done", 2)
    [moved] = [e for e in parent.history if e.kind is EventKind.CONDITION]
    assert moved.name == "all_in" and moved.actor == "system"
    assert moved.why is not None and moved.why["values"] == {
        "expected": 2,
        'children("answer")': 2,
        'children_open("answer")': 0,
    }
    assert roll.verify() == []


def test_a_condition_that_holds_on_entering_moves_at_once(store: Store, clock: Clock, tmp_path: Path) -> None:
    (tmp_path / "roll_call.yaml").write_text(ROLL_CALL, encoding="utf-8")
    (tmp_path / "answer.yaml").write_text(ANSWER, encoding="utf-8")
    engine = Engine(store, flows=FlowCatalog([tmp_path, builtin_dir()]), clock=clock)
    engine.start("roll_call", "R-2", {"room": "302"}, actor="王芳", role="grid_worker")
    case = engine.fire("R-2", "counted", actor="王芳", role="grid_worker", data={"expected": "0"})
    assert case.step == "done"  # nobody to call: all in as soon as the calling starts
