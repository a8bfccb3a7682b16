"""Hooks: code of the embedding program run after a case enters a step (an SMS, a phone call),
once the change is saved. A hook that fails stops nothing; it is handed to an error handler."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

from sopflow.cases.records import Case, Event
from sopflow.errors import LookupFailed
from sopflow.language.catalog import FlowCatalog

Hook = Callable[[Case, Event], None]
HookErrorHandler = Callable[[Case, Event, Exception], None]
Registered = tuple[str | None, str | None, Hook]  # flow (None: any), step (None: any), the hook

log = logging.getLogger("sopflow")


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
