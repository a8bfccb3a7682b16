"""Fixtures for the trust tests (issue 12): the small `watch` flow, a clock that ticks on every
reading, and a CLI runner on the test's store.

Only sopflow's public API is used here (the package is being re-laid out underneath)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sopflow import Engine, FlowCatalog, Store, builtin_flows, open_store
from sopflow.cli import cli

DATA = Path(__file__).parent / "data"
BUILTIN = Path(builtin_flows()["key_person_control"].source_path).parent
T0 = datetime(2020, 2, 1, 1, 0, tzinfo=UTC)  # 09:00 in Qian Gorlos, as tests/conftest.py's clock
NOW_TEXT = "2020-02-01 09:00"  # T0 as SOPFLOW_NOW, local time
REQUEST = {"household_id": "H-1", "address": "前郭镇东风社区3号楼2单元501"}


@cache
def catalog() -> FlowCatalog:
    """The trust flows (watch) and the built-in ones, read once for all the tests."""
    return FlowCatalog([DATA, BUILTIN])


class TickingClock:
    """A clock that moves on 1 ms every time it is read, safely from many threads: what the wall
    clock does between one change reading it and the next."""

    def __init__(self, start: datetime = T0) -> None:
        self._ticks = itertools.count()
        self._lock = threading.Lock()
        self.start = start

    def __call__(self) -> datetime:
        with self._lock:
            return self.start + timedelta(milliseconds=next(self._ticks))


@pytest.fixture
def ticking_clock() -> TickingClock:
    return TickingClock()


@pytest.fixture
def trust_engine(store: Store, clock: Callable[[], datetime]) -> Engine:
    """An Engine on the test's store (SQLite and PostgreSQL) that knows the watch flow too."""
    return Engine(store, flows=catalog(), clock=clock)


@pytest.fixture
def local_engine(tmp_path: Path, clock: Callable[[], datetime]) -> Iterator[Engine]:
    """An Engine on a SQLite file, for checks of input that do not depend on the database."""
    store = open_store(f"sqlite:///{tmp_path}/local.db")
    yield Engine(store, flows=catalog(), clock=clock)
    store.close()


Run = Callable[..., Result]


@pytest.fixture
def sopflow(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Run:
    """`sopflow ARGS...` through click's runner on a SQLite file, in English, as 王芳 at T0, with
    the trust flows in --flows. `env=` adds or overrides variables (None removes one)."""
    monkeypatch.setenv("SOPFLOW_LANG", "en")
    monkeypatch.setenv("SOPFLOW_DB", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("SOPFLOW_ACTOR", "王芳")
    monkeypatch.setenv("SOPFLOW_NOW", NOW_TEXT)
    monkeypatch.setenv("SOPFLOW_FLOWS", str(DATA))
    monkeypatch.delenv("SOPFLOW_ROLE", raising=False)
    runner = CliRunner()

    def run(*args: str, env: dict[str, str | None] | None = None) -> Result:
        return runner.invoke(cli, list(args), env=env)

    return run


def assert_clean_failure(result: Result, *names: str, codes: Sequence[int] = (1, 2)) -> None:
    """A refusal as the CLI should give it: exit 1 or 2, no traceback, and (if given) one of
    `names` (the option, file or case) in what it says."""
    raised = result.exception
    assert raised is None or isinstance(raised, SystemExit), f"raised {raised!r}"
    assert result.exit_code in codes, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    if names:
        assert any(name in result.output for name in names), result.output
