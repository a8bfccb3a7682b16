"""Hooks: code of the embedding program run after a case enters a step (an SMS, a phone call),
once the change is saved. A hook that fails stops nothing; it is handed to an error handler."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence

from sopflow.cases.records import Case, Event
from sopflow.errors import CaseError, LookupFailed
from sopflow.language.catalog import FlowCatalog

Hook = Callable[[Case, Event], None]
HookErrorHandler = Callable[[Case, Event, Exception], None]
Registered = tuple[str | None, str | None, Hook]  # flow (None: any), step (None: any), the hook

log = logging.getLogger("sopflow")
# A hook may change a case itself (release at once on entering review), and that change runs its
# hooks too. Hooks nested deeper than this are a loop (a hook re-entering the step it runs on):
# the change that would go deeper is refused, and the refusal goes to on_hook_error.
MAX_HOOK_DEPTH = 8
_running = threading.local()  # how deep in hooks this thread is


def log_hook_error(case: Case, event: Event, error: Exception) -> None:
    """The default for a hook that fails: logged with its traceback; the change stays saved."""
    log.error("hook failed for case %s entering %s", case.id, event.to_step, exc_info=error)


def check_hook_target(
    flows: FlowCatalog, step: str | None, flow: str | None
) -> tuple[str | None, str | None]:
    """The flow and step ids a hook is for (each given by id or name: 重点人员管控, 异常发现);
    LookupFailed for a flow or step that is not there: a misspelt name would never fire."""
    flow_id = None if flow is None else flows.load(flow).id  # LookupFailed for a flow not there
    if step is None:
        return flow_id, None
    names = flows.names("step", flow_id)
    step_id = names.find(step)
    if step_id is None:
        raise LookupFailed(
            "hook.unknown_step", step=step, flow=flow_id or "*", suggestion=names.suggestion(step)
        )
    return flow_id, step_id


def run_hooks(
    hooks: Sequence[Registered],
    cases: Mapping[str, Case],
    new_events: Mapping[str, Sequence[Event]],
    on_error: HookErrorHandler,
) -> None:
    """Every matching hook, in order of registration; one that raises is handed to `on_error`
    and the others still run (the change is saved already)."""
    _running.depth = hook_depth() + 1
    try:
        _run(hooks, cases, new_events, on_error)
    finally:
        _running.depth -= 1


def hook_depth() -> int:
    """How many hooks this thread is inside (0: a change not made by a hook)."""
    depth: int = getattr(_running, "depth", 0)
    return depth


def check_hook_depth() -> None:
    """CaseError for a change a hook makes deeper than MAX_HOOK_DEPTH hooks: a loop."""
    if hook_depth() > MAX_HOOK_DEPTH:
        raise CaseError("hook.too_deep", limit=MAX_HOOK_DEPTH)


def _run(
    hooks: Sequence[Registered],
    cases: Mapping[str, Case],
    new_events: Mapping[str, Sequence[Event]],
    on_error: HookErrorHandler,
) -> None:
    for case_id, new in new_events.items():
        case = cases[case_id]
        for event in new:
            if event.to_step is None:
                continue
            for flow, step, hook in hooks:
                if (flow is None or flow == case.flow_id) and (step is None or step == event.to_step):
                    try:
                        hook(case, event)
                    except Exception as error:
                        on_error(case, event, error)
