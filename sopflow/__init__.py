"""sopflow: standard control procedures as YAML flows, stepped case by case, printed as charts."""

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
