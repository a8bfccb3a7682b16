"""Checks entered late (issue 11, C12), on SQLite and PostgreSQL: a paper form typed in after
later entries is accepted in time order when the case owed the check then; it does not replace a
newer value, it escalates now if the case has not moved since, and it raises an alert (no rewind)
if the case has moved on. Actions dated before the last entry stay refused. `verify` agrees.
The flow: tests/data/late/late_watch.yaml."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from sopflow.cases.records import EventKind
from sopflow.cli import cli
from sopflow.engine.runtime import Engine
from sopflow.errors import CaseError, FlowError
from sopflow.language.catalog import FlowCatalog
from sopflow.language.loader import load_shallow
from sopflow.store.store import Store
from tests.conftest import Clock
from tests.scenarios.helpers import LOCAL, TZ, events

FLOWS = Path(__file__).parent.parent / "data" / "late"


@pytest.fixture
def watch(store: Store, clock: Clock) -> Engine:
    """Case L-1, started at 08:00 on 2020-02-01, with a normal reading at 10:00."""
    engine = Engine(store, flows=FlowCatalog([FLOWS]), clock=clock)
    clock.now = LOCAL(2020, 2, 1, 8, 0)
    engine.start("late_watch", "L-1", {}, actor="护士", role="nurse")
    clock.now = LOCAL(2020, 2, 1, 10, 0)
    engine.fire("L-1", "reading", actor="护士", role="nurse", data={"temperature": "36.5"})
    return engine


def late_reading(engine: Engine, clock: Clock, temperature: str, hour: int = 9) -> None:
    clock.now = LOCAL(2020, 2, 1, 11, 0)
    at = LOCAL(2020, 2, 1, hour, 0)
    engine.fire("L-1", "reading", actor="王芳", role="nurse", data={"temperature": temperature}, at=at)


def test_a_late_reading_takes_its_place_in_time_order_without_replacing_a_newer_value(
    watch: Engine, clock: Clock
) -> None:
    late_reading(watch, clock, "36.9")
    case = watch.case("L-1")
    late = events(case, "check")[-1]
    assert (late.seq, late.at, late.late, late.recorded_at) == (
        3,
        LOCAL(2020, 2, 1, 9),
        True,
        LOCAL(2020, 2, 1, 11),
    )
    assert case.data["temperature"] == 36.5  # the 10:00 reading stays the current value
    assert case.last_checks["reading"] == LOCAL(2020, 2, 1, 10, 0)
    assert case.updated_at == LOCAL(2020, 2, 1, 10, 0)  # the case is not dated back, nor forward
    assert case.step == "observe" and not case.alerts
    assert watch.verify() == []  # the replay agrees, and the late entry is not out of order


def test_a_late_fever_escalates_now_when_the_case_has_not_moved_since(watch: Engine, clock: Clock) -> None:
    late_reading(watch, clock, "38.2")
    case = watch.case("L-1")
    assert case.step == "fever"
    escalation = events(case, "escalate")[-1]
    assert escalation.at == LOCAL(2020, 2, 1, 11, 0)  # now, when it was entered
    assert escalation.why is not None and datetime.fromisoformat(escalation.why["late_from"]) == LOCAL(
        2020, 2, 1, 9
    )
    assert watch.verify() == []


def test_a_late_fever_after_the_case_moved_on_raises_an_alert_and_does_not_rewind(
    watch: Engine, clock: Clock
) -> None:
    clock.now = LOCAL(2020, 2, 1, 10, 30)
    watch.fire("L-1", "hand_over", actor="护士", role="nurse")
    late_reading(watch, clock, "38.2")
    case = watch.case("L-1")
    assert case.step == "handover"
    assert [(a.kind, a.name) for a in case.alerts] == [("late_entry", "reading")]
    alert = case.alerts[0]
    assert set(alert.roles) == {"doctor", "nurse"}  # the escalation's alert_roles, the step's role
    assert alert.detail["would_have"] == "fever" and alert.detail["values"] == {"temperature": 38.2}
    assert [(i.kind, i.case_id) for i in watch.due(role="doctor")] == [("alert", "L-1")]
    clock.now = LOCAL(2020, 2, 1, 11, 5)
    watch.close_alert(alert.id, actor="李医生", role="doctor", note="已电话复测 36.6")
    assert not watch.case("L-1").alerts and watch.verify() == []


def test_a_late_check_the_case_did_not_owe_then_is_refused(watch: Engine, clock: Clock) -> None:
    clock.now = LOCAL(2020, 2, 1, 10, 30)
    watch.fire("L-1", "hand_over", actor="护士", role="nurse")
    clock.now = LOCAL(2020, 2, 1, 10, 50)
    watch.fire("L-1", "call", actor="护士", role="nurse")
    with pytest.raises(CaseError) as refused:
        watch.fire(
            "L-1",
            "reading",
            actor="护士",
            role="nurse",
            data={"temperature": "36.5"},
            at=LOCAL(2020, 2, 1, 10, 40),
        )
    assert refused.value.code == "case.late_check_not_owed"  # it exists, but was not owed then
    assert "Observe" not in str(refused.value) and "Handover" in str(refused.value)
    with pytest.raises(CaseError) as refused:
        watch.fire(
            "L-1",
            "reading",
            actor="护士",
            role="nurse",
            data={"temperature": "36.5"},
            at=LOCAL(2020, 2, 1, 7, 0),
        )
    assert refused.value.code == "case.late_before_start"
    assert len(watch.case("L-1").history) == 4  # nothing saved


def test_an_action_dated_before_the_last_entry_is_still_refused(watch: Engine, clock: Clock) -> None:
    clock.now = LOCAL(2020, 2, 1, 11, 0)
    with pytest.raises(CaseError) as refused:
        watch.fire("L-1", "hand_over", actor="护士", role="nurse", at=LOCAL(2020, 2, 1, 9, 30))
    assert refused.value.code == "case.late_action"
    assert "--note" in str(refused.value) and "case amend" in str(refused.value)
    assert watch.case("L-1").step == "observe"


def test_a_late_entry_on_the_command_line_is_marked_in_the_history(
    watch: Engine, clock: Clock, store_url: str
) -> None:
    clock.now = LOCAL(2020, 2, 1, 11, 0)
    now = clock.now.astimezone(TZ).strftime("%Y-%m-%d %H:%M:%S")
    env = {"SOPFLOW_LANG": "en", "SOPFLOW_ACTOR": "王芳", "SOPFLOW_NOW": now}

    def run(*args: str) -> str:
        result = CliRunner().invoke(cli, ["--flows", str(FLOWS), "--db", store_url, *args], env=env)
        assert result.exit_code == 0, result.output
        return result.output

    run(
        "case",
        "advance",
        "L-1",
        "reading",
        "--role",
        "nurse",
        "--set",
        "temperature=36.8",
        "--at",
        "2020-02-01 09:00",
    )
    lines = run("case", "history", "L-1", "--show-personal").splitlines()
    entered = [line for line in lines if "(entered 2020-02-01 11:00 by 王芳)" in line]
    assert len(entered) == 1 and "2020-02-01 09:00" in entered[0]
    late_row = lines.index(entered[0])
    assert late_row < next(i for i, line in enumerate(lines) if "2020-02-01 10:00" in line)  # time order
    said = CliRunner().invoke(
        cli,
        [
            *("--flows", str(FLOWS), "--db", store_url),
            *("case", "advance", "L-1", "hand_over", "--role", "nurse"),
            *("--at", "2020-02-01 09:30"),
        ],
        env=env,
    )
    assert said.exit_code != 0 and "case amend" in said.output and "Traceback" not in said.output
    assert [e.kind for e in watch.case("L-1").history][-1] is EventKind.CHECK


def test_escalate_alert_roles_must_be_roles_of_the_flow() -> None:
    text = (FLOWS / "late_watch.yaml").read_text().replace("alert_roles: [doctor]", "alert_roles: [doktor]")
    with pytest.raises(FlowError) as refused:
        load_shallow(text.encode(), "late_watch.yaml")
    found = [(p.code, p.location.line) for p in refused.value.problems]
    line = text.splitlines().index("          alert_roles: [doktor]") + 1
    assert found == [("ref.role", line)]
    flow, _ = load_shallow((FLOWS / "late_watch.yaml").read_bytes(), "late_watch.yaml")
    check = flow.steps["observe"].checks[0]
    assert check.escalate is not None and check.escalate.alert_roles == ("doctor",)


def test_a_late_conditional_check_must_have_been_owed_at_its_time(watch: Engine, clock: Clock) -> None:
    clock.now = LOCAL(2020, 2, 1, 10, 30)
    watch.fire("L-1", "reading", actor="护士", role="nurse", data={"temperature": "37.0"})
    clock.now = LOCAL(2020, 2, 1, 10, 50)
    watch.fire("L-1", "reading", actor="护士", role="nurse", data={"temperature": "36.9"})
    clock.now = LOCAL(2020, 2, 1, 11, 0)
    with pytest.raises(CaseError) as refused:  # at 10:15 the reading was 36.5: no recheck owed
        watch.fire("L-1", "recheck", actor="护士", role="nurse", at=LOCAL(2020, 2, 1, 10, 15))
    assert refused.value.code == "case.guard_false"
    watch.fire("L-1", "recheck", actor="护士", role="nurse", at=LOCAL(2020, 2, 1, 10, 40))
    assert events(watch.case("L-1"), "check")[-1].late
