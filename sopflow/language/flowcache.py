"""The checked-flow cache: a flow already checked is read back from JSON, keyed by its source's
digest, instead of being parsed and checked again (YAML, JSON Schema, networkx, Jinja).

Why: a single `sopflow case advance` from the shell would otherwise spend most of its time
checking a flow that has not changed. The cache is an optimisation only: an entry is written
after a flow passes every check, named by the SHA-256 of its source and a stamp of the checking
code (this module's format and the language package's files), so a changed flow or a changed
sopflow never meets a stale entry; an entry that does not read back is ignored and the flow is
checked again. Entries are JSON of the passive model (frozen), never pickles.

Where: `SOPFLOW_CACHE` (a folder, or `off`), else `$XDG_CACHE_HOME/sopflow/flows`, else
`~/.cache/sopflow/flows`. A flow's warnings are kept with it (a county's format-1 flow warns
about every task without a deadline, and must still be quick to load): they are shown again
from the entry, placed in the file the flow is read from now."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from sopflow.errors import Location, Problem
from sopflow.language.frozen import FORMAT, NotFrozenFlow, flow_from_json, flow_to_json
from sopflow.language.model import Flow


def cache_dir() -> Path | None:
    """The folder of the cache, or None when it is turned off."""
    setting = os.environ.get("SOPFLOW_CACHE", "")
    if setting.lower() == "off":
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sopflow" / "flows"


@cache
def checker_stamp() -> str:
    """What the checks are: the format and every file of the flow language (name, size, time)."""
    here = Path(__file__).parent
    files = sorted([*here.glob("*.py"), here.parent / "flows" / "flow.schema.json"])
    parts = [str(FORMAT)]
    for file in files:
        stat = file.stat()
        parts.append(f"{file.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def cached_flow(source_text: str, source_path: str, check: Callable[[], Flow]) -> Flow:
    """The flow of `source_text`: from the cache if it was checked before, else `check()`
    (which raises FlowError for a broken flow: nothing is kept then)."""
    entry = _entry(source_text)
    if entry is None:
        return check()
    try:
        data = json.loads(entry.read_bytes())
        flow = flow_from_json(data, source_text, source_path)
        return replace(flow, warnings=_warnings_from_json(data.get("warnings", []), source_path))
    except (OSError, ValueError, TypeError, KeyError, NotFrozenFlow):
        pass  # not there yet, or unreadable: check the flow again
    flow = check()
    _keep(entry, flow)
    return flow


def _entry(source_text: str, kind: str = "") -> Path | None:
    """Where what is kept of `source_text` is (None: the cache is off): named by its digest and
    the checking code's stamp, so a changed flow or a changed sopflow never meets a stale one."""
    folder = cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256(source_text.encode("utf-8")).hexdigest()
    return folder / f"{kind}{digest}-{checker_stamp()}.json"


def _warnings_to_json(warnings: tuple[Problem, ...]) -> list[list[Any]]:
    """Each warning as [code, line, column, params, severity] (its file is the flow's)."""
    return [[w.code, w.location.line, w.location.column, dict(w.params), w.severity] for w in warnings]


def _warnings_from_json(data: list[list[Any]], source_path: str) -> tuple[Problem, ...]:
    """The warnings `_warnings_to_json` wrote, placed in `source_path`."""
    warnings = []
    for code, line, column, params, severity in data:
        if not (isinstance(code, str) and isinstance(params, dict) and severity in ("error", "warning")):
            raise NotFrozenFlow("warnings")
        warnings.append(Problem(code, Location(source_path, int(line), int(column)), params, severity))
    return tuple(warnings)


def _keep(entry: Path, flow: Flow) -> None:
    """Keep a checked flow (see `_write`)."""
    try:
        kept = {**flow_to_json(flow), "warnings": _warnings_to_json(flow.warnings)}
        data = json.dumps(kept, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except (NotFrozenFlow, TypeError, ValueError):
        return
    _write(entry, data)


Peeked = tuple[str, int, int] | None  # a flow file's top-level id, its line and column; None: none


def cached_peek(source_text: str, peek: Callable[[], Peeked]) -> Peeked:
    """The top-level `id:` of a flow file's text and where it is (`peek()`, which reads the YAML
    with its positions), kept like a checked flow. Every command that finds a flow by id in a
    folder peeks at each file: for the built-in flows alone that YAML reading took a second."""
    entry = _entry(source_text, "id-")
    if entry is None:
        return peek()
    try:
        kept = json.loads(entry.read_bytes())
        if kept is None:
            return None
        flow_id, line, column = kept
        if isinstance(flow_id, str) and isinstance(line, int) and isinstance(column, int):
            return flow_id, line, column
    except (OSError, ValueError, TypeError):
        pass  # not there yet, or unreadable: peek again
    found = peek()
    _write(entry, json.dumps(found, ensure_ascii=False).encode("utf-8"))
    return found


def _write(entry: Path, data: bytes) -> None:
    """Write the entry whole or not at all (a temporary file renamed); a cache that cannot be
    written (read-only home, disk full) only costs time."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
            os.replace(temporary, entry)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        return
