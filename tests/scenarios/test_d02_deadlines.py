"""Issue 11, defect 2: urgent steps have no deadline, so they never show in `due`.

A 38.3 ℃ reading sat at `fever_found` for 11 days without appearing in `due` or
`case list --overdue`; `fever_transfer`, `clinic_exam`, `collect_lead` and the referral a
three-check visit makes for a fever at the door (a child case that starts at `collect_lead`) have
no deadline either. Safe: every task has a deadline or says `deadline: none` with a reason; a step
whose instructions say 马上/立即/immediately without a short deadline is a load-time error; a
fever at the door starts key-person control at the fever step, which is due within minutes.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from click.testing import CliRunner

from sopflow import Engine, StepKind, builtin_flows
from sopflow.cli import cli
from tests.scenarios.helpers import KPC, THREE_CHECK, Cli, fire_offered, place_at_home

if TYPE_CHECKING:
    from sopflow import Case
    from tests.conftest import Clock

URGENT = re.compile(r"马上|立即|立刻|immediately|at once", re.IGNORECASE)
SHORT = timedelta(hours=2)


def test_a_fever_left_at_fever_found_is_overdue_in_due_and_in_the_overdue_list(
    engine: Engine, clock: Clock, sopflow_cli: Cli
) -> None:
    place_at_home(engine, "K-0002")
    clock.advance(hours=12)
    case = engine.fire(
        "K-0002",
        "temperature_check",
        actor="张三",
        role="subject",
        data={"temperature": "38.3", "symptoms": "no"},
    )
    assert case.step == "fever_found"
    clock.advance(days=11)  # nobody acted on it

    owed = [i for i in engine.due(within=timedelta(0)) if i.case_id == "K-0002"]
    assert [(i.kind, i.step, i.overdue) for i in owed] == [("deadline", "fever_found", True)], (
        "11 days, never due"
    )
    listed = [row["id"] for row in sopflow_cli.json("case", "list", "--overdue")]
    assert "K-0002" in listed


def test_every_built_in_task_has_a_deadline_or_says_why_not() -> None:
    undated, urgent = [], []
    for flow in builtin_flows().values():
        for step in flow.steps.values():
            if step.kind is not StepKind.TASK:
                continue
            reason = getattr(step, "deadline_reason", None)  # `deadline: none` + `deadline_reason:`
            if step.deadline is None and not reason:
                undated.append(f"{flow.id}.{step.id}")
            words = " ".join(step.instructions.values())
            spoken = re.sub(r"“[^”]*”|「[^」]*」|\"[^\"]*\"", "", words)  # words to pass on to someone
            if URGENT.search(spoken) and (step.deadline is None or step.deadline > SHORT):
                urgent.append(f"{flow.id}.{step.id}")
    kpc = builtin_flows()[KPC]
    for step in ("fever_found", "fever_transfer", "clinic_exam", "collect_lead"):
        assert kpc.steps[step].deadline is not None, f"{step} has no deadline"
    assert kpc.steps["fever_found"].deadline <= timedelta(minutes=30)
    assert undated == [], f"tasks without a deadline: {undated}"
    assert urgent == [], f"urgent tasks without a short deadline: {urgent}"


URGENT_FLOW = """\
format: 2
id: urgent_demo
version: "1"
title: {zh: 演示, en: Demo}
unit: person
start: report
roles:
  doctor: {zh: 医生, en: Doctor}
steps:
  report:
    kind: task
    label: {zh: 上报, en: Report}
    role: doctor
    instructions:
      zh: 发现发热立即上报乡镇卫生院。
      en: Report a fever to the township health centre immediately.
    actions:
      - action: reported
        to: done
  done:
    kind: end
    label: {zh: 结束, en: Done}
    role: doctor
    outcome: done
"""


def test_validate_names_an_urgent_step_without_a_deadline_at_file_line_col(tmp_path: Path) -> None:
    path = tmp_path / "urgent_demo.yaml"
    path.write_text(URGENT_FLOW, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["flows", "validate", str(path)], env={"SOPFLOW_LANG": "en"})
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "立即" in line or "immediately" in line]
    assert lines, result.output
    assert re.match(rf"{re.escape(str(path))}:1[5-7]:\d+: ", lines[0]), lines[0]  # at the instructions
    assert "deadline" in lines[0]

    fixed = URGENT_FLOW.replace(
        "    role: doctor\n    instructions:", "    role: doctor\n    deadline: 2h\n    instructions:", 1
    )
    path.write_text(fixed, encoding="utf-8")
    assert runner.invoke(cli, ["flows", "validate", str(path)], env={"SOPFLOW_LANG": "en"}).exit_code == 0
    slow = fixed.replace("deadline: 2h", "deadline: 1d")
    path.write_text(slow, encoding="utf-8")
    assert runner.invoke(cli, ["flows", "validate", str(path)], env={"SOPFLOW_LANG": "en"}).exit_code == 1

    undated = URGENT_FLOW.replace("立即", "").replace(" immediately", "")
    path.write_text(undated, encoding="utf-8")
    result = runner.invoke(cli, ["flows", "validate", str(path)], env={"SOPFLOW_LANG": "en"})
    assert result.exit_code == 1 and "deadline: none" in result.output  # says how to declare none


def visit_with_fever_at_the_door(engine: Engine) -> Case:
    """A three-check visit that finds one occupant with 38.5 ℃; returns the key-person referral."""
    engine.start(
        THREE_CHECK,
        "V-0001",
        {"dwelling_code": "3-2-501", "address": "前郭镇东风社区3号楼2单元501"},
        actor="王芳",
        role="community_committee",
        place="前郭镇/东风社区/3号楼",
    )
    engine.fire("V-0001", "team_assigned", actor="王芳", role="community_committee", data={"team": "第3组"})
    engine.fire("V-0001", "visited", actor="王芳", role="grid_worker", data={"occupant_count": "1"})
    engine.fire(
        "V-0001",
        "documents_seen",
        actor="王芳",
        role="grid_worker",
        data={
            "full_name": "李四",
            "document_type": "id_card",
            "id_number": "220721198503120010",
            "phone": "13900001111",
        },
    )
    person = person_case(engine, "V-0001")
    fire_offered(
        engine,
        person,
        "checked",
        actor="刘警官",
        role="community_police",
        candidates={"id_valid": "yes", "document_ok": "yes"},
    )
    engine.fire(
        person,
        "asked",
        actor="王芳",
        role="grid_worker",
        data={"temperature": "38.5", "symptoms": "yes", "travel_risk": "no"},
    )
    referrals = engine.cases(flow_id=KPC)
    assert len(referrals) == 1, referrals
    return engine.case(referrals[0].id)


def person_case(engine: Engine, visit_id: str) -> str:
    """Where one occupant's checks go on: their own case under the visit (the new three-check), or
    the visit itself (today's, which records one person per visit)."""
    children = [c for c in engine.cases(parent_id=visit_id) if c.flow_id != KPC]
    return children[-1].id if children else visit_id


def test_a_fever_at_the_door_starts_key_person_control_at_the_fever_step_with_a_deadline(
    engine: Engine, clock: Clock
) -> None:
    referral = visit_with_fever_at_the_door(engine)
    assert referral.step == "fever_found", "the referral waits at collect_lead with no deadline"
    clock.advance(hours=1)
    owed = [i for i in engine.due(within=timedelta(0)) if i.case_id == referral.id]
    assert [(i.kind, i.step, i.overdue) for i in owed] == [("deadline", "fever_found", True)]
