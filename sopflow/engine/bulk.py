"""The Engine's bulk changes: many cases changed in one transaction the caller holds (an import
writes a sheet's rows in batches), with everything a single change does.

Why a public seam: an import used to call the Engine's private parts and, doing so, skipped two
things a change made through `start` or `fire` does: the flow versions a child case needs were
not saved (the child's row then pointed at a flow version the store did not hold), and the
`on_enter` hooks a library user registered never ran for imported cases. A bulk change is
`stage` for each case, `save_staged` inside the caller's transaction, then `after_commit` once
the transaction has committed."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sopflow.engine.changes import Result
from sopflow.engine.hooks import HookErrorHandler, Registered, run_hooks
from sopflow.engine.stepper import Stepper
from sopflow.engine.work import Work

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from sopflow.language.model import Flow
    from sopflow.store.store import Store


class Bulk:
    """Engine methods for changing many cases in one transaction of the caller's."""

    if TYPE_CHECKING:  # the Engine's own parts these methods use
        store: Store
        on_hook_error: HookErrorHandler
        _hooks: list[Registered]

        def _effects(self, work: Work, result: Result) -> None: ...
        def _stepper(self, flow: Flow) -> Stepper: ...
        def _now(self, at: datetime | None) -> datetime: ...

    def stepper(self, flow: Flow) -> Stepper:
        """The rules of `flow` as the Engine applies them (one per flow version, kept)."""
        return self._stepper(flow)

    def now(self) -> datetime:
        """The Engine's clock, in UTC."""
        return self._now(None)

    def stage(self, work: Work, result: Result, stepper: Stepper) -> None:
        """Keep one case's change in `work`, with what its flow does at once to other cases (a
        child case started, a parent told, a signal sent), as `start` and `fire` do."""
        work.record(result, stepper)
        self._effects(work, result)

    def save_staged(self, conn: Connection, work: Work) -> list[str]:
        """Save the staged cases in the caller's transaction `conn`, the flow versions they use
        first. Returns the ids of cases someone else changed or created meanwhile: the caller
        must then roll back (nothing of the batch may be kept)."""
        writes = work.writes()
        if not writes:
            return []
        for flow in _flows_of(work):
            self.store.save_flow(conn, flow)
        return self.store.write(conn, writes)

    def after_commit(self, work: Work) -> None:
        """Once the transaction that saved `work` committed: the flow versions are known to be
        saved, and the `on_enter` hooks run for the steps the cases entered."""
        self.store.saved(_flows_of(work))
        run_hooks(self._hooks, work.current, work.new_events, self.on_hook_error)


def _flows_of(work: Work) -> list[Flow]:
    """The flow versions of the cases in `work`, each once."""
    return list({s.flow.digest: s.flow for s in work.steppers.values()}.values())
