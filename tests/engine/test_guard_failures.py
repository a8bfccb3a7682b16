"""A guard that fails while a case runs says whose fault it is, in the user's language: a value
the staff can supply, or a rule the flow's maintainer must fix."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from sopflow.cli import cli

RULE_FOLDER = Path(__file__).parent.parent / "data" / "user" / "rule"


def test_a_broken_rule_is_blamed_on_the_flow_in_chinese(tmp_path: Path) -> None:
    runner = CliRunner()
    db = f"sqlite:///{tmp_path}/cases.db"

    def run(*args: str) -> str:
        result = runner.invoke(
            cli, ["--flows", str(RULE_FOLDER), "--db", db, *args], env={"SOPFLOW_ACTOR": "王芳"}
        )
        return result.output

    run("case", "start", "checkpoint_broken_rule", "--id", "V-1", "--set", "plate=吉J1", "--role", "police")
    registered = ["--set", "driver_id=220721198001010014", "--set", "passengers=2", "--set", "origin=local"]
    run("case", "advance", "V-1", "registered", "--role", "police", *registered)
    measured = ["--set", "max_temp=36.5", "--lang", "zh"]
    said = run("case", "advance", "V-1", "measured", "--role", "medic", *measured)
    assert "流程中的这条规则有误" in said
    assert "请告知流程维护人员" in said
    assert "补充所缺数据" not in said
    assert "not supported" not in said and "'>'" not in said
