"""Names typed for ids: roles, steps, actions, outcomes, fields, choices and flows by id or by
label in any language of the flow, the way people type them; a name two things share refused."""

from __future__ import annotations

import pytest

from sopflow.errors import LookupFailed
from sopflow.language.catalog import builtin_catalog, builtin_flows
from sopflow.language.model import FieldSpec, FieldType
from sopflow.language.naming import FlowNames, Names, choice_names, spoken, without_asides

KPC = builtin_flows()["key_person_control"]


@pytest.mark.parametrize(
    ("kind", "typed", "expected"),
    [
        ("roles", "网格员", "grid_worker"),
        ("roles", "Grid worker", "grid_worker"),
        ("roles", "grid WORKER", "grid_worker"),
        ("roles", "grid_worker", "grid_worker"),
        ("roles", "乡镇（街道）指挥部", "township_hq"),
        ("roles", "乡镇(街道)指挥部", "township_hq"),  # ASCII brackets
        ("roles", "乡镇指挥部", "township_hq"),  # without the aside
        ("steps", "异常发现", "fever_found"),
        ("steps", "Fever or symptoms found", "fever_found"),
        ("outcomes", "解除隔离", "released"),
        ("fields", "体温", "temperature"),
        ("fields", "姓名", "full_name"),
    ],
)
def test_a_thing_is_found_by_its_id_or_any_label(kind: str, typed: str, expected: str) -> None:
    names: Names = getattr(FlowNames(KPC), kind)
    assert names.find(typed) == expected


def test_a_name_that_names_nothing_is_given_back_for_the_caller_to_refuse() -> None:
    roles = FlowNames(KPC).roles
    assert roles.find("网格猿") is None
    assert roles.id_of("网格猿") == "网格猿"


@pytest.mark.parametrize(
    "typed", ["黄色（其他）", "黄色(其他)", "黄色", "yellow", "Yellow (others)", " 黄色 （其他） "]
)
def test_a_choice_is_taken_by_its_label_with_either_brackets_or_without_the_aside(typed: str) -> None:
    assert FlowNames(KPC).choices("door_sign").find(typed) == "yellow"


def test_actions_are_looked_up_at_the_step_first_then_anywhere_in_the_flow() -> None:
    names = FlowNames(KPC)
    assert names.action_id("release_review", "已评估") == "reviewed"
    assert names.action_id("release_review", "Reviewed") == "reviewed"
    assert names.action_id("collect_lead", "已评估") == "reviewed"  # elsewhere: refused as "not here"
    assert names.action_id("home_observation", "测体温问症状") == "temperature_check"  # a check


def _sign(choices: dict[str, dict[str, str]]) -> FieldSpec:
    return FieldSpec("door_sign", FieldType.CHOICE, {"zh": "门贴颜色", "en": "Door sign"}, choices=choices)


def test_two_things_sharing_a_name_are_refused_with_both_labels_and_ids() -> None:
    spec = _sign(
        {"red_key": {"zh": "红色（重点地区）"}, "red_other": {"zh": "红色（其他）"}, "yellow": {"zh": "黄色"}}
    )
    names = choice_names(spec)
    assert names.find("红色（其他）") == "red_other"  # the whole label names one
    with pytest.raises(LookupFailed) as shared:
        names.find("红色")  # without the aside it names two
    assert shared.value.message("zh") == (
        "“红色”对应多个选项：红色（重点地区） red_key、红色（其他） red_other — "
        "请改用其中一个的编号（名称后的英文）"
    )
    assert "红色（重点地区） (red_key), 红色（其他） (red_other)" in shared.value.message("en")


def test_two_things_with_the_same_whole_label_are_refused_too() -> None:
    names = Names("role", [("a", {"zh": "网格员"}), ("b", {"zh": "网格员"})])
    with pytest.raises(LookupFailed) as shared:
        names.find("网格员")
    assert "网格员 a、网格员 b" in shared.value.message("zh")


def test_flows_are_found_by_title_in_any_language() -> None:
    catalog = builtin_catalog()
    assert catalog.flow_id("重点人员管控") == "key_person_control"
    assert catalog.flow_id("Key-person control") == "key_person_control"
    assert catalog.load("生活需求").id == "supply_request"
    with pytest.raises(LookupFailed) as unknown:
        catalog.load("重点人员管")
    assert "重点人员管控 key_person_control" in unknown.value.message("zh")


def test_names_are_compared_as_typed_on_a_phone() -> None:
    assert spoken("  Ｇrid　Worker ") == "grid worker"
    assert without_asides(spoken("黄色（其他）")) == "黄色"


def test_a_suggestion_names_the_closest_thing_by_label_and_id() -> None:
    roles = FlowNames(KPC).roles
    assert roles.suggestion("网格").text("zh") == "网格员 grid_worker"
    assert roles.suggestion("comunity_doctor").text("en") == "Community doctor (community_doctor)"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("温度", "体温 temperature"), ("类别", "人员类别 category"), ("住址", "现住址 address"), ("体重", "")],
)
def test_a_short_chinese_word_is_matched_by_the_characters_it_shares(typed: str, expected: str) -> None:
    """温度 and 体温 share one character of two: letter by letter they are not close, but no other
    field shares as much, so it is the likely one; 体重 shares 体 with several, so none is named."""
    found = FlowNames(KPC).fields.suggestion(typed)
    assert (found.text("zh") if found else "") == expected
