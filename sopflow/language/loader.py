"""load_flow: from a file to a checked, immutable Flow with its graph, or a FlowError listing all."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path as FilePath
from types import MappingProxyType
from typing import Any

import networkx as nx

from sopflow.errors import FlowError, Location, Problem
from sopflow.language.builder import FlowBuilder
from sopflow.language.catalog import FlowCatalog, default_catalog
from sopflow.language.checks import check_graph
from sopflow.language.graph import build_graph
from sopflow.language.model import Flow, StepKind
from sopflow.language.names import suggest
from sopflow.language.problems import ProblemSink
from sopflow.language.schema import schema_findings
from sopflow.language.yamlsource import SourceMap, YamlProblem, load_marked

MAX_FILE_BYTES = 2_000_000


def load_flow(path: str | FilePath, catalog: FlowCatalog | None = None) -> Flow:
    """Load and check the flow file at `path`.

    Child flows named by subflow steps and signals are looked up in `catalog`, by default the
    file's own folder and then the built-in flows. Raises FlowError with every problem found.
    """
    file = FilePath(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        problem = Problem("file.unreadable", Location(str(file)), {"detail": exc.strerror or str(exc)})
        raise FlowError([problem]) from None
    if catalog is None:
        catalog = default_catalog(file.parent)
    return load_flow_bytes(raw, str(file), catalog)


def load_flow_bytes(raw: bytes, filename: str, catalog: FlowCatalog | None = None) -> Flow:
    """Like load_flow, for bytes already read (tests, uploads, the store's saved versions)."""
    flow, source_map = load_shallow(raw, filename)
    sink = ProblemSink(filename, source_map)
    _cross_check(flow, catalog or default_catalog(None), sink)
    if sink.has_errors:
        raise FlowError([*sink.problems, *flow.warnings])
    if sink.problems:
        flow = _with_warnings(flow, (*flow.warnings, *sink.problems))
    return flow


def load_shallow(raw: bytes, filename: str) -> tuple[Flow, SourceMap]:
    """Everything one file can be checked for on its own (no other flows needed)."""
    text = _decode(raw, filename)
    try:
        data, source_map = load_marked(text)
    except YamlProblem as problem:
        location = Location(filename, problem.line, problem.column)
        raise FlowError([Problem(problem.code, location, problem.params)]) from None
    sink = ProblemSink(filename, source_map)
    findings = schema_findings(data)
    for finding in findings:
        sink.add(finding.code, finding.path, on_key=finding.on_key, **finding.params)
    if findings and not isinstance(data, dict):
        raise FlowError(sink.problems)
    # Even a misshapen file gets its references, durations and guards checked, so that one run
    # lists every problem; what sits under a shape problem is not reported twice.
    sink.mute_under(f.path for f in findings)
    builder = FlowBuilder(data, sink, lenient=bool(findings))
    builder.declarations()
    builder.build_steps()
    if sink.has_errors:
        raise FlowError(sink.problems)
    graph = build_graph(data["id"], data["start"], builder.steps)
    check_graph(graph, data["start"], builder.steps, fields=builder.fields, params=builder.params, sink=sink)
    if sink.has_errors:
        raise FlowError(sink.problems)
    flow = _assemble(data, builder, graph, text=text, filename=filename, warnings=tuple(sink.problems))
    return flow, source_map


def _decode(raw: bytes, filename: str) -> str:
    if len(raw) > MAX_FILE_BYTES:
        raise FlowError([Problem("file.too_large", Location(filename), {"limit": MAX_FILE_BYTES})])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        column = len(raw[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        raise FlowError([Problem("file.not_utf8", Location(filename, line, column), {})]) from None


def _assemble(
    data: Mapping[str, Any],
    builder: FlowBuilder,
    graph: nx.MultiDiGraph[str],
    *,
    text: str,
    filename: str,
    warnings: tuple[Problem, ...],
) -> Flow:
    return Flow(
        id=data["id"],
        version=data["version"],
        title=builder.title,
        description=builder.description,
        unit=data["unit"],
        start=data["start"],
        languages=builder.languages,
        params=MappingProxyType(builder.params),
        roles=MappingProxyType(builder.roles),
        fields=MappingProxyType(builder.fields),
        groups=MappingProxyType(builder.groups),
        steps=MappingProxyType(builder.steps),
        source_text=text,
        source_path=filename,
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        graph=nx.freeze(graph),
        warnings=warnings,
    )


def _with_warnings(flow: Flow, warnings: tuple[Problem, ...]) -> Flow:
    return replace(flow, warnings=warnings)


def _cross_check(flow: Flow, catalog: FlowCatalog, sink: ProblemSink) -> None:
    """Checks that need the other flows: child flows, their outcomes and fields, signals."""
    for step in flow.steps.values():
        path = ("steps", step.id)
        if step.kind is StepKind.SUBFLOW and step.subflow:
            child = _find(step.subflow, flow, catalog, sink, (*path, "flow"))
            if child is not None:
                _check_child(flow, step.id, child, sink)
        if step.signal is not None:
            target = _find(step.signal.flow, flow, catalog, sink, (*path, "signal", "flow"))
            if target is not None and step.signal.action not in target.action_names():
                sink.add(
                    "signal.unknown_action",
                    (*path, "signal", "action"),
                    action=step.signal.action,
                    flow=target.id,
                    suggestion=suggest(step.signal.action, target.action_names()),
                )


def _find(
    flow_id: str, flow: Flow, catalog: FlowCatalog, sink: ProblemSink, path: tuple[str, ...]
) -> Flow | None:
    if flow_id == flow.id:
        return flow
    try:
        found = catalog.shallow(flow_id)
    except FlowError:
        marks = catalog.duplicates().get(flow_id)
        if marks:
            files = ", ".join(str(Location(str(f), line, column)) for f, line, column in marks)
            sink.add("subflow.child_duplicate", path, flow=flow_id, files=files)
        else:
            sink.add("subflow.child_broken", path, flow=flow_id, file=catalog.path_of(flow_id))
        return None
    if found is None:
        known = catalog.usable_ids()  # not the ids of broken files beside it
        sink.add(
            "subflow.unknown_flow",
            path,
            flow=flow_id,
            suggestion=suggest(flow_id, known),
            known=", ".join(sorted(known)),
        )
    return found


def _check_child(flow: Flow, step_id: str, child: Flow, sink: ProblemSink) -> None:
    step = flow.steps[step_id]
    path = ("steps", step_id)
    child_outcomes = child.outcomes
    for outcome in step.outcomes:
        if outcome not in child_outcomes:
            sink.add(
                "subflow.unknown_outcome",
                (*path, "outcomes", outcome),
                on_key=True,
                outcome=outcome,
                flow=child.id,
                suggestion=suggest(outcome, child_outcomes),
                outcomes=", ".join(child_outcomes),
            )
    if step.wait:
        for outcome in child_outcomes:
            if outcome not in step.outcomes:
                sink.add(
                    "subflow.unhandled_outcome",
                    (*path, "outcomes"),
                    on_key=True,
                    outcome=outcome,
                    flow=child.id,
                )
    for spec in child.fields.values():
        if spec.required and spec.id not in step.copy:
            sink.add("subflow.required_not_copied", (*path, "flow"), field=spec.id, flow=child.id)
    for i, name in enumerate(step.copy):
        mine, theirs = flow.fields[name], child.fields.get(name)
        if theirs is None:
            sink.add("subflow.copy_missing", (*path, "copy", i), field=name, flow=child.id)
        elif theirs.type is not mine.type:
            sink.add(
                "subflow.copy_type",
                (*path, "copy", i),
                field=name,
                flow=child.id,
                mine=str(mine.type),
                theirs=str(theirs.type),
            )
