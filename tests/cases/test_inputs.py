"""What callers pass besides field data: ids, places, who, notes and times are tidied and checked
before anything is computed, the same on SQLite and PostgreSQL, and a refusal saves nothing."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sopflow.cases.records import Case, Event, EventKind
from sopflow.engine.runtime import Engine
from sopflow.errors import CaseError, LookupFailed, SopflowError
from tests.conftest import Clock
from tests.engine.test_key_person_walk import register_home_case

SHANGHAI = ZoneInfo("Asia/Shanghai")
REQUEST = {"household_id": "H-1", "address": "东风社区1号楼"}


def start(engine: Engine, case_id: str | None = "R-1", **options: Any) -> Case:
    options.setdefault("actor", "王芳")
    options.setdefault("role", "grid_worker")
    return engine.start("supply_request", case_id, REQUEST, **options)


def sort(engine: Engine, case_id: str = "R-1", **options: Any) -> Case:
    data = {"request_type": "groceries", "items": "米", "urgent": "no"}
    options.setdefault("actor", "王芳")
    return engine.fire(case_id, "sorted", role="grid_worker", data=data, **options)


def test_an_id_typed_with_full_width_digits_or_spaces_is_the_same_case(engine: Engine) -> None:
    assert start(engine, " QG-０００１ ").id == "QG-0001"
    with pytest.raises(CaseError, match="already exists"):
        start(engine, "QG-0001")
    assert sort(engine, "QG-０００１").step != "log_request"  # found under the tidied id
    assert engine.case(" QG-0001").id == "QG-0001"


@pytest.mark.parametrize("bad", ["", "   ", "QG 0001", "--x", "x" * 101])
def test_an_id_that_cannot_be_typed_back_is_refused(engine: Engine, bad: str) -> None:
    with pytest.raises(CaseError) as refused:
        start(engine, bad)
    assert "cannot be a case id" in refused.value.message("en")
    assert engine.cases() == []


@pytest.mark.parametrize(
    ("bad", "shown"),
    [("QG\x000001", "QG⟨U+0000⟩0001"), ("F-\u200b7", "F-⟨U+200B⟩7"), ("F-\u202eabc", "F-⟨U+202E⟩abc")],
)
def test_an_id_with_a_character_no_one_can_see_shows_where_it_is(
    engine: Engine, bad: str, shown: str
) -> None:
    """Echoed as it is, F-<zero-width space>7 looks like a good id, and a direction mark turns
    the message around: the character is shown by its code."""
    with pytest.raises(CaseError) as refused:
        start(engine, bad)
    said = refused.value.message("zh")
    assert f"'{shown}'" in said and "看不见的字符" in said
    assert not any(c in said for c in "\x00\u200b\u202e")
    with pytest.raises(LookupFailed) as unknown:
        engine.case(bad)
    assert shown in unknown.value.message("en")
    assert engine.cases() == []


def test_a_refused_case_with_a_generated_id_is_not_named_by_an_id_no_case_has(engine: Engine) -> None:
    with pytest.raises(CaseError) as refused:
        engine.start(
            "supply_request", None, {**REQUEST, "address": "东风\x16社区"}, actor="王", role="grid_worker"
        )
    assert "（新建的案件）" in refused.value.message("zh")  # not 案件 '新建的案件'
    assert "(the new case)" in refused.value.message("en")
    assert engine.cases() == []


def test_ids_of_the_child_case_kind_are_kept_for_child_cases(engine: Engine, clock: Clock) -> None:
    """A hand-typed K-0001.1 would take the id the engine gives K-0001's first child, and K-0001
    could then never reach home isolation."""
    with pytest.raises(CaseError, match=r"ends like the id of a child case"):
        start(engine, "K-0001.1")
    register_home_case(engine, clock)
    assert engine.case("K-0001").children == ("K-0001.1",)
    assert start(engine, "2020.02-001").id == "2020.02-001"  # dots elsewhere are fine


def test_places_typed_differently_are_one_place(engine: Engine) -> None:
    for n, typed in enumerate(
        ["前郭镇／东风社区", " 前郭镇 / 东风社区 ", "/前郭镇/东风社区/", "前郭镇//东风社区"]
    ):
        assert start(engine, f"R-{n}", place=typed).place == "前郭镇/东风社区"
    assert len(engine.cases(place="前郭镇／东风社区/")) == 4
    assert len(engine.cases(place=" 前郭镇 ")) == 4
    assert start(engine, "R-9", place="  ").place is None


def test_who_did_it_is_needed(engine: Engine) -> None:
    for nobody in ("", "  "):
        with pytest.raises(CaseError, match="who did it is not given"):
            start(engine, actor=nobody)
    start(engine)
    before = engine.case("R-1")
    with pytest.raises(CaseError, match="who did it is not given"):
        sort(engine, actor=" ")
    assert engine.case("R-1") == before


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"place": "镇/" + "村" * 200}, "the place is longer than 200 characters"),
        ({"actor": "王" * 201}, "the name of who did it is longer than 200 characters"),
        ({"note": "x" * 10_001}, "the note is longer than 10000 characters"),
        ({"note": "送达\x00"}, "the note contains a control character"),
        ({"place": "前郭镇\x1b[31m"}, "the place contains a control character"),
    ],
)
def test_text_neither_database_takes_is_refused_up_front(
    engine: Engine, options: dict[str, str], says: str
) -> None:
    """PostgreSQL refuses NUL and over-long names with a driver error; SQLite takes them. Both
    now refuse them the same way, before anything is written."""
    with pytest.raises(CaseError) as refused:
        start(engine, **options)
    assert says in refused.value.message("en")
    assert engine.cases() == []


def test_a_text_field_with_a_nul_is_refused_and_the_case_is_unchanged(engine: Engine) -> None:
    start(engine)
    before = engine.case("R-1")
    with pytest.raises(CaseError, match="contains a control character"):
        engine.fire(
            "R-1",
            "sorted",
            actor="王芳",
            role="grid_worker",
            data={"request_type": "groceries", "items": "米\x00", "urgent": "no"},
        )
    assert engine.case("R-1") == before
    note = "第一行\n第二行\t完"  # line breaks and tabs are text
    assert sort(engine, note=note).history[0].note == note


def test_an_entry_dated_before_the_last_one_is_refused(engine: Engine, clock: Clock) -> None:
    start(engine)
    clock.advance(hours=3)
    sort(engine)
    before = engine.case("R-1")
    with pytest.raises(CaseError) as refused:
        engine.fire(
            "R-1",
            "bought",
            actor="李强",
            role="volunteer",
            data={"cost": "20"},
            at=clock.now - timedelta(hours=1),
        )
    assert "before the case's last entry at 2020-02-01 12:00" in refused.value.message("en")
    assert engine.case("R-1") == before


def test_an_entry_in_the_future_or_in_year_9999_is_refused(engine: Engine, clock: Clock) -> None:
    with pytest.raises(CaseError, match="is in the future"):
        start(engine, at=clock.now + timedelta(days=1))
    with pytest.raises(CaseError, match="check the year"):
        start(engine, at=datetime(9999, 12, 31, 23, 30))
    with pytest.raises(CaseError, match="check the year"):
        start(engine, at=datetime(1, 1, 1))
    assert engine.cases() == []
    assert start(engine, at=clock.now + timedelta(minutes=4)).id == "R-1"  # clocks differ a little


def test_naive_times_are_the_engines_local_time_everywhere(engine: Engine, clock: Clock) -> None:
    case = start(engine, at=datetime(2020, 2, 1, 8, 30))  # 08:30 in Shanghai
    assert case.created_at == datetime(2020, 2, 1, 8, 30, tzinfo=SHANGHAI)
    clock.advance(minutes=40)  # 09:40 in Shanghai: due and tick look no later than now (issue 12.1)
    # the deadline of log_request is 1h after 08:30
    assert [i.overdue for i in engine.due(datetime(2020, 2, 1, 9, 40), within=timedelta(0))] == [True]
    assert engine.due(datetime(2020, 2, 1, 9, 20), within=timedelta(0)) == []
    assert engine.tick(datetime(2020, 2, 1, 9, 40)) == []
    naive = Engine(engine.store, clock=lambda: datetime(2020, 2, 1, 9, 40))
    assert [i.overdue for i in naive.due(within=timedelta(0))] == [True]


def test_a_check_records_every_reading_even_one_equal_to_the_last(engine: Engine, clock: Clock) -> None:
    register_home_case(engine, clock)
    for hours in (0, 12):
        clock.now = datetime(2020, 2, 2, 8, tzinfo=SHANGHAI) + timedelta(hours=hours)
        engine.fire(
            "K-0001",
            "temperature_check",
            actor="张三",
            role="subject",
            data={"temperature": "36.6", "symptoms": "no"},
        )
    history = engine.case("K-0001").history
    checks = [e for e in history if e.kind is EventKind.CHECK and e.name == "temperature_check"]
    assert [dict(e.changes) for e in checks] == [
        {"temperature": [36.6, 36.6], "symptoms": [False, False]},
        {"temperature": [36.6, 36.6], "symptoms": [False, False]},
    ]
    assert engine.verify() == []


def test_a_failing_hook_neither_undoes_the_change_nor_stops_the_others(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []

    @engine.on_enter("purchase", flow="supply_request")
    def gateway_down(case: Case, event: Event) -> None:
        calls.append("sms")
        raise ConnectionError("SMS gateway down")

    @engine.on_enter("purchase")
    def still_runs(case: Case, event: Event) -> None:
        calls.append("board")

    start(engine)
    with caplog.at_level(logging.ERROR, logger="sopflow"):
        case = sort(engine)
    assert case.step == "purchase" and engine.case("R-1").step == "purchase"
    assert calls == ["sms", "board"]
    assert "hook failed for case R-1 entering purchase" in caplog.text
    assert "SMS gateway down" in caplog.text

    failures: list[tuple[str, str]] = []
    handled = Engine(
        engine.store, clock=engine.clock, on_hook_error=lambda c, e, x: failures.append((c.id, str(x)))
    )
    handled.on_enter("purchase")(gateway_down)
    start(handled, "R-2")
    sort(handled, "R-2")
    assert failures == [("R-2", "SMS gateway down")]


def test_a_failing_hook_does_not_stop_a_tick(engine: Engine, clock: Clock) -> None:
    for case_id in ("K-1", "K-2"):
        register_home_case(engine, clock, case_id)
    moved_by_hook: list[str] = []

    @engine.on_enter("release_review")
    def broken(case: Case, event: Event) -> None:
        moved_by_hook.append(case.id)
        raise RuntimeError("printer on fire")

    clock.now = datetime(2020, 2, 15, 8, tzinfo=SHANGHAI)
    assert [c.id for c in engine.tick()] == ["K-1", "K-2"]
    assert moved_by_hook == ["K-1", "K-2"]


def test_a_hook_on_a_step_no_flow_has_is_refused_when_registered(engine: Engine) -> None:
    with pytest.raises(LookupFailed, match=r"did you mean 'Fever or symptoms found \(fever_found\)'"):
        engine.on_enter("fever_fond", flow="key_person_control")
    with pytest.raises(LookupFailed, match="no step 'purchse'"):
        engine.on_enter("purchse")
    with pytest.raises(LookupFailed):
        engine.on_enter(flow="no_such_flow")


def test_no_role_and_a_misspelt_role_are_told_apart(engine: Engine) -> None:
    start(engine)
    data = {"request_type": "groceries", "items": "米", "urgent": "no"}
    with pytest.raises(CaseError) as no_role:
        engine.fire("R-1", "sorted", actor="王芳", role=None, data=data)
    assert "needs to know your role — it is for: Grid worker (grid_worker)" in no_role.value.message("en")
    with pytest.raises(CaseError) as misspelt:
        engine.fire("R-1", "sorted", actor="王芳", role="grid_workr", data=data)
    assert "did you mean 'Grid worker (grid_worker)'?" in misspelt.value.message("en")
    assert "网格员" not in misspelt.value.message("en")  # an English message has no Chinese labels


def test_a_seq_the_case_never_had_is_not_called_someone_elses_change(engine: Engine) -> None:
    start(engine)
    with pytest.raises(CaseError) as refused:
        sort(engine, expected_seq=999)
    assert "is at event 1; it never had event 999" in refused.value.message("en")
    assert engine.case("R-1").seq == 1


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"at": date(2020, 2, 1)}, "at must be a datetime, not datetime.date(2020, 2, 1)"),
        ({"at": "2020-02-01 08:00"}, "at must be a datetime, not '2020-02-01 08:00'"),
        ({"expected_seq": "1"}, "expected_seq must be a whole number"),
        ({"expected_seq": True}, "expected_seq must be a whole number"),
        ({"actor": None}, "actor must be text (a str), not None"),
        ({"actor": "system"}, "'system' looks like 'system' or 'case …', the names of what sopflow does"),
    ],
)
def test_a_library_call_with_the_wrong_kind_of_value_is_refused_by_name(
    engine: Engine, options: dict[str, Any], says: str
) -> None:
    """A value of the wrong kind is an ArgumentError (issue 12.11: a SopflowError and a TypeError)
    naming the argument; `system` as the actor is a CaseError, as before."""
    start(engine)
    before = engine.case("R-1")
    with pytest.raises(SopflowError) as refused:
        sort(engine, **options)
    assert says in refused.value.message("en")
    assert engine.case("R-1") == before


def test_an_unknown_status_filter_is_refused_not_an_empty_list(engine: Engine) -> None:
    start(engine)
    assert [c.id for c in engine.cases(status="active")] == ["R-1"]
    with pytest.raises(LookupFailed, match="'bogus' is not a case status — use one of: active, ended"):
        engine.cases(status="bogus")
