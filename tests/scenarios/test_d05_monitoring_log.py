"""Issue 11, defect 5: the monitoring log is self-declared.

Release approval went ahead with 2 readings in 10 days because the doctor set `log_complete=是`;
the case sheet does not list missed checks. Safe: the release review reads the real log (a rule
on the history: how many readings were missed); the case shows the count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sopflow import Engine
from tests.scenarios.helpers import LOCAL, Cli, fire_offered, place_at_home, record_readings

if TYPE_CHECKING:
    from tests.conftest import Clock


def test_two_readings_in_fourteen_days_do_not_pass_the_release_review(
    engine: Engine, clock: Clock, sopflow_cli: Cli
) -> None:
    place_at_home(engine, "K-0005")  # 2020-02-01 09:00, basis 2020-01-31: the period ends 02-15 00:00
    record_readings(engine, clock, "K-0005", [LOCAL(2020, 2, 2, 8), LOCAL(2020, 2, 11, 16)])
    clock.now = LOCAL(2020, 2, 15, 0, 1)
    engine.tick()
    clock.now = LOCAL(2020, 2, 15, 10, 0)
    case = fire_offered(
        engine,
        "K-0005",
        "reviewed",
        actor="李医生",
        role="community_doctor",
        candidates={"log_complete": "是", "temperature": "36.4", "symptoms": "no"},
    )
    assert case.step == "observation_extended", "released on a log declared complete"

    shown = sopflow_cli.json("case", "show", "K-0005")
    checks = {c["name"]: c for c in shown["checks"]}
    temperature = checks["temperature_check"]
    assert temperature["recorded"] == 2
    assert temperature["missed"] >= 20  # 27 morning and afternoon slots from 02-01 15:00 to 02-14
    text = sopflow_cli("case", "show", "K-0005").output
    assert "missed" in text.lower()


def test_the_doctor_no_longer_declares_the_log_complete(engine: Engine, clock: Clock) -> None:
    place_at_home(engine, "K-0005")
    clock.now = LOCAL(2020, 2, 15, 0, 1)
    engine.tick()
    review = next(o for o in engine.offers("K-0005") if o.name == "reviewed")
    assert "log_complete" not in (*review.requires, *review.accepts)
