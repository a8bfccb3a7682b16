"""The Engine's units of work: a single change (`_change`), and bulk changes, many cases changed
in one transaction with everything a single change does: a tick runs out timers in batches, and
an import writes a sheet's rows in batches in a transaction it holds.

Why a public seam: an import used to call the Engine's private parts and, doing so, skipped two
things a change made through `start` or `fire` does: the flow versions a child case needs were
not saved (the child's row then pointed at a flow version the store did not hold), and the
`on_enter` hooks a library user registered never ran for imported cases. A bulk change is
`stage` for each case, `save_staged` inside the caller's transaction, then `after_commit` once
the transaction has committed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sopflow.cases import arguments
from sopflow.cases.filter import CaseFilter
from sopflow.cases.records import Case, ConcurrentChange, with_history
from sopflow.engine.changes import Result
from sopflow.engine.hooks import HookErrorHandler, Registered, check_hook_depth, run_hooks
from sopflow.engine.stepper import Stepper
from sopflow.engine.work import Work
from sopflow.errors import CaseError, LookupFailed
from sopflow.store.queries import ids_matching

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from sopflow.language.model import Flow
    from sopflow.store.store import Store


TICK_BATCH = 200  # cases a tick runs in one transaction


class Bulk:
    """Engine methods that change many cases in one transaction: a tick, and an import's batch
    (in the caller's transaction)."""

    if TYPE_CHECKING:  # the Engine's own parts these methods use
        store: Store
        on_hook_error: HookErrorHandler
        _hooks: list[Registered]

        def _effects(self, work: Work, result: Result) -> None: ...
        def _stepper(self, flow: Flow) -> Stepper: ...
        def _now(self, at: datetime | None) -> datetime: ...
        def _not_ahead(self, at: datetime | None) -> datetime: ...
        def case(self, case_id: str) -> Case: ...
        def _read(self, work: Work, case_id: str) -> Case: ...
        def cases(self, where: CaseFilter | None = None, /, **filters: Any) -> list[Case]: ...

    def _change(self, compute: Callable[[Work], str]) -> Case:
        """Read, compute and save a change in one write transaction. Each saved case must still
        have the seq it was read with (UPDATE ... WHERE seq = :read): on PostgreSQL, where two
        transactions can read the same row at once, that is what lets exactly one of them win.

        On PostgreSQL the change is first worked out on the cases as they are, unlocked, and
        saved only if none of them changed meanwhile. Locking each case before reading it cost a
        round trip of its own on every change (a lock and a read in one statement read a case's
        alerts as they were before the change it waited for: see store/alertrows.py). Only when
        another change came in between (a case it saves or read was changed, or it was refused
        on a case that moved on meanwhile) is it worked out again with the cases locked,
        queueing behind the other as it did before; so it is never refused for that. A hook that changes
        a case again and again is stopped here (see hooks.MAX_HOOK_DEPTH)."""
        check_hook_depth()
        work, main_id, conflicts = self._attempt(compute, lock=self.store.is_sqlite)
        if conflicts and not work.lock and work.read_seq(conflicts[0]) is not None:
            work, main_id, conflicts = self._attempt(compute, lock=True)
        if conflicts:
            clash = conflicts[0]
            if work.read_seq(clash) is None:  # someone created a case with this id meanwhile
                raise CaseError("case.exists", case=clash)
            current = self.case(clash)
            raise ConcurrentChange("case.changed", current=current, case=clash, seq=current.seq)
        self.after_commit(work)
        main = work.current[main_id]
        fresh = len(work.new_events.get(main_id, ()))
        if len(main.history) == fresh:
            return main
        return with_history(main, main.history[len(main.history) - fresh :])  # as for every flow

    def _attempt(self, compute: Callable[[Work], str], *, lock: bool) -> tuple[Work, str, list[str]]:
        """One try at a change: the work, the main case's id, and the cases someone else
        changed or made meanwhile (then nothing was saved)."""
        with self.store.writing() as conn:
            work = Work(conn, lock=lock)
            try:
                main_id = compute(work)
            except (CaseError, LookupFailed):
                # refused on cases read unlocked: if one moved on meanwhile (two cases read
                # either side of another's commit), the refusal may be of no state that was ever
                # stored; try again on the cases as they are
                moved = [] if lock else self.store.changed_since(conn, work.read_seqs())
                if not moved:
                    raise
                conn.rollback()
                return work, "", moved
            conflicts = self.save_staged(conn, work)
            if not conflicts and not lock:
                conflicts = self.store.changed_since(conn, work.only_read())
            if conflicts:
                conn.rollback()
        return work, main_id, conflicts

    def tick(self, now: datetime | None = None, *, limit: int | None = None) -> list[Case]:
        """Run out every timer that is due by `now`; returns the cases that moved. Cases are
        run in batches of TICK_BATCH, one transaction each (a transaction per case cost a disk
        flush per case on SQLite: a county's morning tick of thousands of cases took minutes);
        a batch that fails in any way is run again case by case, so one case that fails, or
        that someone moved meanwhile, does not stop the others, and hooks run after each
        commit. `now` may not be ahead of the clock (a timer run out early cannot be undone),
        except in a drill store."""
        now = self._not_ahead(arguments.moment("now", now))
        wanted = CaseFilter(timer_before=now, limit=limit)
        with self.store.reading() as conn:  # ids only: each case is read whole when it is changed
            due = ids_matching(conn, wanted, sqlite=self.store.is_sqlite)
        moved: list[Case] = []
        for first in range(0, len(due), TICK_BATCH):
            batch = due[first : first + TICK_BATCH]  # in id order: two ticks lock rows alike
            try:
                moved += self._tick_batch(batch, now)
            except Exception:
                moved += [case for case_id in batch if (case := self._tick_one(case_id, now)) is not None]
        return moved

    def _tick_batch(self, case_ids: list[str], now: datetime) -> list[Case]:
        """Run out the timers of `case_ids` in one transaction; ConcurrentChange if any case was
        changed or made meanwhile (then nothing of the batch is saved)."""
        check_hook_depth()
        with self.store.writing() as conn:
            work = Work(conn)
            work.fetched.update(self.store.cases_to_change(conn, case_ids))  # for `_read` to take
            moved = [case_id for case_id in case_ids if self._run_timers(work, case_id, now)]
            conflicts = self.save_staged(conn, work)
            if conflicts:
                conn.rollback()
                raise ConcurrentChange("case.changed", current=None, case=conflicts[0], seq=0)
        self.after_commit(work)
        return [work.current[case_id] for case_id in moved]

    def _tick_one(self, case_id: str, now: datetime) -> Case | None:
        moved: list[bool] = []

        def change(work: Work) -> str:
            moved.append(self._run_timers(work, case_id, now))
            return case_id

        try:
            case = self._change(change)
        except ConcurrentChange:
            return None  # someone moved it meanwhile; the next tick looks again
        return case if moved[-1] else None

    def _run_timers(self, work: Work, case_id: str, now: datetime) -> bool:
        """Run out the case's timers due by `now` in `work` (a timer's step may have one due
        too); whether the case moved."""
        case = self._read(work, case_id)
        stepper = self._stepper(self.store.flow(work.conn, case.flow_id, case.flow_digest))
        result = stepper.run_timers(case, now)
        moved = False
        while result is not None:
            moved = True
            self.stage(work, result, stepper)
            result = stepper.run_timers(work.current[case_id], now)
        return moved

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
