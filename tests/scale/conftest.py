"""The trust tests' fixtures (the `watch` flow, a CLI runner on the test's store), for issue 15."""

from __future__ import annotations

from ..trust.conftest import sopflow

__all__ = ["sopflow"]
