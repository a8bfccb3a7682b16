"""Issue 12.5: a flow says who may open its cases (default: the roles of its first step), and
starting a case enforces it: not the person under control, not someone without a role."""

from __future__ import annotations

import pytest

from sopflow import CaseError, Engine

from .conftest import Run, assert_clean_failure


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
