"""sopflow: standard control procedures as YAML flows, stepped case by case, printed as charts.

The public names are imported on first use (PEP 562), so that `sopflow case advance` loads only
what stepping a case needs, not the flow checker (networkx, jsonschema) or the printers."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sopflow.cases.filter import CaseFilter
    from sopflow.cases.records import Case, CaseStatus, ConcurrentChange, Event, EventKind
    from sopflow.engine.amending import PathWouldChange
    from sopflow.engine.changes import Offer
    from sopflow.engine.runtime import Clock, Engine, Hook, HookErrorHandler
    from sopflow.engine.schedule import DueItem
    from sopflow.engine.verify import Discrepancy
    from sopflow.errors import (
        ArgumentError,
        CaseError,
        FlowError,
        Location,
        LookupFailed,
        Problem,
        RenderError,
        SopflowError,
        StoreError,
    )
    from sopflow.language.catalog import FlowCatalog, builtin_flows, load_flow, load_flow_bytes
    from sopflow.language.model import Flow, Step, StepKind
    from sopflow.store.store import Store, open_store

_HOMES = {
    "sopflow.cases.filter": ("CaseFilter",),
    "sopflow.cases.records": ("Case", "CaseStatus", "ConcurrentChange", "Event", "EventKind"),
    "sopflow.engine.amending": ("PathWouldChange",),
    "sopflow.engine.changes": ("Offer",),
    "sopflow.engine.runtime": ("Clock", "Engine", "Hook", "HookErrorHandler"),
    "sopflow.engine.schedule": ("DueItem",),
    "sopflow.engine.verify": ("Discrepancy",),
    "sopflow.errors": (
        "ArgumentError",
        "CaseError",
        "FlowError",
        "Location",
        "LookupFailed",
        "Problem",
        "RenderError",
        "SopflowError",
        "StoreError",
    ),
    "sopflow.language.catalog": ("FlowCatalog", "builtin_flows", "load_flow", "load_flow_bytes"),
    "sopflow.language.model": ("Flow", "Step", "StepKind"),
    "sopflow.store.store": ("Store", "open_store"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    """A public name, imported from its module the first time it is asked for."""
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'sopflow' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


__all__ = [
    "ArgumentError",
    "Case",
    "CaseError",
    "CaseFilter",
    "CaseStatus",
    "Clock",
    "ConcurrentChange",
    "Discrepancy",
    "DueItem",
    "Engine",
    "Event",
    "EventKind",
    "Flow",
    "FlowCatalog",
    "FlowError",
    "Hook",
    "HookErrorHandler",
    "Location",
    "LookupFailed",
    "Offer",
    "PathWouldChange",
    "Problem",
    "RenderError",
    "SopflowError",
    "Step",
    "StepKind",
    "Store",
    "StoreError",
    "builtin_flows",
    "load_flow",
    "load_flow_bytes",
    "open_store",
]
