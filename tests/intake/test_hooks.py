"""Cases started or moved by an import are changes like any other: a library user's `on_enter`
hooks run for them once the batch is committed (they did not, when imports reached into the
Engine's private parts). On a real SQLite file and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sopflow import Engine
from sopflow.cases.records import Case, Event
from sopflow.intake.cases import CasesIntake
from sopflow.intake.checks import ChecksIntake
from sopflow.intake.run import run_import
from tests.conftest import Clock
from tests.intake.test_checks_import import HEADER
from tests.intake.test_import import write_csv
from tests.scenarios.helpers import place_at_home

LEADS = [
    ["姓名", "线索来源", "线索内容"],
    ["张三", "卡口登记", "自武汉返回"],
    ["赵六", "本人申报", "自湖北返回"],
]


def entered(engine: Engine, step: str) -> list[tuple[str, str]]:
    """Every (case, step) the hook on `step` of key-person control saw, in order."""
    seen: list[tuple[str, str]] = []

    @engine.on_enter(step, flow="key_person_control")
    def note(case: Case, event: Event) -> None:
        seen.append((case.id, event.to_step or ""))

    return seen


def test_an_on_enter_hook_runs_for_every_case_an_import_starts(
    engine: Engine, clock: Clock, tmp_path: Path
) -> None:
    clock.now = datetime(2020, 2, 1, 1, 0, tzinfo=UTC)
    seen = entered(engine, "collect_lead")
    intake = CasesIntake(engine, "key_person_control", actor="王芳", role="grid_worker", at=clock.now)
    done = run_import(engine.store, intake, write_csv(tmp_path / "leads.csv", LEADS), lang="zh")
    assert done.counts.new == 2
    started = [case.id for case in engine.cases(flow_id="key_person_control")]
    assert sorted(seen) == sorted((case_id, "collect_lead") for case_id in started)


def test_an_on_enter_hook_runs_for_a_fever_reading_an_import_records(
    engine: Engine, clock: Clock, tmp_path: Path
) -> None:
    place_at_home(engine, "QG-0001")
    clock.now = datetime(2020, 2, 2, 12, 0, tzinfo=UTC)
    seen = entered(engine, "fever_found")
    sheet = [HEADER, ["QG-0001", "张*", "", "2020-02-02", "上午", "", "38.3", "是", "李医生"]]
    intake = ChecksIntake(engine, actor="王医生", role="community_doctor")
    done = run_import(engine.store, intake, write_csv(tmp_path / "checks.csv", sheet), lang="zh")
    assert done.counts.new == 1
    assert engine.case("QG-0001").step == "fever_found"
    assert seen == [("QG-0001", "fever_found")]
