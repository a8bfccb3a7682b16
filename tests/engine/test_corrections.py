"""Corrections keep the history honest: the entry stays, the correction is added with who, when and
why, verify replays it; a correction that would change the way the case went is refused (changing
nothing) unless the later steps are re-played; moves, assignments, merges and cancellations are
events too. On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from sopflow import PathWouldChange
from sopflow.cases.records import Case, CaseStatus, EventKind
from sopflow.cli import cli
from sopflow.engine.runtime import Engine
from sopflow.errors import CaseError
from sopflow.language.catalog import FlowCatalog, builtin_dir
from sopflow.store.store import Store
from sopflow.store.tables import cases
from tests.conftest import Clock
from tests.engine.test_key_person_walk import LOCAL, register_home_case

FLOWS = Path(__file__).parent.parent / "data" / "flows"


def unchanged(engine: Engine, case_id: str) -> tuple[int, list[tuple[int, str]], dict[str, object]]:
    """What a refusal must leave as it was: the seq, the history and the data."""
    case = engine.case(case_id)
    return case.seq, [(e.seq, str(e.kind)) for e in case.history], dict(case.data)


def visit(engine: Engine, clock: Clock, temperature: str, case_id: str = "V-1") -> str:
    """A three-check visit of one person to the end: no referral unless the reading is a fever.
    The person's own case (occupant_check) is returned."""
    engine.start(
        "three_check",
        case_id,
        {"dwelling_code": "3-2-501", "address": "东风社区3号楼"},
        actor="王芳",
        role="grid_worker",
    )
    person = f"{case_id}.1"
    steps = [
        (case_id, "team_assigned", "community_committee", {"team": "王/李"}),
        (case_id, "visited", "grid_worker", {"occupant_count": "1"}),
        (
            case_id,
            "documents_seen",
            "grid_worker",
            {"full_name": "张三", "document_type": "id_card", "id_number": "220721198503120010"},
        ),
        (person, "checked", "community_police", {"document_ok": "yes"}),
        (person, "asked", "grid_worker", {"temperature": temperature, "symptoms": "no", "travel_risk": "no"}),
        (person, "matched", "grid_worker", {"match_code": "M1"}),
        (case_id, "map_updated", "grid_worker", {}),
    ]
    for target, action, role, data in steps:
        clock.advance(minutes=10)
        engine.fire(target, action, actor="王芳", role=role, data=data)
    return person


def entry_of(case: Case, action: str) -> int:
    return next(e.seq for e in case.history if e.name == action)


# -- amend ----------------------------------------------------------------------------------------


def test_an_amendment_keeps_the_entry_and_says_who_when_and_why(engine: Engine, clock: Clock) -> None:
    register_home_case(engine, clock)
    clock.advance(hours=1)
    registered = entry_of(engine.case("K-0001"), "registered")
    case = engine.amend(
        "K-0001",
        registered,
        {"household_id": "H-3-2-502"},
        reason="户号抄错",
        actor="王芳",
        role="grid_worker",
    )
    assert case.data["household_id"] == "H-3-2-502"
    whole = engine.case("K-0001")
    entry, amendment = whole.history[registered - 1], whole.history[-1]
    assert entry.changes["household_id"] == [None, "H-3-2-501"]  # the original stays
    assert (amendment.kind, amendment.actor, amendment.role, amendment.note, amendment.at) == (
        EventKind.AMEND,
        "王芳",
        "grid_worker",
        "户号抄错",
        clock.now,
    )
    assert amendment.why is not None
    assert amendment.why["values"] == {"household_id": ["H-3-2-501", "H-3-2-502"]}
    assert amendment.why["copies"] == ["K-0001.1"]  # the supply case was given a copy
    assert whole.step == "home_observation"
    assert engine.verify() == []


def test_a_value_entered_again_later_stays_as_it_was_entered_then(engine: Engine, clock: Clock) -> None:
    register_home_case(engine, clock)
    clock.advance(hours=1)
    engine.fire(
        "K-0001",
        "temperature_check",
        actor="张三",
        role="subject",
        data={"temperature": "36.5", "symptoms": "no"},
    )
    registered = entry_of(engine.case("K-0001"), "registered")
    case = engine.amend(
        "K-0001", registered, {"temperature": "36.8"}, reason="读数抄错", actor="王芳", role="grid_worker"
    )
    assert case.data["temperature"] == 36.5  # the later check is what the case holds now
    assert dict(case.history[-1].changes) == {}
    assert engine.verify() == []


def test_a_correction_that_changes_the_way_is_refused_and_says_how(engine: Engine, clock: Clock) -> None:
    register_home_case(engine, clock)
    clock.advance(hours=1)
    registered = entry_of(engine.case("K-0001"), "registered")
    before = unchanged(engine, "K-0001")
    with pytest.raises(PathWouldChange) as refused:
        engine.amend(
            "K-0001", registered, {"temperature": "38.2"}, reason="读数抄错", actor="王芳", role="grid_worker"
        )
    assert unchanged(engine, "K-0001") == before
    error = refused.value
    assert error.was is not None and (error.was.kind, error.was.to_step) == ("branch", "assign_category")
    assert error.now is not None and error.now.to_step == "fever_found"
    assert error.step_then == "fever_found"
    assert error.skipped == tuple(
        e.seq
        for e in engine.case("K-0001").history
        if e.kind in (EventKind.ACTION, EventKind.CHECK) and e.seq > registered
    )
    message = error.message("en")
    assert "the decision “Symptoms?” went to “Assign category”" in message
    assert "“Fever or symptoms found” instead of “Home observation”" in message
    assert "--replay" in message
    assert "判断“是否有症状”原走向“风险分类”" in error.message("zh")
    assert engine.verify() == []


def test_replay_moves_the_case_where_the_corrected_history_leads(engine: Engine, clock: Clock) -> None:
    register_home_case(engine, clock)
    clock.advance(hours=1)
    registered = entry_of(engine.case("K-0001"), "registered")
    reached: list[str] = []
    engine.on_enter("fever_found")(lambda case, event: reached.append(case.id))
    case = engine.amend(
        "K-0001",
        registered,
        {"temperature": "38.2"},
        reason="读数抄错",
        actor="王芳",
        role="grid_worker",
        replay=True,
    )
    assert (case.step, reached) == ("fever_found", ["K-0001"])
    amendment, replay = case.history
    assert (amendment.kind, replay.kind) == (EventKind.AMEND, EventKind.REPLAY)
    assert replay.why is not None
    assert replay.why["from"] == registered
    assert replay.why["skipped"] == [
        e.seq
        for e in engine.case("K-0001").history[registered:14]
        if e.kind in (EventKind.ACTION, EventKind.CHECK)
    ]
    assert replay.why["left"] == ["K-0001.1"]  # the supply case the old way opened is still open
    assert "placement" not in case.data  # entries that could not be re-played gave nothing
    assert case.entered_at == engine.case("K-0001").history[registered - 1].at  # as it would have been
    assert engine.case("K-0001.1").active
    assert engine.verify() == []


def test_replay_opens_the_child_case_the_corrected_way_opens(engine: Engine, clock: Clock) -> None:
    person = visit(engine, clock, "36.6")
    assert engine.case(person).outcome == "consistent"
    clock.advance(hours=1)
    asked = entry_of(engine.case(person), "asked")
    with pytest.raises(PathWouldChange):
        engine.amend(person, asked, {"temperature": "38.4"}, reason="抄错", actor="王芳", role="grid_worker")
    case = engine.amend(
        person, asked, {"temperature": "38.4"}, reason="抄错", actor="王芳", role="grid_worker", replay=True
    )
    assert (case.status, case.outcome) == (CaseStatus.ENDED, "referred_kpc")
    assert case.children == (f"{person}.1",)
    referral = engine.case(f"{person}.1")
    assert (referral.flow_id, referral.data["temperature"], referral.created_at) == (
        "key_person_control",
        38.4,
        clock.now,
    )
    assert engine.verify() == []
    # and back: the referral opened by the re-play is left open (and named), not silently dropped
    clock.advance(minutes=5)
    back = engine.amend(
        person,
        asked,
        {"temperature": "36.6"},
        reason="又抄错了",
        actor="王芳",
        role="grid_worker",
        replay=True,
    )
    assert back.outcome == "consistent"
    assert back.history[-1].why is not None and back.history[-1].why["left"] == [f"{person}.1"]
    assert engine.verify() == []


def test_amendments_are_refused_with_a_reason(engine: Engine, clock: Clock) -> None:
    register_home_case(engine, clock)
    clock.advance(hours=1)
    case = engine.case("K-0001")
    registered = entry_of(case, "registered")
    branch = registered + 1
    before = unchanged(engine, "K-0001")
    refusals = [
        ((registered, {"temperature": "36.8"}, "", "grid_worker"), "give the reason"),
        ((registered, {"temperature": "36.8"}, "x", "ems_120"), "may not correct case 'K-0001'"),
        ((registered, {"temperature": "36.8"}, "x", "volunteer"), "no role 'volunteer'"),
        ((registered, {"temperature": "36.8"}, "x", None), "needs to know your role"),
        ((99, {"temperature": "36.8"}, "x", "grid_worker"), "no entry #99"),
        (
            (branch, {"temperature": "36.8"}, "x", "grid_worker"),
            f"correct the entry it followed (#{registered})",
        ),
        ((registered, {"camera_id": "X"}, "x", "grid_worker"), "(camera_id) — it takes"),
        ((registered, {"temprature": "36.8"}, "x", "grid_worker"), "mean 'Temperature (temperature)'"),
        ((registered, {"temperature": "36.6"}, "x", "grid_worker"), "already has temperature = 36.6"),
        ((registered, {"temperature": "hot"}, "x", "grid_worker"), "must be a number"),
        ((registered, {}, "x", "grid_worker"), "nothing to correct"),
    ]
    for (seq, values, reason, role), says in refusals:
        with pytest.raises(CaseError) as refused:
            engine.amend("K-0001", seq, values, reason=reason, actor="王芳", role=role)
        assert says in refused.value.message("en")
    assert unchanged(engine, "K-0001") == before


def test_the_role_that_made_the_entry_may_correct_it(engine: Engine, clock: Clock) -> None:
    register_home_case(engine, clock)
    clock.advance(hours=1)
    registered = entry_of(engine.case("K-0001"), "registered")
    # the step now is the liaison cadre's; the grid worker made the entry
    engine.amend(
        "K-0001", registered, {"address": "东风社区3号楼"}, reason="x", actor="王芳", role="grid_worker"
    )
    engine.amend(
        "K-0001", registered, {"address": "东风社区4号楼"}, reason="x", actor="赵", role="liaison_cadre"
    )
    with pytest.raises(CaseError, match="may not correct"):
        engine.amend(
            "K-0001", registered, {"address": "东风社区5号楼"}, reason="x", actor="门诊", role="fever_clinic"
        )
    assert engine.verify() == []


def test_corrected_by_roles_may_correct_any_case(store: Store, clock: Clock, tmp_path: Path) -> None:
    (tmp_path / "child.yaml").write_text((FLOWS / "child.yaml").read_text("utf-8"), "utf-8")
    parent = (FLOWS / "parent.yaml").read_text("utf-8")
    audited = parent.replace(
        "roles:\n", "corrected_by: [auditor]\nroles:\n  auditor: {zh: 督查, en: Auditor}\n", 1
    )
    (tmp_path / "parent.yaml").write_text(audited, "utf-8")
    engine = Engine(store, flows=FlowCatalog([tmp_path, builtin_dir()]), clock=clock)
    engine.start("waiting_parent", "P-1", {"household_id": "H-9"}, actor="甲", role="clerk")
    assert engine.stepper_for(engine.case("P-1")).flow.corrected_by == ("auditor",)
    case = engine.amend("P-1", 1, {"household_id": "H-8"}, reason="户号错", actor="督查员", role="auditor")
    assert case.data["household_id"] == "H-8"
    with pytest.raises(CaseError, match=r"it is for: Clerk \(clerk\), Auditor \(auditor\)"):
        engine.cancel("P-1", reason="x", actor="乙", role=None)
    with pytest.raises(CaseError, match=r"no role 'visitor' in this flow"):
        engine.cancel("P-1", reason="x", actor="乙", role="visitor")
    assert engine.verify() == []


# -- moves, assignments, merges, cancellations -------------------------------------------------------


def test_a_moved_case_takes_its_open_children_along(engine: Engine, clock: Clock) -> None:
    register_home_case(engine, clock)
    engine.start(
        "key_person_control",
        "K-0009",
        {"full_name": "李四"},
        actor="王芳",
        role="grid_worker",
        place="前郭镇/东风社区",
    )
    clock.advance(hours=1)
    case = engine.move("K-0001", "前郭镇／西山社区/", actor="赵", role="liaison_cadre", note="转西山")
    assert case.place == "前郭镇/西山社区"
    assert engine.case("K-0001.1").place == "前郭镇/西山社区"
    moved = engine.case("K-0001").history[-1]
    assert (moved.kind, moved.why, moved.note) == (
        EventKind.TRANSFER,
        {"from": None, "to": "前郭镇/西山社区", "children": ["K-0001.1"]},
        "转西山",
    )
    assert [c.id for c in engine.cases(place="前郭镇/西山社区")] == ["K-0001", "K-0001.1"]
    for args, says in [
        (("K-0001.1", "前郭镇"), "is a child case of 'K-0001'"),
        (("K-0001", "前郭镇/西山社区"), "already at 前郭镇/西山社区"),
        (("K-0001", " "), "no place to move"),
    ]:
        with pytest.raises(CaseError, match=says):
            engine.move(*args, actor="赵", role="liaison_cadre")
    with pytest.raises(CaseError, match="may not move"):
        engine.move("K-0001", "前郭镇", actor="赵", role="ems_120")
    assert engine.verify() == []


def test_assigned_cases_are_listed_and_due_by_worker(engine: Engine, clock: Clock) -> None:
    register_home_case(engine, clock)
    register_home_case(engine, clock, "K-0002")
    engine.assign("K-0002", "刘洋", actor="赵", role="liaison_cadre")
    assert engine.case("K-0002").assigned_to == "刘洋"
    assert [c.id for c in engine.cases(worker="刘洋")] == ["K-0002"]
    clock.advance(days=1)
    due = engine.due(worker="刘洋")
    assert {i.case_id for i in due} == {"K-0002"} and {i.case_id for i in engine.due()} >= {
        "K-0001",
        "K-0002",
    }
    with pytest.raises(CaseError, match="already assigned to 刘洋"):
        engine.assign("K-0002", "刘洋", actor="赵", role="liaison_cadre")
    engine.assign("K-0002", None, actor="赵", role="liaison_cadre")
    assert engine.cases(worker="刘洋") == []
    assert engine.verify() == []


def test_a_merged_duplicate_ends_pointing_to_the_case_kept(engine: Engine, clock: Clock) -> None:
    engine.start(
        "key_person_control",
        "K-0010",
        {"full_name": "李四", "phone": "13900001111"},
        actor="王芳",
        role="grid_worker",
        place="前郭镇/东风社区",
    )
    register_home_case(engine, clock, "K-0011")  # the same person, further along, with a supply case
    clock.advance(hours=1)
    before = unchanged(engine, "K-0011")
    with pytest.raises(CaseError, match="may not merge case 'K-0010'"):  # the doctor has no part in it yet
        engine.merge("K-0010", "K-0011", reason="同一人", actor="李医生", role="community_doctor")
    assert unchanged(engine, "K-0011") == before
    kept = engine.merge("K-0010", "K-0011", reason="同一人", actor="镇", role="township_hq")
    assert kept.data["id_number"] == "220721198503120045"  # what the kept case lacked
    assert kept.data["full_name"] == "李四"  # what both have stays as the kept case has it
    merge = kept.history[-1]
    assert merge.why is not None and merge.why["differs"] == {
        "full_name": ["李四", "张三"],
        "phone": ["13900001111", "13812345678"],
    }
    duplicate = engine.case("K-0011")
    assert (duplicate.status, duplicate.outcome, duplicate.history[-1].name) == (
        CaseStatus.ENDED,
        "merged",
        "K-0010",
    )
    supply = engine.case("K-0011.1")
    assert (supply.parent_id, supply.place) == ("K-0010", "前郭镇/东风社区")
    assert engine.case("K-0010").children == ("K-0011.1",)
    with pytest.raises(CaseError, match="is a correction, not an entry"):
        engine.amend(
            "K-0010", merge.seq, {"phone": "13900002222"}, reason="x", actor="镇", role="township_hq"
        )
    assert [c.id for c in engine.cases(parent_id="K-0010")] == ["K-0011.1"]
    assert engine.verify() == []
    for keep, duplicate_id, says in [
        ("K-0010", "K-0010", "cannot be merged into itself"),
        ("K-0010", "K-0011", "has ended"),
        ("K-0010", "K-0011.1", "is a child case"),
    ]:
        with pytest.raises(CaseError, match=says):
            engine.merge(keep, duplicate_id, reason="x", actor="镇", role="township_hq")


def test_a_cancelled_case_takes_its_open_children_with_it(engine: Engine, clock: Clock) -> None:
    register_home_case(engine, clock)
    clock.advance(hours=1)
    with pytest.raises(CaseError, match="give the reason"):
        engine.cancel("K-0001", reason=" ", actor="赵", role="liaison_cadre")
    case = engine.cancel("K-0001", reason="误建", actor="赵", role="liaison_cadre")
    assert (case.status, case.outcome, case.step) == (CaseStatus.ENDED, "cancelled", "home_observation")
    child = engine.case("K-0001.1")
    assert (child.outcome, child.history[-1].why) == ("cancelled", {"with": "K-0001"})
    assert engine.due() == [] and engine.tick() == []
    with pytest.raises(CaseError, match="has ended"):
        engine.cancel("K-0001", reason="x", actor="赵", role="liaison_cadre")
    assert engine.verify() == []


def test_a_child_its_parent_waits_for_is_not_cancelled(store: Store, clock: Clock) -> None:
    engine = Engine(store, flows=FlowCatalog([FLOWS, builtin_dir()]), clock=clock)
    engine.start("waiting_parent", "P-1", {"household_id": "H-9"}, actor="甲", role="clerk")
    with pytest.raises(CaseError, match=r"'P-1' is waiting at step 'ask' for case 'P-1\.1'"):
        engine.cancel("P-1.1", reason="误建", actor="甲", role="clerk")
    engine.cancel("P-1", reason="误建", actor="甲", role="clerk")
    assert engine.case("P-1.1").outcome == "cancelled"
    assert engine.verify() == []


def test_verify_finds_a_place_or_worker_changed_behind_the_history(
    engine: Engine, clock: Clock, store: Store
) -> None:
    register_home_case(engine, clock)
    engine.assign("K-0001", "刘洋", actor="赵", role="liaison_cadre")
    with store.engine.begin() as conn:
        conn.execute(sa.update(cases).where(cases.c.id == "K-0001").values(assigned_to="王五"))
    assert [(d.case_id, d.field) for d in engine.verify()] == [("K-0001", "assigned_to")]
    runner = CliRunner()
    found = runner.invoke(cli, ["--db", store.url, "verify", "--lang", "en"])
    assert found.exit_code == 1 and "K-0001: assigned_to stored 王*, replayed 刘*" in found.output


def test_a_corrected_date_moves_the_period_counted_from_it(engine: Engine, clock: Clock) -> None:
    register_home_case(engine, clock)  # basis date 2020-01-31: the 14 days end 2020-02-15 00:00
    clock.now = LOCAL(2020, 2, 15, 0, 1)
    assert [c.step for c in engine.tick()] == ["release_review"]
    categorized = entry_of(engine.case("K-0001"), "categorized")
    with pytest.raises(PathWouldChange) as refused:
        engine.amend(
            "K-0001",
            categorized,
            {"arrival_date": "2020-02-02"},
            reason="到达日期填错",
            actor="李医生",
            role="community_doctor",
        )
    assert "ran out at 2020-02-15 00:00" in refused.value.message("en")
    assert "with the correction it runs out at 2020-02-17 00:00" in refused.value.message("en")
    case = engine.amend(
        "K-0001",
        categorized,
        {"arrival_date": "2020-02-02"},
        reason="到达日期填错",
        actor="李医生",
        role="community_doctor",
        replay=True,
    )
    assert case.step == "home_observation"
    clock.now = LOCAL(2020, 2, 16, 23, 59)
    assert engine.tick() == []
    clock.now = LOCAL(2020, 2, 17, 0, 1)
    assert [c.step for c in engine.tick()] == ["release_review"]
    assert engine.verify() == []
