"""What a list is filtered by: an unknown --flow, --step or --role is a typo to point out (with
a did-you-mean), not an empty list."""

from __future__ import annotations

from sopflow.engine.runtime import Engine
from sopflow.errors import FlowError, LookupFailed
from sopflow.language.catalog import FlowCatalog
from sopflow.language.model import Flow
from sopflow.language.names import suggest
from sopflow.store.registry import Registry


def check_filters(
    catalog: FlowCatalog, *, flow_id: str | None = None, step: str | None = None, role: str | None = None
) -> None:
    """LookupFailed if there is no flow `flow_id`, or no flow (`flow_id` if given) has `step` or
    `role`. Meant for a list that came out empty: a name that cases in the store do have (of a
    flow since taken out of --flows, say) then never comes here."""
    if flow_id is None and step is None and role is None:
        return
    flows = _loadable(catalog, [flow_id] if flow_id is not None else sorted(catalog.ids()))
    where = ", ".join(f.id for f in flows)
    if step is not None:
        steps = sorted({s for f in flows for s in f.steps})
        if step not in steps:
            raise LookupFailed(
                "filter.unknown_step", step=step, flows=where, suggestion=_closest(step, steps)
            )
    if role is not None:
        roles = sorted({r for f in flows for r in f.roles})
        if role not in roles:
            raise LookupFailed(
                "filter.unknown_role", role=role, flows=where, suggestion=_closest(role, roles)
            )


def _loadable(catalog: FlowCatalog, flow_ids: list[str]) -> list[Flow]:
    """The flows that load, each checked on its own (quicker; the steps and roles are the same): a
    broken file in --flows has no steps to match (validate says why). An unknown id is refused."""
    flows = []
    for flow_id in flow_ids:
        try:
            flow = catalog.shallow(flow_id)
        except FlowError:
            continue
        if flow is None:
            catalog.load(flow_id)  # raises LookupFailed naming the flows there are
            continue
        flows.append(flow)
    return flows


def _closest(word: str, names: list[str]) -> str:
    """The one name `word` abbreviates (home_obs: home_observation) or is part of (doctor:
    community_doctor), else the closest spelling."""
    for found in ([n for n in names if n.startswith(word)], [n for n in names if word in n]):
        if len(found) == 1:
            return found[0]
    return suggest(word, names)


def place_filter(engine: Engine, place: str | None) -> str | None:
    """The path a --place means: a registry place by name or the end of its path (前郭镇, 东风社区/3号楼),
    or a place cases were given freely by its beginning; one that matches nothing is refused
    with a did-you-mean, not listed as 0 cases."""
    return Registry(engine.store).resolve_place(place) if place else None
