"""The checked-flow cache: a flow already checked is read back from JSON, keyed by its source's
digest, instead of being parsed and checked again (YAML, JSON Schema, networkx, Jinja).

Why: a single `sopflow case advance` from the shell would otherwise spend most of its time
checking a flow that has not changed. The cache is an optimisation only: an entry is written
after a flow passes every check, named by the SHA-256 of its source and a stamp of the checking
code (this module's format and the language package's files), so a changed flow or a changed
sopflow never meets a stale entry; an entry that does not read back is ignored and the flow is
checked again. Entries are JSON of the passive model (frozen), never pickles.

Where: `SOPFLOW_CACHE` (a folder, or `off`), else `$XDG_CACHE_HOME/sopflow/flows`, else
`~/.cache/sopflow/flows`. Flows with warnings are not kept (their warnings must be shown)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

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
    folder = cache_dir()
    if folder is None:
        return check()
    digest = hashlib.sha256(source_text.encode("utf-8")).hexdigest()
    entry = folder / f"{digest}-{checker_stamp()}.json"
    try:
        return flow_from_json(json.loads(entry.read_bytes()), source_text, source_path)
    except (OSError, ValueError, NotFrozenFlow):
        pass  # not there yet, or unreadable: check the flow again
    flow = check()
    if not flow.warnings:
        _keep(entry, flow)
    return flow


def _keep(entry: Path, flow: Flow) -> None:
    """Write the entry whole or not at all (a temporary file renamed); a cache that cannot be
    written (read-only home, disk full) only costs time."""
    try:
        data = json.dumps(flow_to_json(flow), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except (NotFrozenFlow, TypeError, ValueError):
        return
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
