"""Entry steps (issue 11, C6) at load time: what the negative corpus (tests/data/invalid) cannot
hold: a flow that loads with a warning, and the model a child start is read into."""

from __future__ import annotations

from pathlib import Path

from sopflow import builtin_flows, load_flow

INVALID = Path(__file__).parent.parent / "data" / "invalid"


def test_a_referral_that_leaves_out_whom_it_is_about_loads_with_a_warning_at_its_copy(tmp_path: Path) -> None:
    text = (INVALID / "subflow_entry_not_copied.yaml").read_text(encoding="utf-8")
    text = text.replace("copy: {full_name: full_name}", "copy: {full_name: full_name, address: address}")
    path = tmp_path / "referral.yaml"
    path.write_text(text, encoding="utf-8")
    flow = load_flow(path)
    [warning] = [w for w in flow.warnings if w.code == "subflow.identity_not_copied"]
    line = text.splitlines().index("    copy: {full_name: full_name, address: address}") + 1
    assert (warning.location.line, warning.location.column) == (line, 5)
    assert "household_id" in warning.message("en")
    step = flow.steps["open_supply"]
    assert (step.start_at, dict(step.copy_as), step.copy) == (
        "fever_found",
        {"full_name": "full_name", "address": "address"},
        ("full_name", "address"),
    )


def test_the_built_in_referrals_copy_whom_they_are_about_and_the_lead_source() -> None:
    flows = builtin_flows()
    kpc, visit = flows["key_person_control"], flows["occupant_check"]  # each person seen at a visit
    assert kpc.entry_steps == ("collect_lead", "verify_register", "fever_found")
    assert kpc.entry_requires("verify_register") == ("lead_source", "address")
    for step_id, at in (("refer_fever", "fever_found"), ("refer_lead", "verify_register")):
        step = visit.steps[step_id]
        assert step.start_at == at and dict(step.set_values) == {"lead_source": "three_check"}
        assert {"id_number", "phone", "dwelling_code", "household_id"} <= set(step.copy_as)
    assert not [w for f in (kpc, visit) for w in f.warnings if w.code == "subflow.identity_not_copied"]
