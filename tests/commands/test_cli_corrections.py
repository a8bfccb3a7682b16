"""`sopflow case amend|move|assign|merge|cancel` on the command line: one-line refusals that change
nothing, the history and case sheet saying who corrected what and why, `--worker` filters, a move
to a registry place, and `verify` clean after each. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sopflow.cli import cli
from tests.intake.test_import import PLACES, write_csv

Run = Callable[..., Result]


@pytest.fixture
def sopflow(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("SOPFLOW_LANG", "en")
    monkeypatch.setenv("SOPFLOW_DB", store_url)
    monkeypatch.setenv("SOPFLOW_NOW", "2020-02-03 12:00")
    monkeypatch.setenv("SOPFLOW_ACTOR", "王芳")
    monkeypatch.delenv("SOPFLOW_ROLE", raising=False)
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args))


def fever_by_mistake(sopflow: Run) -> None:
    """A registration whose temperature was typed wrong (38.2 for 36.2): the case went to the
    fever branch, and the doctor was told."""
    steps = [
        "start key_person_control --id QG-0002 --role grid_worker --at '2020-02-03 08:00' "
        "--set full_name=李四",
        "advance QG-0002 lead_logged --role grid_worker --at '2020-02-03 08:10' "
        "--set lead_source=self_report --set lead_note=从外省返回",
        "advance QG-0002 registered --role grid_worker --at '2020-02-03 08:20' --set full_name=李四 "
        "--set address=前郭镇东风社区3号楼2单元502 --set household_id=H-3-2-502 --set temperature=38.2 "
        "--set symptoms=no",
        "advance QG-0002 doctor_notified --role community_doctor --at '2020-02-03 08:30'",
    ]
    for line in steps:
        done = sopflow("case", *shlex.split(line))
        assert done.exit_code == 0, done.output


def test_a_refused_amendment_says_what_would_differ_and_changes_nothing(sopflow: Run) -> None:
    fever_by_mistake(sopflow)
    before = sopflow("case", "history", "QG-0002", "--json").output
    refused = sopflow(
        "case",
        "amend",
        "QG-0002",
        "3",
        "--set",
        "temperature=36.2",
        "--reason",
        "体温抄错",
        "--role",
        "grid_worker",
    )
    assert refused.exit_code == 1
    assert refused.output.count("\n") == 1  # one line
    assert refused.output.startswith(
        "correcting #3 of case 'QG-0002' changes what followed: at #4 the decision “Symptoms?” went to "
        "“Fever or symptoms found”, with the correction it goes to “Assign category”; the case would be at "
        "“Assign category” instead of “Doctor re-checks”, and a later entry could not have been made (#5)"
    )
    assert sopflow("case", "history", "QG-0002", "--json").output == before
    for args, says in [
        (
            ("--reason", "x", "--role", "ems_120"),
            "the role Ambulance (120) (ems_120) may not correct case 'QG-0002'",
        ),
        (("--reason", "x", "--role", "volunteer"), "no role 'volunteer' in this flow"),
        (("--role", "grid_worker"), "give the reason"),
    ]:
        wrong = sopflow("case", "amend", "QG-0002", "3", "--set", "temperature=36.2", *args)
        assert (wrong.exit_code, says in wrong.output) == (1, True), wrong.output
    assert sopflow("case", "history", "QG-0002", "--json").output == before
    assert sopflow("verify").output == "0 differences found\n"


def test_a_replayed_amendment_is_in_the_history_and_on_the_case_sheet(sopflow: Run, tmp_path: Path) -> None:
    fever_by_mistake(sopflow)
    done = sopflow(
        "case", "amend", "QG-0002", "3", "--set", "temperature=36.2", "--reason", "体温抄错",
        "--role", "grid_worker", "--replay",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "Now at: Assign category — responsible: Community doctor" in done.output
    history = sopflow("case", "history", "QG-0002").output.splitlines()
    assert history[2].endswith("corrected in #6")
    assert re.split(r"\s{2,}", history[5])[:5] == [
        "#6",
        "2020-02-03 12:00",
        "Correction",
        "Doctor re-checks",
        "王* (Grid worker)",
    ]
    assert history[5].endswith("corrects #3: Temperature 38.2 → 36.2; “体温抄错”")
    assert "re-played from #3 with the correction, to “Assign category”, not re-played: #5" in history[6]
    zh = sopflow("case", "history", "QG-0002", "--lang", "zh").output
    assert "更正第 3 条：体温 38.2 → 36.2" in zh and "已于 #6 更正" in zh
    rows = json.loads(sopflow("case", "history", "QG-0002", "--json").output)
    assert rows[5]["why"]["values"] == {"temperature": [38.2, 36.2]}
    assert rows[2]["corrected_in"] == [6]
    sheet = tmp_path / "QG-0002.html"
    assert sopflow("case", "sheet", "QG-0002", "-o", str(sheet)).exit_code == 0
    page = sheet.read_text("utf-8")
    assert "corrects #3: Temperature 38.2 → 36.2" in page and "corrected in #6" in page
    assert sopflow("verify").output == "0 differences found\n"


def test_personal_values_in_a_correction_are_masked_unless_asked(sopflow: Run) -> None:
    fever_by_mistake(sopflow)
    done = sopflow(
        "case",
        "amend",
        "QG-0002",
        "3",
        "--set",
        "full_name=李思",
        "--reason",
        "姓名写错",
        "--role",
        "grid_worker",
    )
    assert done.exit_code == 0, done.output
    assert "corrects #3: Name 李* → 李*" in done.output and "李思" not in done.output
    shown = sopflow("case", "history", "QG-0002", "--show-personal").output
    assert "corrects #3: Name 李四 → 李思" in shown


def test_assigned_cases_by_worker(sopflow: Run) -> None:
    fever_by_mistake(sopflow)
    done = sopflow("case", "assign", "QG-0002", "--to", "刘洋", "--role", "community_doctor")
    assert done.exit_code == 0 and "Assigned to: 刘*" in sopflow("case", "show", "QG-0002").output
    assert "assigned to 刘* (before: nobody)" in done.output
    listed = sopflow("case", "list", "--worker", "刘洋").output
    assert listed.startswith("QG-0002 ") and listed.endswith("1 case\n")
    assert sopflow("case", "list", "--worker", "王五").output == "0 cases\n"
    due = sopflow("due", "--worker", "刘洋", "--within", "1d").output
    assert "QG-0002" in due and sopflow("due", "--worker", "王五").output == "0 items, 0 overdue\n"
    both = sopflow("case", "assign", "QG-0002", "--to", "刘洋", "--nobody")
    assert both.exit_code == 2 and "give the worker with --to NAME, or --nobody" in both.output
    assert sopflow("case", "assign", "QG-0002", "--nobody", "--role", "community_doctor").exit_code == 0
    assert sopflow("case", "list", "--worker", "刘洋").output == "0 cases\n"


def test_a_move_goes_to_a_place_of_the_registry(sopflow: Run, tmp_path: Path) -> None:
    fever_by_mistake(sopflow)
    free = sopflow("case", "move", "QG-0002", "--place", "前郭镇/西山社区", "--role", "community_doctor")
    assert free.exit_code == 0 and "place - → 前郭镇/西山社区" in free.output  # no registry: free text
    sopflow("places", "import", str(write_csv(tmp_path / "places.csv", PLACES)))
    typo = sopflow("case", "move", "QG-0002", "--place", "新力村", "--role", "community_doctor")
    assert typo.exit_code == 1
    assert typo.output.startswith("the registry has no place '新力村' — did you mean '新立村'?")
    moved = sopflow(
        "case", "move", "QG-0002", "--place", "新立村", "--role", "community_doctor", "--note", "转诊"
    )
    assert moved.exit_code == 0, moved.output
    assert "place 前郭镇/西山社区 → 前郭县/平凤乡/新立村; “转诊”" in moved.output
    assert sopflow("case", "list", "--place", "平凤乡").output.startswith("QG-0002 ")
    assert sopflow("verify").output == "0 differences found\n"


def test_merge_and_cancel(sopflow: Run, tmp_path: Path) -> None:
    fever_by_mistake(sopflow)
    sopflow(
        "case", "start", "key_person_control", "--id", "QG-0003", "--role", "grid_worker",
        "--set", "full_name=李四", "--set", "phone=13900001111", "--at", "2020-02-03 09:00",
    )  # fmt: skip
    refused = sopflow("case", "merge", "QG-0002", "QG-0003", "--reason", "同一人", "--role", "grid_worker")
    assert refused.exit_code == 1 and refused.output.startswith(
        "the role Grid worker (grid_worker) may not merge case 'QG-0002'"
    )
    merged = sopflow("case", "merge", "QG-0002", "QG-0003", "--reason", "同一人", "--role", "county_cdc")
    assert merged.exit_code == 1  # the CDC has no part in a new lead
    merged = sopflow("case", "merge", "QG-0003", "QG-0002", "--reason", "同一人", "--role", "grid_worker")
    assert merged.exit_code == 1 and "may not merge case 'QG-0002'" in merged.output
    sopflow(
        "case",
        "start",
        "key_person_control",
        "--id",
        "QG-0004",
        "--role",
        "grid_worker",
        "--set",
        "full_name=李四",
    )
    merged = sopflow(
        "case", "merge", "QG-0003", "QG-0004", "--reason", "同一线索报了两次", "--role", "grid_worker"
    )
    assert merged.exit_code == 0, merged.output
    assert "took in duplicate case QG-0004" in merged.output
    shown = sopflow("case", "show", "QG-0004").output
    assert "Ended at Collect leads: merged" in shown and "Merged into case QG-0003" in shown
    sheet = tmp_path / "QG-0004.html"
    sopflow("case", "sheet", "QG-0004", "-o", str(sheet), "--lang", "zh")
    assert "已并入案件 QG-0003" in sheet.read_text("utf-8")
    sopflow("case", "assign", "QG-0003", "--to", "刘洋", "--role", "grid_worker")
    sopflow("case", "sheet", "QG-0003", "-o", str(sheet), "--lang", "zh")
    page = sheet.read_text("utf-8")
    assert "责任人：刘*" in page and "并入重复案件 QG-0004" in page and "刘洋" not in page
    cancelled = sopflow("case", "cancel", "QG-0003", "--reason", "误建", "--role", "grid_worker")
    assert cancelled.exit_code == 0 and "Ended at Collect leads: cancelled" in cancelled.output
    assert "Cancelled  Collect leads  王* (Grid worker)  cancelled; “误建”" in cancelled.output
    again = sopflow("case", "cancel", "QG-0003", "--reason", "误建", "--role", "grid_worker")
    assert again.exit_code == 1 and again.output.startswith("case 'QG-0003' has ended")
    assert sopflow("verify").output == "0 differences found\n"
