"""The checked-flow cache: a flow read back from JSON is the flow that was checked, guards and all;
an entry is used only for the same source and the same checks, and a damaged one is ignored."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from sopflow import FlowCatalog, builtin_flows, load_flow_bytes
from sopflow.language import flowcache
from sopflow.language.frozen import NotFrozenFlow, flow_from_json, flow_to_json
from sopflow.language.model import Flow

DATA = Path(__file__).parent.parent / "trust" / "data"
NOW = datetime(2020, 2, 3, 8, 0)


def _flows() -> list[Flow]:
    trust = FlowCatalog([DATA])
    return [*builtin_flows().values(), *(trust.load(flow_id) for flow_id in sorted(trust.ids()))]


def _guards(flow: Flow) -> list[object]:
    steps = flow.steps.values()
    return [
        *(a.guard for s in steps for a in s.actions if a.guard),
        *(b.guard for s in steps for b in s.branches if b.guard),
        *(c.escalate.guard for s in steps for c in s.checks if c.escalate),
    ]


@pytest.mark.parametrize("flow", _flows(), ids=lambda f: f.id)
def test_a_flow_read_back_is_the_flow_checked(flow: Flow) -> None:
    again = flow_from_json(json.loads(json.dumps(flow_to_json(flow))), flow.source_text, flow.source_path)
    assert again == flow
    assert again.digest == flow.digest
    assert dict(again.guard_trees) == dict(flow.guard_trees)
    assert sorted(again.graph.edges(keys=True)) == sorted(flow.graph.edges(keys=True))
    samples: list[dict[str, object]] = [
        {},
        {"temperature": 38.5, "symptoms": False},
        {"temperature": 36.5, "symptoms": True},
    ]
    for before, after in zip(_guards(flow), _guards(again), strict=True):
        for data in samples:
            values: dict[str, object] = {name: data.get(name, 1) for name in before.names}  # type: ignore[attr-defined]
            params = {k: p.value for k, p in flow.params.items()}
            assert _outcome(before, values, params) == _outcome(after, values, params)


def _outcome(guard: object, data: dict[str, object], params: dict[str, object]) -> object:
    try:
        return guard.holds(data, params, NOW)  # type: ignore[attr-defined]
    except Exception as error:
        return type(error).__name__, str(error)


@pytest.mark.parametrize(
    "data", [{}, {"format": 99, "flow": {}}, {"format": 1, "flow": {"id": {"$x": 1}}}, []]
)
def test_data_that_is_not_a_frozen_flow_is_refused(data: object) -> None:
    with pytest.raises(NotFrozenFlow):
        flow_from_json(data, "", "")


def test_an_entry_is_used_for_the_same_source_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOPFLOW_CACHE", str(tmp_path))
    source = builtin_flows()["supply_request"].source_text
    first = load_flow_bytes(source.encode(), "a.yaml")
    entries = list(tmp_path.iterdir())  # this flow and the ones it names (its child flows)
    assert any(entry.name.startswith(first.digest) for entry in entries)
    again = load_flow_bytes(source.encode(), "b.yaml")  # read back from the entry
    assert again == replace(first, source_path="b.yaml")
    changed = re.sub(r'^version: ".*"$', 'version: "2099.01.1"', source, count=1, flags=re.M)
    assert changed != source
    assert load_flow_bytes(changed.encode(), "a.yaml").version == "2099.01.1"
    assert len(list(tmp_path.iterdir())) == len(entries) + 1


def test_a_cache_that_cannot_be_written_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("SOPFLOW_CACHE", str(tmp_path / "file" / "cache"))
    flow = builtin_flows()["supply_request"]
    assert load_flow_bytes(flow.source_text.encode(), "a.yaml") == replace(flow, source_path="a.yaml")


def test_the_cache_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOPFLOW_CACHE", "off")
    assert flowcache.cache_dir() is None


def test_a_flow_with_warnings_is_kept_and_its_warnings_shown_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A county's format-1 flow warns (a task without a deadline) and is still read from the
    cache: before, such a flow was checked again by every command (networkx, jsonschema...)."""
    monkeypatch.setenv("SOPFLOW_CACHE", str(tmp_path / "cache"))
    source = (DATA / "watch.yaml").read_bytes()
    checked = load_flow_bytes(source, "watch.yaml")
    assert [w.code for w in checked.warnings] == ["step.no_deadline"]
    digest = hashlib.sha256(source).hexdigest()
    assert any(e.name.startswith(digest) for e in (tmp_path / "cache").iterdir())
    again = load_flow_bytes(source, "county/watch.yaml")
    assert again == replace(checked, source_path="county/watch.yaml")
    assert [(str(w.location), w.message("en")) for w in again.warnings] == [
        (f"county/{w.location}", w.message("en")) for w in checked.warnings
    ]
