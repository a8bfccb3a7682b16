"""sopflow: standard control procedures as YAML flows, stepped case by case, printed as charts."""

from sopflow.engine.catalog import FlowCatalog, builtin_flows
from sopflow.engine.loader import load_flow, load_flow_bytes
from sopflow.engine.model import Flow, Step, StepKind
from sopflow.errors import (
    CaseError,
    FlowError,
    Location,
    LookupFailed,
    Problem,
    RenderError,
    SopflowError,
    StoreError,
)

__all__ = [
    "CaseError",
    "Flow",
    "FlowCatalog",
    "FlowError",
    "Location",
    "LookupFailed",
    "Problem",
    "RenderError",
    "SopflowError",
    "Step",
    "StepKind",
    "StoreError",
    "builtin_flows",
    "load_flow",
    "load_flow_bytes",
]
