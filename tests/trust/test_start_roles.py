"""Issue 12.5: a flow says who may open its cases (default: the roles of its first step), and
starting a case enforces it: not the person under control, not someone without a role."""

from __future__ import annotations

from pathlib import Path

import pytest

from sopflow import CaseError, Engine, FlowCatalog, FlowError, load_flow_bytes

from .conftest import DATA, Run, assert_clean_failure


@pytest.mark.parametrize(
    ("flow", "role"),
    [("key_person_control", "subject"), ("key_person_control", None), ("watch", "subject"), ("watch", None)],
)
def test_only_the_first_steps_roles_may_open_a_case(
    trust_engine: Engine, flow: str, role: str | None
) -> None:
    with pytest.raises(CaseError):
        trust_engine.start(flow, "QG-0001", {}, actor="王芳", role=role)
    assert trust_engine.cases() == []


@pytest.mark.parametrize(("flow", "role"), [("key_person_control", "grid_worker"), ("watch", "nurse")])
def test_the_first_steps_role_opens_a_case(trust_engine: Engine, flow: str, role: str) -> None:
    assert trust_engine.start(flow, "QG-0001", {}, actor="王芳", role=role).step


def test_child_cases_are_still_opened_by_the_system(local_engine: Engine) -> None:
    """A child case is opened by sopflow itself, without a role: a rule for people must not stop it."""
    local_engine.start("opens_watch", "QG-0001", {}, actor="王芳", role="nurse")
    local_engine.fire("QG-0001", "open", actor="王芳", role="nurse")
    child = local_engine.case("QG-0001.1")
    assert (child.flow_id, child.step, child.history[0].actor) == ("watch", "watch", "system")


@pytest.mark.parametrize("role", [["--role", "subject"], []], ids=["subject", "no-role"])
def test_cli_case_start_refuses_a_role_that_may_not_open(sopflow: Run, role: list[str]) -> None:
    result = sopflow("case", "start", "key_person_control", "--id", "QG-0001", *role)
    assert_clean_failure(result, "subject", "role", codes=(1,))
    assert sopflow("case", "list").output.strip().endswith("0 cases")


def test_a_flow_says_who_may_open_its_cases(local_engine: Engine, tmp_path: Path) -> None:
    """`opened_by:` names the roles; here the person watched may open a watch on themselves."""
    source = (DATA / "watch.yaml").read_text("utf-8")
    (tmp_path / "self_watch.yaml").write_text(
        source.replace("id: watch", "id: self_watch").replace(
            "start: watch\n", "start: watch\nopened_by: [subject]\n"
        ),
        "utf-8",
    )
    engine = Engine(local_engine.store, flows=FlowCatalog([tmp_path, DATA]), clock=local_engine.clock)
    assert engine.start("self_watch", "S-1", {}, actor="张三", role="subject").step == "watch"
    with pytest.raises(CaseError) as refused:
        engine.start("self_watch", "S-2", {}, actor="王芳", role="nurse")
    assert "The person (subject)" in refused.value.message("en")


def test_opened_by_names_roles_the_flow_has() -> None:
    source = (
        (DATA / "watch.yaml")
        .read_text("utf-8")
        .replace("start: watch\n", "start: watch\nopened_by: [nures]\n")
    )
    with pytest.raises(FlowError) as refused:
        load_flow_bytes(source.encode("utf-8"), "watch.yaml")
    [problem] = refused.value.errors
    assert problem.location.line == source.splitlines().index("opened_by: [nures]") + 1
    assert "did you mean 'nurse'?" in problem.message("en")
