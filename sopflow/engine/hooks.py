"""Hooks: code of the embedding program run after a case enters a step (an SMS, a phone call),
once the change is saved. A hook that fails stops nothing; it is handed to an error handler."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

from sopflow.cases.records import Case, Event
from sopflow.errors import LookupFailed
from sopflow.language.catalog import FlowCatalog
from sopflow.language.names import suggest

Hook = Callable[[Case, Event], None]
HookErrorHandler = Callable[[Case, Event, Exception], None]
Registered = tuple[str | None, str | None, Hook]  # flow (None: any), step (None: any), the hook

log = logging.getLogger("sopflow")


def log_hook_error(case: Case, event: Event, error: Exception) -> None:
    """The default for a hook that fails: logged with its traceback; the change stays saved."""
    log.error("hook failed for case %s entering %s", case.id, event.to_step, exc_info=error)


def check_hook_target(flows: FlowCatalog, step: str | None, flow: str | None) -> None:
    """LookupFailed for a flow or step that is not there: a misspelt name would never fire."""
    if step is None:
        if flow is not None:
            flows.load(flow)  # LookupFailed for a flow that is not there
        return
    loaded = [flows.load(flow)] if flow is not None else [flows.load(i) for i in flows.ids()]
    if not any(step in f.steps for f in loaded):
        known = sorted({s for f in loaded for s in f.steps})
        raise LookupFailed("hook.unknown_step", step=step, flow=flow or "*", suggestion=suggest(step, known))


def run_hooks(
    hooks: Sequence[Registered],
    cases: Mapping[str, Case],
    new_events: Mapping[str, Sequence[Event]],
    on_error: HookErrorHandler,
) -> None:
    """Every matching hook, in order of registration; one that raises is handed to `on_error`
    and the others still run (the change is saved already)."""
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
