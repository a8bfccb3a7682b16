"""Finding flows by id: in the folders a user works in, then among the built-in flows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from sopflow.engine.names import suggest
from sopflow.engine.yamlsource import YamlProblem, load_marked
from sopflow.errors import LookupFailed

if TYPE_CHECKING:
    from sopflow.engine.model import Flow

FLOW_SUFFIXES = (".yaml", ".yml")


def builtin_dir() -> Path:
    """The folder of the built-in flow files (package data)."""
    return Path(str(resources.files("sopflow.flows")))


class FlowCatalog:
    """Flow files by id across folders; the first folder that has an id wins."""

    def __init__(self, folders: Sequence[Path]) -> None:
        self.folders = tuple(dict.fromkeys(f.resolve() for f in folders))
        self._index: dict[str, Path] | None = None
        self._shallow: dict[str, Flow] = {}
        self._loaded: dict[str, Flow] = {}

    def index(self) -> Mapping[str, Path]:
        if self._index is None:
            found: dict[str, Path] = {}
            for folder in self.folders:
                for file in sorted(folder.glob("*")) if folder.is_dir() else []:
                    flow_id = _peek_id(file) if file.suffix in FLOW_SUFFIXES else None
                    if flow_id and flow_id not in found:
                        found[flow_id] = file
            self._index = found  # only when complete: another thread may be looking meanwhile
        return MappingProxyType(self._index)

    def ids(self) -> frozenset[str]:
        return frozenset(self.index())

    def path_of(self, flow_id: str) -> str:
        return str(self.index().get(flow_id, ""))

    def shallow(self, flow_id: str) -> Flow | None:
        """The flow checked on its own (no cross-flow checks), or None; FlowError if it is broken."""
        from sopflow.engine.loader import load_shallow  # noqa: PLC0415 (loader imports this module)

        if flow_id not in self._shallow:
            path = self.index().get(flow_id)
            if path is None:
                return None
            self._shallow[flow_id] = load_shallow(path.read_bytes(), str(path))[0]
        return self._shallow[flow_id]

    def load(self, flow_id: str) -> Flow:
        """The fully checked flow with this id; LookupFailed naming the ids there are if absent."""
        from sopflow.engine.loader import load_flow  # noqa: PLC0415 (loader imports this module)

        path = self.index().get(flow_id)
        if path is None:
            raise LookupFailed(
                "flow.unknown_id",
                flow=flow_id,
                suggestion=suggest(flow_id, self.ids()),
                known=", ".join(sorted(self.ids())),
            )
        if flow_id not in self._loaded:
            self._loaded[flow_id] = load_flow(path, self)
        return self._loaded[flow_id]


def _peek_id(file: Path) -> str | None:
    """The top-level `id:` of a flow file, without checking the rest (None if unreadable)."""
    try:
        stat = file.stat()
    except OSError:
        return None
    return _peek_id_cached(file, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=1024)
def _peek_id_cached(file: Path, _mtime_ns: int, _size: int) -> str | None:
    """Cached by modification time and size: a folder is scanned once, not once per lookup."""
    try:
        data, _ = load_marked(file.read_text("utf-8-sig"))
    except (OSError, UnicodeDecodeError, YamlProblem):
        return None
    flow_id = data.get("id") if isinstance(data, dict) else None
    return flow_id if isinstance(flow_id, str) else None


def default_catalog(folder: Path | None) -> FlowCatalog:
    """The user's folder first (if any), then the built-in flows."""
    return FlowCatalog([folder, builtin_dir()] if folder is not None else [builtin_dir()])


@cache
def builtin_catalog() -> FlowCatalog:
    return FlowCatalog([builtin_dir()])


def builtin_flows() -> Mapping[str, Flow]:
    """Every built-in flow, loaded and checked, by id."""
    catalog = builtin_catalog()
    return MappingProxyType({flow_id: catalog.load(flow_id) for flow_id in sorted(catalog.ids())})
