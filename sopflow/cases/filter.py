"""Which cases: one filter for the Engine, the store's query and the command line's options."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sopflow.cases.records import CaseStatus
from sopflow.errors import LookupFailed


@dataclass(frozen=True)
class CaseFilter:
    """Cases matching every filter given (None: any), by id: of a flow, at a step, whose step is a
    role's, "active" or "ended", at a place or below it (`前郭镇` takes `前郭镇/东风社区`),
    children of a case, with a deadline or check due (or a timer running out) before a moment.
    `limit` and `after_id` page through many. Each filter is one an index serves."""

    flow_id: str | None = None
    step: str | None = None
    role: str | None = None
    status: str | None = None
    place: str | None = None
    parent_id: str | None = None
    due_before: datetime | None = None
    timer_before: datetime | None = None
    limit: int | None = None
    after_id: str | None = None

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in CaseStatus.__members__.values():
            raise LookupFailed("case.bad_status", status=self.status, statuses=", ".join(CaseStatus))

    def given(self) -> dict[str, object]:
        """The filters that are set, by name (for messages and logs)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}
