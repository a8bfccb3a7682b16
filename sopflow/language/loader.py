"""One flow file on its own: from bytes to a checked, immutable Flow with its graph, or a FlowError
listing every problem. Checks that need other flows (children, signals) are the catalog's."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from sopflow.errors import FlowError, Location, Problem
from sopflow.language.deadlines import DEFAULT_URGENT_WITHIN, check_deadlines
from sopflow.language.model import Flow
from sopflow.language.problems import ProblemSink
from sopflow.language.yamlsource import SourceMap, YamlProblem, load_marked

if TYPE_CHECKING:
    import networkx as nx

    from sopflow.language.builder import FlowBuilder

MAX_FILE_BYTES = 2_000_000


def load_shallow(raw: bytes, filename: str) -> tuple[Flow, SourceMap]:
    """Everything one file can be checked for on its own (no other flows needed).

    The checks' own modules (JSON Schema, networkx, Jinja) are imported here, not at the top:
    a flow read from the checked-flow cache (flowcache) never needs them."""
    from sopflow.language.builder import FlowBuilder  # noqa: PLC0415 - see the docstring
    from sopflow.language.checks import check_graph  # noqa: PLC0415
    from sopflow.language.computed import check_computed  # noqa: PLC0415
    from sopflow.language.graph import build_graph  # noqa: PLC0415
    from sopflow.language.historycheck import check_history_calls  # noqa: PLC0415
    from sopflow.language.schema import schema_findings  # noqa: PLC0415

    text = decode_flow_bytes(raw, filename)
    try:
        data, source_map = load_marked(text)
    except YamlProblem as problem:
        location = Location(filename, problem.line, problem.column)
        raise FlowError([Problem(problem.code, location, problem.params)]) from None
    sink = ProblemSink(filename, source_map, text=text)
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
    check_history_calls(builder.history_guards, builder.steps, sink)
    check_computed(builder.fields, builder.steps, sink)
    urgent = data.get("urgent_within")
    check_deadlines(
        builder.steps,
        builder.raw_steps,
        sink,
        format=_format(data),
        urgent_within=builder.duration(urgent, ("urgent_within",)) if urgent else DEFAULT_URGENT_WITHIN,
    )
    if sink.has_errors:
        raise FlowError(sink.problems)
    graph = build_graph(data["id"], data["start"], builder.steps)
    check_graph(graph, data["start"], builder.steps, fields=builder.fields, params=builder.params, sink=sink)
    if sink.has_errors:
        raise FlowError(sink.problems)
    flow = _assemble(data, builder, graph, text=text, filename=filename, warnings=tuple(sink.problems))
    return flow, source_map


def read_flow_file(path: Path) -> bytes:
    """The bytes of a flow file, read only if it is a regular file (a device such as /dev/zero
    never ends, a FIFO may never answer) and never past MAX_FILE_BYTES: a file that big is not a
    flow, and reading on would fill the memory first. FlowError naming the file otherwise."""
    where = Location(str(path))
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise FlowError([Problem("file.not_regular", where, {})])
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # swapped for a FIFO meanwhile: no wait
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise FlowError([Problem("file.not_regular", where, {})])
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise FlowError([Problem("file.unreadable", where, {"detail": exc.strerror or str(exc)})]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise FlowError([Problem("file.too_large", where, {"limit": MAX_FILE_BYTES})])
    return raw


def decode_flow_bytes(raw: bytes, filename: str) -> str:
    """A flow file's text (UTF-8, with or without BOM); FlowError at the first byte that is not."""
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
    from sopflow.language.graph import frozen_graph  # noqa: PLC0415 - loaded already by the checks

    flow = Flow(
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
        warnings=warnings,
        opened_by=builder.opened_by,
        corrected_by=builder.corrected_by,
        make_graph=frozen_graph,
        format=_format(data),
        interrupts=builder.interrupts,
    )
    import networkx as nx  # noqa: PLC0415 - loaded already by the checks

    flow.__dict__["graph"] = nx.freeze(graph)  # Flow.graph, a cached_property: made already
    return flow


def _format(data: Mapping[str, Any]) -> int:
    """The file's format (1 or 2; the schema has said so if it is anything else)."""
    value = data.get("format")
    return value if isinstance(value, int) and not isinstance(value, bool) else 1
