"""Issue 15's fault tests without a crash: a corrupt or foreign SQLite file, a flow file edited
under running cases, a disk that fills while a chart is written, and hostile input through the
command line and files. Each is a one-line error (exit 1) with nothing changed, or, for text that
only looks dangerous, the text kept exactly as typed and escaped wherever it is shown."""

from __future__ import annotations

import json
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ..trust.conftest import DATA, Run, assert_clean_failure

READING = ["case", "advance", "W-1", "reading", "--role", "nurse"]
START = ["case", "start", "watch", "--id", "W-1", "--role", "nurse"]
ADDRESS = ",前郭镇,东风社区,第1网格,幸福小区,1号楼,1单元,1层,101\n"


def _one_line_error(result: object, *names: str) -> None:
    assert_clean_failure(result, *names, codes=(1,))  # type: ignore[arg-type]
    assert len(result.output.strip().splitlines()) == 1, result.output  # type: ignore[attr-defined]


# -- stores that are not sopflow's -----------------------------------------------------------------


def test_a_foreign_sqlite_database_is_refused_and_left_as_it_was(sopflow: Run, tmp_path: Path) -> None:
    foreign = tmp_path / "payroll.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE payroll (name TEXT, pay INTEGER)")
        conn.execute("INSERT INTO payroll VALUES ('王芳', 1)")
    env: dict[str, str | None] = {"SOPFLOW_DB": f"sqlite:///{foreign}"}
    for command in (START, ["case", "list"], ["verify"]):
        _one_line_error(sopflow(*command, env=env), "payroll.db")
    with sqlite3.connect(foreign) as conn:  # no table of sopflow's was added to it (opening it
        # does switch its journal to WAL, a setting kept in the file's header)
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("payroll",)]
        assert conn.execute("SELECT * FROM payroll").fetchall() == [("王芳", 1)]


def test_a_corrupt_sqlite_file_is_refused_and_left_as_it_was(sopflow: Run, tmp_path: Path) -> None:
    corrupt = tmp_path / "county.db"
    corrupt.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4080)  # no page size SQLite takes
    before = corrupt.read_bytes()
    env: dict[str, str | None] = {"SOPFLOW_DB": f"sqlite:///{corrupt}"}
    for command in (
        ["case", "start", "watch", "--id", "W-1", "--role", "nurse"],
        ["case", "list"],
        ["verify"],
    ):
        _one_line_error(sopflow(*command, env=env), "county.db")
    assert corrupt.read_bytes() == before


# -- a flow edited under running cases ---------------------------------------------------------------


def test_a_flow_edited_under_its_old_version_is_said_until_it_has_a_new_one(
    sopflow: Run, tmp_path: Path
) -> None:
    """Two sets of rules under one version label cannot be told apart on a printed chart: each
    case started with the edited file says so (and starts); with a new `version:` it stops."""
    folder = tmp_path / "flows"
    shutil.copytree(DATA, folder)
    env: dict[str, str | None] = {"SOPFLOW_FLOWS": str(folder)}
    said = "is already in the store with other rules"

    def start(case_id: str) -> str:
        result = sopflow("case", "start", "watch", "--id", case_id, "--role", "nurse", env=env)
        assert result.exit_code == 0, result.output
        return result.output

    assert said not in start("W-1")
    watch = folder / "watch.yaml"
    text = watch.read_text(encoding="utf-8")
    watch.write_text(text.replace("after: 1d", "after: 3d"), encoding="utf-8")
    assert said in start("W-2")
    assert said in start("W-3")
    version = re.search(r'^version: "?([^"\n]+)"?$', text, re.MULTILINE)
    assert version is not None
    edited = watch.read_text(encoding="utf-8").replace(version.group(0), 'version: "9999.1"')
    watch.write_text(edited, encoding="utf-8")
    assert said not in start("W-4")


def test_a_flow_file_edited_under_running_cases(sopflow: Run, tmp_path: Path) -> None:
    """Running cases go on by the version they started on, whatever happens to the file; a new
    case takes the edited file, and a broken edit is reported at its line, changing nothing."""
    folder = tmp_path / "flows"
    shutil.copytree(DATA, folder)
    env: dict[str, str | None] = {"SOPFLOW_FLOWS": str(folder)}
    assert sopflow("case", "start", "watch", "--id", "W-1", "--role", "nurse", env=env).exit_code == 0
    watch = folder / "watch.yaml"
    watch.write_text(watch.read_text(encoding="utf-8").replace("after: 1d", "after: 3d"), encoding="utf-8")
    assert sopflow(*READING, "--set", "temperature=36.6", env=env).exit_code == 0
    second = sopflow("case", "start", "watch", "--id", "W-2", "--role", "nurse", env=env)
    assert second.exit_code == 0
    assert "is already in the store with other rules" in second.output  # edited, version kept
    broken = watch.read_text(encoding="utf-8").replace("after: 3d", "after: soon")
    watch.write_text(broken, encoding="utf-8")  # a mistake in the edit
    assert sopflow(*READING, "--set", "temperature=36.7", env=env).exit_code == 0
    refused = sopflow("case", "start", "watch", "--id", "W-3", "--role", "nurse", env=env)
    assert_clean_failure(refused, "watch.yaml", codes=(1,))
    later: dict[str, str | None] = {**env, "SOPFLOW_NOW": "2020-02-03 09:00"}
    assert sopflow("tick", env=later).exit_code == 0
    steps = {c["id"]: c["step"] for c in json.loads(sopflow("case", "list", "--json", env=later).output)}
    assert steps == {"W-1": "review", "W-2": "watch"}  # one day for W-1 as it began; three for W-2
    assert sopflow("verify", env=later).exit_code == 0


# -- a full disk ---------------------------------------------------------------------------------------


def _with_small_disk() -> None:
    """The child may write files of at most 4 KB (RLIMIT_FSIZE): a write past that fails with
    EFBIG, as a full disk fails with ENOSPC, through the same code."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


@pytest.mark.parametrize("fmt", ["svg", "pdf", "dot"])
def test_a_chart_written_to_a_full_disk_is_a_clear_error_and_leaves_nothing(tmp_path: Path, fmt: str) -> None:
    folder = tmp_path / "charts"
    folder.mkdir()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sopflow",
            "--lang",
            "en",
            "render",
            "supply_request",
            "-f",
            fmt,
            "-o",
            str(folder),
        ],
        capture_output=True,
        text=True,
        preexec_fn=_with_small_disk,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "cannot write" in done.stderr
    assert list(folder.iterdir()) == []  # nothing half-written, no temporary file left


def test_a_case_sheet_written_to_dev_full_is_a_clear_error(sopflow: Run) -> None:
    assert sopflow("case", "start", "watch", "--id", "W-1", "--role", "nurse").exit_code == 0
    _one_line_error(sopflow("case", "sheet", "W-1", "-o", "/dev/full"), "/dev/full")


# -- hostile input -------------------------------------------------------------------------------------

HOSTILE = {
    "control": "王芳\x07\x1b[31m",
    "bidi": "王芳\u202egnp.exe",
    "nul": "王\x00芳",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_control_bidi_and_nul_characters_in_arguments_are_refused(sopflow: Run, text: str) -> None:
    assert sopflow("case", "start", "watch", "--id", "W-1", "--role", "nurse").exit_code == 0
    for extra in (["--set", f"writer={text}"], ["--note", text], ["--actor", text]):
        _one_line_error(sopflow(*READING, "--set", "temperature=36.6", *extra))
    _one_line_error(sopflow("case", "start", "watch", "--id", f"W-{text}", "--role", "nurse"))
    shown = json.loads(sopflow("case", "show", "W-1", "--json").output)
    assert len(shown["history"]) == 1  # nothing was saved


SQL_LIKE = ["x'); DROP TABLE cases;--", "1 OR 1=1", "' UNION SELECT * FROM events --", "%_\\"]


@pytest.mark.parametrize("text", SQL_LIKE)
def test_sql_looking_text_is_kept_exactly_as_typed(sopflow: Run, text: str) -> None:
    assert sopflow("case", "start", "watch", "--id", "W-1", "--role", "nurse").exit_code == 0
    assert (
        sopflow(*READING, "--set", "temperature=36.6", "--set", f"writer={text}", "--note", text).exit_code
        == 0
    )
    history = json.loads(sopflow("case", "history", "W-1", "--json", "--show-personal").output)
    assert history[-1]["changes"]["writer"] == [None, text] and history[-1]["note"] == text
    assert json.loads(sopflow("case", "list", "--json").output)[0]["id"] == "W-1"  # the table is there


def test_huge_values_are_refused_in_one_line(sopflow: Run) -> None:
    assert sopflow("case", "start", "watch", "--id", "W-1", "--role", "nurse").exit_code == 0
    for extra in (
        ["--set", "writer=" + "字" * 1_000_000],
        ["--set", "temperature=1e999"],
        ["--note", "x" * 1_000_000],
    ):
        reading = [] if "temperature=1e999" in extra else ["--set", "temperature=36.6"]
        result = sopflow(*READING, *reading, *extra)
        _one_line_error(result)
        assert len(result.output) < 2_000  # the value is not echoed back whole


def test_hostile_bytes_in_a_people_csv_are_refused_with_their_row(sopflow: Run, tmp_path: Path) -> None:
    header = "姓名,身份证号,联系电话,乡镇,社区,网格,小区,楼,单元,层,户\n".encode()
    good = "方云,220721200303236326,18609955081" + ADDRESS
    rows = {
        "control": "方\x1b云,220721198109279592,17202025409" + ADDRESS,
        "bidi": "方\u202e云,220721198109279592,17202025409" + ADDRESS,
        "nul": "方\x00云,220721198109279592,17202025409" + ADDRESS,
    }
    for kind, row in rows.items():
        file = tmp_path / f"{kind}.csv"
        file.write_bytes(header + good.encode() + row.encode())
        result = sopflow("people", "import", str(file))
        assert_clean_failure(result, codes=(1,))
        assert "3" in result.output, result.output  # the row is named
    broken = tmp_path / "broken.csv"
    broken.write_bytes(header + good.encode() + b"\xff\xfe\xfa,220721198109279592\n")
    assert_clean_failure(sopflow("people", "import", str(broken)), "broken.csv", codes=(1,))
    assert "方" not in sopflow("find", "方云").output  # nothing of any of them was imported


SCRIPT = "<script>alert(1)</script>"


def test_script_in_every_field_of_a_case_sheet_is_escaped(sopflow: Run, tmp_path: Path) -> None:
    env: dict[str, str | None] = {"SOPFLOW_ACTOR": f"王{SCRIPT}"}
    started = sopflow(*START, "--note", SCRIPT, env=env)
    assert started.exit_code == 0, started.output
    done = sopflow(
        *READING, "--set", "temperature=36.6", "--set", f"writer={SCRIPT}", "--note", SCRIPT, env=env
    )
    assert done.exit_code == 0, done.output
    for personal in ([], ["--show-personal"]):
        page = tmp_path / f"sheet{len(personal)}.html"
        assert sopflow("case", "sheet", "W-1", "-o", str(page), *personal).exit_code == 0
        html = page.read_text(encoding="utf-8")
        assert "<script" not in html.lower()
        assert "&lt;script&gt;" in html


def test_script_in_every_label_of_a_flow_is_escaped_in_its_handbook(sopflow: Run, tmp_path: Path) -> None:
    folder = tmp_path / "flows"
    folder.mkdir()
    source = (DATA / "watch.yaml").read_text(encoding="utf-8")
    labelled = r"\{zh: ([^,}]+), en: ([^}]+)\}"  # every {zh: ..., en: ...} text of the flow
    source = re.sub(labelled, rf'{{zh: "\1{SCRIPT}", en: "\2{SCRIPT}"}}', source)
    (folder / "watch.yaml").write_text(source, encoding="utf-8")
    page = tmp_path / "handbook.html"
    done = sopflow("handbook", "watch", "-o", str(page), env={"SOPFLOW_FLOWS": str(folder)})
    assert done.exit_code == 0, done.output
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert html.count("&lt;script&gt;") >= 5
