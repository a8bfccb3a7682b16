"""Masking: personal fields as before, phone and ID numbers wherever they are written, and a
dwelling's door in a case's place."""

from __future__ import annotations

import pytest

from sopflow.cases.privacy import (
    mask_actor,
    mask_note,
    mask_numbers,
    mask_place,
    mask_text,
    mask_value,
    place_shown,
)
from sopflow.language.model import FieldSpec, FieldType

NOTE = FieldSpec("lead_note", FieldType.TEXT, {"zh": "线索内容"})
TEAM = FieldSpec("care_team", FieldType.TEXT, {"zh": "包保人员及电话"}, personal=True)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("赵干部13812345678", "赵干部138****5678"),
        ("赵干部13812345678，李医生13912345678", "赵干部138****5678，李医生139****5678"),
        ("电话 138-1234-5678", "电话 138******5678"),
        ("座机0438-1234567", "座机043*****4567"),
        ("身份证22072119850312004X号", "身份证220721********004X号"),
        ("１３８１２３４５６７８", "１３８****５６７８"),  # text is kept as typed: full-width digits too
        (
            "2020-02-03 08:00 体温36.5",
            "2020-02-03 08:00 体温36.5",
        ),  # dates and readings are not numbers to hide
        ("H-3-2-501 QG-0001 CAM-501", "H-3-2-501 QG-0001 CAM-501"),
    ],
)
def test_phone_and_id_numbers_in_free_text_are_masked(text: str, masked: str) -> None:
    assert mask_numbers(text) == masked
    assert mask_value(NOTE, text) == masked  # a field not marked personal
    assert mask_note(text, show_personal=False) == masked
    assert mask_note(text, show_personal=True) == text


def test_personal_fields_mask_as_before_and_keep_a_name_beside_its_number() -> None:
    assert mask_text("张三丰") == "张**"
    assert mask_text("13812345678") == "138****5678"
    assert mask_text("220721198503120045") == "220721********0045"
    assert mask_text("前郭镇东风社区3号楼2单元501") == "前郭镇东风社***"
    assert mask_value(TEAM, "赵干部13812345678") == "赵干部138****5678"  # not cut after six characters
    assert mask_actor("王芳13812345678", show_personal=False) == "王芳138****5678"
    assert mask_actor("system", show_personal=False) == "system"


@pytest.mark.parametrize(
    ("place", "shown"),
    [
        (
            "前郭县/前郭镇/东风社区/第1网格/幸福小区/1号楼/1单元/1层/101",
            "前郭县/前郭镇/东风社区/第1网格/幸福小区/1号楼/1单元/1层/*",
        ),
        ("前郭县/平凤乡/新立村/王家屯/1号", "前郭县/平凤乡/新立村/王家屯/*"),
        ("隔离酒店/3层/305室", "隔离酒店/3层/*"),
        ("幸福小区/3号楼/东户", "幸福小区/3号楼/*"),
        ("幸福小区/3号楼/2单元A502", "幸福小区/3号楼/*"),
        # not a door: the levels above one, and a free-text place named in words
        ("前郭县/前郭镇/东风社区/第1网格/幸福小区/1号楼", None),
        ("前郭县/前郭镇/东风社区/第1网格/幸福小区/1号楼/2单元/5层", None),
        ("前郭镇/东风社区", None),
        ("前郭镇/车站卡口", None),
        ("501", None),  # nothing above it to keep: a place of one level is shown as it is
        (None, None),
    ],
)
def test_a_place_without_the_registry_is_a_door_when_its_last_level_reads_as_one(
    place: str | None, shown: str | None
) -> None:
    assert mask_place(place) == (shown or place)
    assert place_shown(place, show_personal=True) == place


def test_the_registry_says_which_place_is_a_door_whatever_its_name() -> None:
    kinds = {"新立村/王家屯/老屋": "door", "幸福小区/7": "building", "幸福小区/7/1单元/5层/501": "door"}
    assert mask_place("新立村/王家屯/老屋", kinds) == "新立村/王家屯/*"
    assert mask_place("幸福小区/7", kinds) == "幸福小区/7"  # a building named 7
    assert mask_place("幸福小区/7/1单元/5层/501", kinds) == "幸福小区/7/1单元/5层/*"
    assert place_shown("新立村/王家屯/老屋", kinds, show_personal=True) == "新立村/王家屯/老屋"
