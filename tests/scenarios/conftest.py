"""Fixtures of the issue-11 scenarios: the CLI on the scenario's store, and an engine whose
catalog holds the flows as they were before issue 11 (cases running on old versions)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from sopflow import Engine, FlowCatalog, Store
from tests.scenarios.helpers import Cli

if TYPE_CHECKING:
    from tests.conftest import Clock

OLD_FLOWS = Path(__file__).parent / "flows_2020_02"


@pytest.fixture
def sopflow_cli(store_url: str, clock: Clock, store: Store) -> Cli:
    """`sopflow ...` on the same store as `engine` (the store fixture creates its tables)."""
    return Cli(store_url, clock)


@pytest.fixture
def old_engine(store: Store, clock: Clock) -> Engine:
    """An engine that starts cases on the 2020.02 versions of the flows."""
    return Engine(store, flows=FlowCatalog([OLD_FLOWS]), clock=clock)
