"""The library takes what a grid worker types — roles, actions, steps, flows, fields and choices by
their Chinese names — keeps free text as typed, and does not ask again for what a case holds.
Each test runs on a SQLite file and on PostgreSQL."""

from __future__ import annotations

import pytest

from sopflow.engine.runtime import Engine
from sopflow.engine.views import case_detail, event_detail
from sopflow.errors import CaseError, LookupFailed
from tests.conftest import Clock
from tests.engine.test_key_person_walk import register_home_case

FLOW = "key_person_control"


def start_by_name(engine: Engine, case_id: str = "QG-1") -> None:
    engine.start(
        "重点人员管控", case_id, {"姓名": "张三", "联系电话": "13812345678"}, actor="王芳", role="网格员"
    )


def test_a_case_is_started_and_advanced_by_names(engine: Engine) -> None:
    start_by_name(engine)
    case = engine.fire(
        "QG-1",
        "线索已记录",
        actor="王芳",
        role="网格员",
        data={"线索来源": "本人申报", "线索内容": "家中有小孩，需要奶粉"},
    )
    assert case.flow_id == FLOW
    assert case.step == "verify_register"
    assert case.data["lead_source"] == "self_report"
    stored = engine.case("QG-1")
    assert [(e.name, e.role) for e in stored.history] == [
        ("start", "grid_worker"),
        ("lead_logged", "grid_worker"),
    ]
    assert stored.data["full_name"] == "张三"


def to_the_pledge(engine: Engine) -> None:
    """A case registered and placed at home, at the notice-and-pledge step, typed by names."""
    start_by_name(engine)
    engine.fire(
        "QG-1",
        "线索已记录",
        actor="王芳",
        role="网格员",
        data={"线索来源": "本人申报", "线索内容": "自武汉返回"},
    )
    registration = {
        "现住址": "前郭镇东风社区3号楼",
        "户编号": "H-1",
        "体温": "36.5",
        "有症状": "否",
        "身份证号": "220721198503120045",
        "抵县日期": "2020-01-31",
    }
    engine.fire("QG-1", "登记完成", actor="王芳", role="网格员", data=registration)
    engine.fire(
        "QG-1",
        "已分类",
        actor="李医生",
        role="社区医生",
        data={"人员类别": "中风险地区来县人员"},  # the basis date is worked out from the arrival date
    )
    engine.fire("QG-1", "评估完成", actor="李医生", role="社区医生", data={"居家条件合格": "是"})
    engine.fire("QG-1", "已定隔离方式", actor="乡镇指挥部", role="乡镇指挥部", data={"隔离方式": "居家隔离"})


@pytest.mark.parametrize("typed", ["黄色（其他）", "黄色(其他)", "黄色", "yellow", "Yellow (others)"])
def test_a_choice_is_taken_by_its_label(engine: Engine, typed: str) -> None:
    to_the_pledge(engine)
    assert engine.case("QG-1").step == "notice_pledge"
    case = engine.fire("QG-1", "已签承诺", actor="赵干部", role="包保干部", data={"门贴颜色": typed})
    assert case.data["door_sign"] == "yellow"
    assert case.data["category"] == "KP7"
    assert case.data["phone"] == "13812345678"  # held since the start: not asked again


def test_free_text_is_stored_exactly_as_typed(engine: Engine) -> None:
    start_by_name(engine)
    engine.fire(
        "QG-1",
        "lead_logged",
        actor="王芳",
        role="grid_worker",
        data={"lead_source": "self_report", "lead_note": "家中有小孩，需要奶粉"},
        note="第三组：王芳",
    )
    engine.fire(
        "QG-1",
        "registered",
        actor="王芳",
        role="grid_worker",
        data={
            "address": "前郭镇东风社区３号楼（东门）",
            "household_id": "H-３",  # a code: tidied
            "temperature": "３６.６",  # a number: read as meant
            "symptoms": "否",
            "id_number": "220721198503120045",
            "arrival_date": "2020-01-31",
        },
    )
    case = engine.case("QG-1")
    assert case.data["lead_note"] == "家中有小孩，需要奶粉"
    assert case.data["address"] == "前郭镇东风社区３号楼（东门）"
    assert case.history[1].note == "第三组：王芳"
    assert case.data["temperature"] == 36.6
    assert case.data["household_id"] == "H-３"  # text too: only ids, places and codes are tidied
    assert engine.verify() == []


def test_a_field_the_case_holds_is_not_asked_again(engine: Engine, clock: Clock) -> None:
    start_by_name(engine)
    engine.fire(
        "QG-1",
        "lead_logged",
        actor="王芳",
        role="grid_worker",
        data={"lead_source": "self_report", "lead_note": "自武汉返回"},
    )
    offer = next(o for o in engine.offers("QG-1") if o.name == "registered")
    assert offer.held == ("full_name",)
    detail = case_detail(
        engine.stepper_for(engine.case("QG-1")),
        engine.case("QG-1"),
        "zh",
        engine.tz,
        clock(),
        show_personal=False,
    )
    shown = next(o for o in detail["offers"] if o["name"] == "registered")
    assert shown["held"] == {"full_name": "张*"}
    with pytest.raises(CaseError) as refused:
        engine.fire("QG-1", "registered", actor="王芳", role="grid_worker", data={"temperature": "36.5"})
    message = refused.value.message("zh")
    assert "需要填写 现住址 address、户编号 household_id、有症状 symptoms" in message
    assert "案件已有的 姓名=张* 不必再填" in message
    registration = {
        "address": "前郭镇东风社区3号楼",
        "household_id": "H-1",
        "temperature": "36.5",
        "symptoms": "否",
        "id_number": "220721198503120045",
        "arrival_date": "2020-01-31",
    }
    case = engine.fire("QG-1", "registered", actor="王芳", role="grid_worker", data=registration)
    assert case.data["full_name"] == "张三"
    assert "full_name" not in case.history[-2].changes if case.history[-2].name == "registered" else True


def test_a_reading_is_asked_for_again_even_when_the_case_holds_one(engine: Engine, clock: Clock) -> None:
    register_home_case(engine, clock)
    clock.advance(days=15)
    engine.tick()
    assert engine.case("K-0001").step == "release_review"
    assert engine.case("K-0001").data["temperature"] == 36.6
    with pytest.raises(CaseError) as refused:
        engine.fire("K-0001", "已评估", actor="李医生", role="社区医生")
    assert "体温 temperature、有症状 symptoms" in refused.value.message("zh")
    offer = next(o for o in engine.offers("K-0001") if o.name == "reviewed")
    assert offer.held == ()


def test_a_check_always_needs_its_reading(engine: Engine, clock: Clock) -> None:
    register_home_case(engine, clock)
    with pytest.raises(CaseError, match="Temperature"):
        engine.fire("K-0001", "测体温问症状", actor="张三", role="管控对象及同住人", data={"有症状": "否"})


def test_refusals_name_things_by_label_and_id(engine: Engine) -> None:
    start_by_name(engine)
    with pytest.raises(CaseError) as refused:
        engine.fire("QG-1", "已评估", actor="王芳", role="网格员")
    assert refused.value.message("zh") == (
        "案件 'QG-1' 当前在步骤 线索汇集 collect_lead，不能执行 'reviewed' — "
        "现在可以：线索已记录 lead_logged、其他结案 close_other、报告发热 fever_reported"
    )
    with pytest.raises(CaseError) as wrong:
        engine.fire("QG-1", "线索已记录", actor="王芳", role="社区医生")
    assert "可执行的角色：网格员 grid_worker、社区（村）委会 community_committee" in wrong.value.message("zh")
    with pytest.raises(CaseError) as bad_choice:
        engine.fire("QG-1", "lead_logged", actor="王芳", role="网格员", data={"线索来源": "邻居"})
    assert "线索来源 lead_source 的可选值" in bad_choice.value.message("zh")
    assert "本人申报 self_report" in bad_choice.value.message("zh")


def test_lists_and_due_work_take_names(engine: Engine, clock: Clock) -> None:
    register_home_case(engine, clock)
    assert [c.id for c in engine.cases(step="居家医学观察", role="包保干部")] == ["K-0001"]
    assert [c.id for c in engine.cases(flow_id="重点人员管控", step="Home observation")] == ["K-0001"]
    assert engine.cases(step="异常发现") == []
    clock.advance(hours=13)
    due = engine.due(clock(), role="管控对象及同住人")
    assert {i.name for i in due} >= {"temperature_check"}


def test_a_hook_is_registered_by_names(engine: Engine, clock: Clock) -> None:
    entered: list[str] = []

    @engine.on_enter("核实登记", flow="重点人员管控")
    def seen(case: object, event: object) -> None:
        entered.append("verify_register")

    start_by_name(engine)
    engine.fire(
        "QG-1",
        "线索已记录",
        actor="王芳",
        role="网格员",
        data={"线索来源": "本人申报", "线索内容": "自武汉返回"},
    )
    assert entered == ["verify_register"]
    with pytest.raises(LookupFailed, match="fever_found"):
        engine.on_enter("异常发", flow="重点人员管控")


def test_notes_and_free_text_show_phone_and_id_numbers_masked(engine: Engine, clock: Clock) -> None:
    start_by_name(engine)
    engine.fire(
        "QG-1",
        "lead_logged",
        actor="王芳",
        role="grid_worker",
        data={"lead_source": "self_report", "lead_note": "邻居李四13912345678反映"},
        note="身份证220721198503120045已核",
    )
    case = engine.case("QG-1")
    stepper = engine.stepper_for(case)
    masked = event_detail(stepper, case.history[1], "zh", engine.tz, show_personal=False)
    assert masked["changes"]["lead_note"] == [None, "邻居李四139****5678反映"]
    assert masked["note"] == "身份证220721********0045已核"
    shown = event_detail(stepper, case.history[1], "zh", engine.tz, show_personal=True)
    assert shown["note"] == "身份证220721198503120045已核"
