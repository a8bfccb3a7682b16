"""Which cases: one filter for the Engine, the store's query and the command line's options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from sopflow.cases import arguments
from sopflow.cases.inputs import has_control
from sopflow.cases.records import CaseStatus
from sopflow.errors import ArgumentError, LookupFailed


@dataclass(frozen=True)
class CaseFilter:
    """Cases matching every filter given (None: any), by id: of a flow, at a step, whose step is a
    role's, "active" or "ended", at a place or below it (`前郭镇` takes `前郭镇/东风社区`),
    children of a case, looked after by a named worker (`worker`), with a deadline or check due
    (or a timer running out) before a moment.
    `limit` and `after_id` page through many. Each filter is one an index serves."""

    flow_id: str | None = None
    step: str | None = None
    role: str | None = None
    status: str | None = None
    place: str | None = None
    parent_id: str | None = None
    worker: str | None = None
    due_before: datetime | None = None
    timer_before: datetime | None = None
    limit: int | None = None
    after_id: str | None = None

    def __post_init__(self) -> None:
        """A filter of the wrong kind (a number for a flow id, text for a limit) is refused by
        name: it would match nothing, or everything."""
        for name in _TEXTS:
            value = arguments.optional_text(name, getattr(self, name))
            if value is not None and has_control(value):  # no case has it; no database takes it
                raise LookupFailed("filter.control_char", name=name)
        for name in ("due_before", "timer_before"):
            arguments.moment(name, getattr(self, name))
        arguments.limit("limit", self.limit)
        if self.status is not None and self.status not in CaseStatus.__members__.values():
            raise LookupFailed("case.bad_status", status=self.status, statuses=", ".join(CaseStatus))

    @classmethod
    def given_as(cls, where: object, filters: Mapping[str, Any]) -> CaseFilter:
        """`where` (a CaseFilter, or None) with the filters given by name added; a name that is
        no filter is refused by name, as is a filter of the wrong kind."""
        ArgumentError.check_optional("where", where, CaseFilter, "expected.filter")
        names = [f.name for f in fields(cls)]
        for name in filters:
            if name not in names:
                raise ArgumentError("argument.unknown", name=name, call="cases", names=", ".join(names))
        return replace(where if isinstance(where, CaseFilter) else cls(), **filters)

    def given(self) -> dict[str, object]:
        """The filters that are set, by name (for messages and logs)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


_TEXTS = ("flow_id", "step", "role", "status", "place", "parent_id", "after_id")
