"""What a list is filtered by: an unknown --flow, --step or --role is a typo to point out (with
a did-you-mean), not an empty list. Each may be given by id or by name (--step 异常发现)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import click

from sopflow.cases.arguments import MAX_LIMIT
from sopflow.cases.filter import CaseFilter
from sopflow.engine.runtime import Engine
from sopflow.errors import LookupFailed
from sopflow.language.catalog import FlowCatalog
from sopflow.store.registry import Registry

_UNKNOWN = {"step": "filter.unknown_step", "role": "filter.unknown_role"}


def check_filters(
    catalog: FlowCatalog, *, flow_id: str | None = None, step: str | None = None, role: str | None = None
) -> None:
    """LookupFailed if there is no flow `flow_id`, or no flow (`flow_id` if given) has `step` or
    `role` (by id or name). Meant for a list that came out empty: a name that cases in the store
    do have (of a flow since taken out of --flows, say) then never comes here."""
    if flow_id is None and step is None and role is None:
        return
    flow = catalog.load(flow_id).id if flow_id is not None else None  # refuses an unknown flow
    for kind, typed in (("step", step), ("role", role)):
        if typed is None:
            continue
        names = catalog.names(kind, flow)
        if names.find(typed) is None:
            raise LookupFailed(
                _UNKNOWN[kind],
                **{kind: typed},
                flows=catalog.flows_named(flow),
                suggestion=names.suggestion(typed),
            )


def place_filter(engine: Engine, place: str | None) -> str | None:
    """The path a --place means: a registry place by name or the end of its path (前郭镇, 东风社区/3号楼),
    or a place cases were given freely by its beginning; one that matches nothing is refused
    with a did-you-mean, not listed as 0 cases."""
    return Registry(engine.store).resolve_place(place) if place else None


@dataclass(frozen=True)
class ListChoice:
    """The case list's options as typed (`list_filter_options` gathers them)."""

    flow_id: str | None
    step: str | None
    role: str | None
    status: str | None
    place: str | None
    worker: str | None
    overdue: bool
    limit: int | None

    def filter(self, engine: Engine, now: datetime) -> CaseFilter:
        """The options as one filter (`case list` and `export` choose the same cases)."""
        return CaseFilter(
            flow_id=self.flow_id,
            step=self.step,
            role=self.role,
            status=self.status,
            place=place_filter(engine, self.place),
            worker=self.worker,
            due_before=now if self.overdue else None,
            limit=self.limit,
        )

    def check_empty(self, catalog: FlowCatalog) -> None:
        """For a list that came out empty: a typo in --flow, --step or --role is pointed out."""
        check_filters(catalog, flow_id=self.flow_id, step=self.step, role=self.role)


_CHOICE_FIELDS = tuple(f.name for f in fields(ListChoice))


STATUSES = ["active", "ended"]


def list_filter_options(*, limit: int | None) -> Callable[[Any], Any]:
    """The case list's options (--flow --step --role --status --place --worker --overdue --limit),
    for every command that chooses cases as `case list` does, handed to it as one `choice`
    (ListChoice); `limit`: its default (None: all)."""

    def add(command: Any) -> Any:
        options = [
            click.option("--flow", "flow_id", default=None, help="help.opt.flow_filter"),
            click.option("--step", default=None, help="help.opt.step_filter"),
            click.option("--role", default=None, help="help.opt.role_filter"),
            click.option(
                "--status", type=click.Choice(["active", "ended"]), default=None, help="help.opt.status"
            ),
            click.option("--place", default=None, help="help.opt.place_filter"),
            click.option("--worker", default=None, help="help.opt.worker"),
            click.option("--overdue", is_flag=True, help="help.opt.overdue"),
            click.option(
                "--limit",
                type=click.IntRange(1, MAX_LIMIT),
                default=limit,
                show_default=limit is not None,
                help="help.opt.limit",
            ),
        ]

        @functools.wraps(command)
        def gathered(**given: Any) -> Any:
            choice = ListChoice(**{name: given.pop(name) for name in _CHOICE_FIELDS})
            return command(choice=choice, **given)

        for option in reversed(options):  # listed in --help in this order
            gathered = option(gathered)
        return gathered

    return add
