"""Entry steps (issue 11, C6): a case started at a given step, by a person (`Engine.start(…,
at_step=)`, `sopflow case start --at-step`), by a subflow step (`start_at:`, a `copy:` mapping,
`set:`), and by a signal that finds nobody (`if_none: start`). The scenarios of defects 2 and 8
(tests/scenarios) walk the three-check referral through the built-in flows."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from sopflow import CaseError, Engine, EventKind
from sopflow.language.catalog import FlowCatalog, builtin_dir
from sopflow.store.store import Store
from tests.conftest import Clock
from tests.scenarios.helpers import ID_F, ID_M, KPC, PLACE, THREE_CHECK, Cli, fire_offered, place_at_home

ADDRESS = "前郭镇东风社区3号楼2单元501"

DOOR_WATCH = """\
format: 1
id: door_watch
version: "2020.05.1"
languages: [zh, en]
title: {zh: 门口测温, en: Temperature at the door}
description: {zh: 测试用的小流程, en: A small flow for the tests}
unit: person
start: measure
roles:
  grid_worker: {zh: 网格员, en: Grid worker}
fields:
  id_number: {type: id_number, label: {zh: 身份证号, en: ID number}, personal: true}
  full_name: {type: text, label: {zh: 姓名, en: Name}, personal: true}
  home: {type: text, label: {zh: 住处, en: Where they live}, personal: true}
  temperature: {type: number, label: {zh: 体温, en: Temperature}, min: 34, max: 43}
steps:
  measure:
    kind: task
    label: {zh: 测温, en: Measure}
    role: grid_worker
    actions:
      - action: fever_seen
        label: {zh: 发热, en: Fever}
        to: passed_on
        requires: [id_number, full_name, home, temperature]
  passed_on:
    kind: end
    label: {zh: 已转, en: Passed on}
    role: grid_worker
    outcome: passed_on
    signal:
      flow: key_person_control
      action: fever_reported
      to: [{person: id_number}]
      if_none:
        start: key_person_control
        at: fever_found
        copy: {id_number: id_number, full_name: full_name, address: home, temperature: temperature}
        set: {lead_source: neighbour_tip}
"""

DOOR_REFER = """\
format: 1
id: door_refer
version: "2020.05.1"
languages: [zh, en]
title: {zh: 门口转介, en: Referral at the door}
description: {zh: 测试用的小流程, en: A small flow for the tests}
unit: person
start: measure
roles:
  grid_worker: {zh: 网格员, en: Grid worker}
fields:
  home: {type: text, label: {zh: 住处, en: Where they live}, personal: true}
  home_place: {type: text, label: {zh: 住处地点, en: Place of the home}}
steps:
  measure:
    kind: task
    label: {zh: 测温, en: Measure}
    role: grid_worker
    actions:
      - action: fever_seen
        label: {zh: 发热, en: Fever}
        to: refer
        requires: [home, home_place]
  refer:
    kind: subflow
    label: {zh: 转管控, en: Refer}
    role: grid_worker
    flow: key_person_control
    start_at: fever_found
    copy: {address: home}
    set: {lead_source: neighbour_tip}
    place: home_place
    wait: false
    next: done
  done:
    kind: task
    label: {zh: 完成, en: Done}
    role: grid_worker
    actions:
      - action: closed
        label: {zh: 结束, en: Close}
        to: closed
  closed:
    kind: end
    label: {zh: 结束, en: Closed}
    role: grid_worker
    outcome: closed
"""


def test_a_case_starts_at_an_entry_step_given_what_it_needs(engine: Engine, clock: Clock) -> None:
    case = engine.start(
        KPC,
        "K-0101",
        {"lead_source": "checkpoint", "address": ADDRESS, "full_name": "李四"},
        actor="王芳",
        role="grid_worker",
        place=PLACE,
        at_step="verify_register",
    )
    assert case.step == "verify_register"
    [start] = engine.case("K-0101").history
    assert (start.kind, start.to_step, start.why) == (
        EventKind.START,
        "verify_register",
        {"entry": "verify_register"},
    )
    clock.advance(days=2)
    owed = [(i.kind, i.step, i.overdue) for i in engine.due(within=timedelta(0)) if i.case_id == "K-0101"]
    assert owed == [("deadline", "verify_register", True)]
    assert engine.verify() == []


def test_a_step_given_by_its_chinese_label_is_started_at(engine: Engine) -> None:
    case = engine.start(
        KPC, "K-0102", {"现住址": ADDRESS}, actor="王芳", role="grid_worker", place=PLACE, at_step="异常发现"
    )
    assert case.step == "fever_found"


def test_a_step_that_is_no_entry_or_an_entry_without_its_fields_is_refused(engine: Engine) -> None:
    with pytest.raises(CaseError) as caught:
        engine.start(
            KPC, "K-0103", {"address": ADDRESS}, actor="王芳", role="grid_worker", at_step="clinic_exam"
        )
    assert caught.value.code == "case.not_entry"
    said = caught.value.message("en")
    assert "K-0103" in said and "clinic_exam" in said
    for step in ("collect_lead", "verify_register", "fever_found"):  # each by its label and id
        assert step in said
    assert "异常发现" in caught.value.message("zh")
    with pytest.raises(CaseError) as caught:
        engine.start(
            KPC, "K-0103", {"address": ADDRESS}, actor="王芳", role="grid_worker", at_step="verify_register"
        )
    assert caught.value.code == "case.missing_required"
    assert "lead_source" in caught.value.message("en")
    assert engine.cases() == []  # nothing saved


def test_the_three_check_referral_starts_the_child_at_the_entry_step_with_where_it_came_from(
    engine: Engine,
) -> None:
    engine.start(
        THREE_CHECK,
        "V-0001",
        {"dwelling_code": "3-2-501", "address": ADDRESS},
        actor="王芳",
        role="community_committee",
        place="前郭镇/东风社区/3号楼",
    )
    engine.fire("V-0001", "team_assigned", actor="王芳", role="community_committee", data={"team": "第3组"})
    engine.fire("V-0001", "visited", actor="王芳", role="grid_worker", data={"occupant_count": "1"})
    seen = {"full_name": "李四", "document_type": "id_card", "id_number": ID_M, "phone": "13900001111"}
    engine.fire(
        "V-0001", "documents_seen", actor="王芳", role="grid_worker", data={**seen, "household_id": "H-9"}
    )
    person = "V-0001.1"  # the person's own case (occupant_check)
    fire_offered(
        engine,
        person,
        "checked",
        actor="刘警官",
        role="community_police",
        candidates={"id_valid": "yes", "document_ok": "yes"},
    )
    asked = {"temperature": "38.5", "symptoms": "yes", "travel_risk": "no"}
    engine.fire(person, "asked", actor="王芳", role="grid_worker", data=asked)
    [referral] = engine.cases(flow_id=KPC)
    child = engine.case(referral.id)
    assert (child.step, child.parent_id, child.place) == ("fever_found", person, "前郭镇/东风社区/3号楼")
    assert child.history[0].why == {"entry": "fever_found", "from_case": person}
    wanted = {"id_number": ID_M, "phone": "13900001111", "dwelling_code": "3-2-501", "household_id": "H-9"}
    assert {k: child.data.get(k) for k in wanted} == wanted
    assert (child.data["lead_source"], child.data["temperature"], child.data["address"]) == (
        "three_check",
        38.5,
        ADDRESS,
    )
    assert engine.verify() == []


@pytest.fixture
def watch_engine(store: Store, clock: Clock, tmp_path: Path) -> Engine:
    (tmp_path / "door_watch.yaml").write_text(DOOR_WATCH, encoding="utf-8")
    (tmp_path / "door_refer.yaml").write_text(DOOR_REFER, encoding="utf-8")
    return Engine(store, flows=FlowCatalog([tmp_path, builtin_dir()]), clock=clock)


def fever_at_the_door(engine: Engine, case_id: str, id_number: str) -> None:
    engine.start("door_watch", case_id, {}, actor="王芳", role="grid_worker", place=PLACE)
    data = {"id_number": id_number, "full_name": "李四", "home": ADDRESS, "temperature": "38.4"}
    engine.fire(case_id, "fever_seen", actor="王芳", role="grid_worker", data=data)


def test_a_signal_that_finds_nobody_starts_a_case_at_the_entry_step(watch_engine: Engine) -> None:
    fever_at_the_door(watch_engine, "D-0001", ID_M)
    started = watch_engine.case("D-0001.1")
    assert (started.flow_id, started.step, started.parent_id, started.place) == (
        KPC,
        "fever_found",
        "D-0001",
        PLACE,
    )
    assert started.history[0].why == {"entry": "fever_found", "from_case": "D-0001"}
    assert (started.data["address"], started.data["lead_source"], started.data["id_number"]) == (
        ADDRESS,
        "neighbour_tip",
        ID_M,
    )
    sender = watch_engine.case("D-0001")
    [sent] = [e for e in sender.history if e.kind is EventKind.SENT]
    assert sent.why is not None and sent.why["started"] == ["D-0001.1"] and sent.why["alerts"] == []
    assert sender.children == ("D-0001.1",) and watch_engine.alerts("D-0001") == []
    assert watch_engine.verify() == []


def test_a_signal_that_finds_the_person_starts_nothing(watch_engine: Engine) -> None:
    place_at_home(watch_engine, "K-0001", id_number=ID_F)
    fever_at_the_door(watch_engine, "D-0002", ID_F)
    assert watch_engine.case("K-0001").step == "fever_found"  # taken by the person's own case
    assert watch_engine.case("D-0002").children == ()
    assert [c.id for c in watch_engine.cases(flow_id=KPC)] == ["K-0001"]


def test_a_child_started_at_the_place_a_field_names_is_there_and_verify_agrees(watch_engine: Engine) -> None:
    watch_engine.start("door_refer", "D-0003", {}, actor="王芳", role="grid_worker", place=PLACE)
    data = {"home": ADDRESS, "home_place": "前郭镇/东风社区/3号楼"}
    watch_engine.fire("D-0003", "fever_seen", actor="王芳", role="grid_worker", data=data)
    child = watch_engine.case("D-0003.1")
    assert (child.step, child.place, child.data["address"]) == (
        "fever_found",
        "前郭镇/东风社区/3号楼",
        ADDRESS,
    )
    assert watch_engine.verify() == []


@pytest.fixture
def sopflow_cli(store_url: str, clock: Clock, store: Store) -> Cli:
    return Cli(store_url, clock)


def test_case_start_at_a_step_named_in_chinese(sopflow_cli: Cli) -> None:
    shown = sopflow_cli.json(
        "case", "start", "重点人员管控", "--id", "K-0104", "--at-step", "核实登记", "--role", "grid_worker",
        "--set", "线索来源=checkpoint", "--set", f"现住址={ADDRESS}",
    )  # fmt: skip
    assert shown["step"] == "verify_register"
    refused = sopflow_cli(
        "case", "start", KPC, "--id", "K-0105", "--at-step", "clinic_exam", "--role", "grid_worker"
    )  # fmt: skip
    assert refused.exit_code != 0 and "Traceback" not in refused.output
    assert "entry steps" in refused.output and "fever_found" in refused.output


def test_only_a_role_that_works_an_entry_step_starts_a_case_there(engine: Engine) -> None:
    """The village committee may open key-person cases (at the lead step), not start one at the
    fever step, which liaison cadres, doctors and grid workers work: refused, naming who does,
    and nothing saved. The first step stays open to every opener."""
    with pytest.raises(CaseError) as caught:
        engine.start(
            KPC, "K-0104", {"address": ADDRESS}, actor="村委", role="community_committee", at_step="异常发现"
        )
    assert caught.value.code == "case.may_not_start_at"
    said = caught.value.message("zh")
    assert "K-0104" in said and "异常发现" in said and "网格员" in said
    assert "管控对象" not in said  # who may start there: who works the step and may open cases
    assert engine.cases() == []
    case = engine.start(
        KPC, "K-0104", {"address": ADDRESS}, actor="村委", role="community_committee", at_step="collect_lead"
    )
    assert case.step == "collect_lead"
    case = engine.start(
        KPC, "K-0105", {"address": ADDRESS}, actor="王芳", role="grid_worker", at_step="异常发现"
    )
    assert case.step == "fever_found"
