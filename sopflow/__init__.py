"""sopflow: standard control procedures as YAML flows, stepped case by case, printed as charts."""

from sopflow.engine.cases import Case, CaseStatus, Event, EventKind
from sopflow.engine.catalog import FlowCatalog, builtin_flows
from sopflow.engine.loader import load_flow, load_flow_bytes
from sopflow.engine.model import Flow, Step, StepKind
from sopflow.engine.runtime import Clock, Discrepancy, Engine, Hook, HookErrorHandler
from sopflow.engine.schedule import DueItem
from sopflow.engine.stepper import Offer
from sopflow.engine.store import Store, open_store
from sopflow.errors import (
    CaseError,
    ConcurrentChange,
    FlowError,
    Location,
    LookupFailed,
    Problem,
    RenderError,
    SopflowError,
    StoreError,
)

__all__ = [
    "Case",
    "CaseError",
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
