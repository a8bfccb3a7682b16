"""The day's fixtures: the sample county's places (examples/county) in a real store, with the
small day of county.py played into it; and the command line on that store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sopflow.cli import cli
from sopflow.engine.runtime import Engine
from sopflow.intake.people import PeopleIntake
from sopflow.intake.places import PlacesIntake
from sopflow.intake.run import run_import
from tests.conftest import Clock
from tests.day.county import a_day

COUNTY = Path(__file__).parents[2] / "examples" / "county"
Run = Callable[..., Result]


@pytest.fixture
def county(engine: Engine, clock: Clock) -> Engine:
    run_import(engine.store, PlacesIntake(), COUNTY / "places.csv", lang="zh")
    run_import(engine.store, PeopleIntake(date(2020, 2, 1), "前郭县"), COUNTY / "people.csv", lang="zh")
    a_day(engine, clock)
    return engine


@pytest.fixture
def sopflow(county: Engine, store_url: str, monkeypatch: pytest.MonkeyPatch) -> Run:
    """`sopflow ARGS` on the county's store, as at the clock's time (2 Feb 2020 17:00)."""
    monkeypatch.setenv("SOPFLOW_DB", store_url)
    monkeypatch.setenv("SOPFLOW_NOW", "2020-02-02 17:00")
    monkeypatch.delenv("SOPFLOW_LANG", raising=False)

    def run(*args: str) -> Result:
        return CliRunner().invoke(cli, [*args, "--lang", "zh"], catch_exceptions=False)

    return run
