"""Issue 15: a single `sopflow case advance` from the shell starts quickly. The flow checker
(networkx, jsonschema), Jinja2 and graphviz stay unloaded: the case's flow comes from the
checked-flow cache, and commands are imported only when run. (How quickly is measured in bench/.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# sqlalchemy.dialects.postgresql: about 0.2 s, for a SQLite store that never needs it
HEAVY = (
    "networkx",
    "jsonschema",
    "jinja2",
    "graphviz",
    "alembic",
    "openpyxl",
    "sqlalchemy.dialects.postgresql",
)

RUN = """
import json, sys
from sopflow.cli import main
heavy = set(sys.argv[1].split())
try:
    main(sys.argv[2:])
except SystemExit:
    pass
loaded = {m.split(".")[0] for m in sys.modules} | set(sys.modules)
print(json.dumps(sorted(loaded & heavy)), file=sys.stderr)
"""


def _sopflow(tmp_path: Path, *args: str) -> tuple[str, list[str]]:
    """Run `sopflow ARGS` in a fresh interpreter; its output and the heavy modules it loaded."""
    env = {
        **os.environ,
        "SOPFLOW_DB": f"sqlite:///{tmp_path}/county.db",
        "SOPFLOW_CACHE": str(tmp_path / "cache"),
        "SOPFLOW_LANG": "zh",
        "SOPFLOW_ACTOR": "王芳",
    }
    command = [sys.executable, "-c", RUN, " ".join(HEAVY), *args]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    *_, loaded = done.stderr.splitlines()
    return done.stdout, json.loads(loaded)


def _open_case(tmp_path: Path) -> None:
    _sopflow(
        tmp_path,
        *("case", "start", "key_person_control", "--id", "QG-0001", "--role", "grid_worker"),
        *("--set", "full_name=张三", "--at", "2020-02-01 09:00"),
    )
    _sopflow(
        tmp_path,
        *("case", "advance", "QG-0001", "lead_logged", "--role", "grid_worker"),
        *("--set", "lead_source=self_report", "--set", "lead_note=自武汉返回", "--at", "2020-02-01 09:10"),
    )


def test_case_advance_through_a_decision_loads_no_checker_and_no_printer(tmp_path: Path) -> None:
    _open_case(tmp_path)
    shown, loaded = _sopflow(
        tmp_path,
        *("case", "advance", "QG-0001", "registered", "--role", "grid_worker", "--at", "2020-02-01 10:30"),
        *("--set", "address=前郭镇东风社区3号楼2单元501", "--set", "household_id=H-3-2-501"),
        *("--set", "temperature=38.2", "--set", "symptoms=否"),
    )
    assert "异常发现" in shown  # the guard `temperature >= fever_threshold or symptoms` was evaluated
    assert "依据 体温 ≥ 37.3" in shown  # and said in words, from the cached syntax tree
    assert loaded == []


@pytest.mark.parametrize("command", [("case", "show", "QG-0001"), ("case", "history", "QG-0001")])
def test_reading_a_case_loads_no_checker_and_no_printer(tmp_path: Path, command: tuple[str, ...]) -> None:
    _open_case(tmp_path)
    shown, loaded = _sopflow(tmp_path, *command)
    assert "QG-0001" in shown or "线索" in shown
    assert loaded == []


def test_without_the_cache_the_flow_is_checked_and_the_result_is_the_same(tmp_path: Path) -> None:
    _open_case(tmp_path)
    cached, _ = _sopflow(tmp_path, "case", "show", "QG-0001")
    for entry in (tmp_path / "cache").iterdir():
        entry.write_text("{not json", encoding="utf-8")  # a damaged entry is ignored, not believed
    checked, loaded = _sopflow(tmp_path, "case", "show", "QG-0001")
    assert checked == cached
    assert "networkx" in loaded  # it was checked again


def test_the_evening_report_as_text_loads_no_checker_and_no_printer(tmp_path: Path) -> None:
    """`report daily` finds each flow by its id in the flow folders: each file's id is peeked at
    once and kept (a YAML reading of every built-in flow took a second per command), and the
    page printer is loaded only for HTML and PDF."""
    _open_case(tmp_path)
    _sopflow(tmp_path, "report", "daily", "--date", "2020-02-01")  # checks the flows it counts, once
    shown, loaded = _sopflow(tmp_path, "report", "daily", "--date", "2020-02-01")
    assert "| **合计** |" in shown
    assert loaded == []
    assert any(entry.name.startswith("id-") for entry in (tmp_path / "cache").iterdir())
