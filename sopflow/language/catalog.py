"""Finding flows by id (in the folders a user works in, then among the built-in flows) and loading
a flow with the checks that need the others: load_flow, load_flow_bytes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import cache, lru_cache
from importlib import resources
from os import PathLike
from pathlib import Path
from types import MappingProxyType

from sopflow.errors import ArgumentError, FlowError, Location, LookupFailed, Problem
from sopflow.i18n import Listing, Phrase, listing
from sopflow.language.crosscheck import cross_check
from sopflow.language.flowcache import cached_flow, cached_peek
from sopflow.language.loader import decode_flow_bytes, load_shallow, read_flow_file
from sopflow.language.model import Flow
from sopflow.language.naming import Names, across, flow_names
from sopflow.language.problems import ProblemSink
from sopflow.language.yamlsource import SourceMap, YamlProblem, load_marked

FLOW_SUFFIXES = (".yaml", ".yml")


def builtin_dir() -> Path:
    """The folder of the built-in flow files (package data)."""
    return Path(str(resources.files("sopflow.flows")))


IdMark = tuple[Path, int, int]  # a flow file and where its `id:` key is (line, column)


class FlowCatalog:
    """Flow files by id across folders; the first folder that has an id wins. Within one folder
    an id belongs to one file: two files claiming it are an error for that id (naming both),
    never a silent choice."""

    def __init__(self, folders: Sequence[str | PathLike[str]]) -> None:
        """`folders`: where to look, first first (paths, or text naming them)."""
        if isinstance(folders, str | PathLike) or not all(isinstance(f, str | PathLike) for f in folders):
            raise ArgumentError.wrong("folders", folders, "expected.folders")
        self.folders = tuple(dict.fromkeys(Path(f).resolve() for f in folders))
        self._index: dict[str, Path] | None = None
        self._claims: dict[str, tuple[IdMark, ...]] = {}
        self._unnamed: tuple[Path, ...] = ()
        self._shallow: dict[str, Flow] = {}
        self._loaded: dict[str, Flow] = {}

    @classmethod
    def with_builtin(cls, *folders: str | PathLike[str]) -> FlowCatalog:
        """The flows in `folders` (first first), then the built-in ones, as the command line's
        --flows finds them: a county's own flow that starts key-person control finds it."""
        return cls([*folders, builtin_dir()])

    def index(self) -> Mapping[str, Path]:
        if self._index is None:
            claims: dict[str, list[IdMark]] = {}
            unnamed: list[Path] = []
            for folder in self.folders:
                here: dict[str, list[IdMark]] = {}
                for file in sorted(folder.glob("*")) if folder.is_dir() else []:
                    if file.suffix not in FLOW_SUFFIXES or not file.is_file():
                        continue
                    mark = _peek_id(file)
                    if mark is None:
                        unnamed.append(file)
                    else:
                        here.setdefault(mark[0], []).append((file, *mark[1:]))
                for flow_id, marks in here.items():
                    claims.setdefault(flow_id, marks)  # an earlier folder keeps its id
            self._claims = {flow_id: tuple(marks) for flow_id, marks in claims.items()}
            self._unnamed = tuple(unnamed)
            # only when complete: another thread may be looking meanwhile
            self._index = {flow_id: marks[0][0] for flow_id, marks in claims.items()}
        return MappingProxyType(self._index)

    def ids(self) -> frozenset[str]:
        """Every id a flow file claims, whether or not that file loads."""
        return frozenset(self.index())

    def usable_ids(self) -> frozenset[str]:
        """The ids of the flows that load on their own: what to offer as 'known flows'."""
        usable = set()
        for flow_id in self.ids():
            try:
                self.shallow(flow_id)
            except FlowError:
                continue
            usable.add(flow_id)
        return frozenset(usable)

    def duplicates(self) -> Mapping[str, tuple[IdMark, ...]]:
        """Ids claimed by more than one file of the same folder, with each file and its `id:`."""
        self.index()
        return MappingProxyType({i: marks for i, marks in self._claims.items() if len(marks) > 1})

    def unnamed(self) -> tuple[Path, ...]:
        """Flow files whose id cannot even be read (not YAML, no `id:`): broken, under no id."""
        self.index()
        return self._unnamed

    def path_of(self, flow_id: str) -> str:
        return str(self.index().get(flow_id, ""))

    def shallow(self, flow_id: str) -> Flow | None:
        """The flow checked on its own (no cross-flow checks), or None; FlowError if it is broken
        or its id is claimed by two files."""
        if flow_id not in self._shallow:
            path = self.index().get(flow_id)
            if path is None:
                return None
            self._refuse_duplicate(flow_id)
            self._shallow[flow_id] = _shallow(read_flow_file(path), str(path))
        return self._shallow[flow_id]

    def flow_id(self, typed: str) -> str:
        """The id of the flow `typed` names: its id, or its title in any language it has
        (重点人员管控); `typed` itself if it names none. LookupFailed if two flows share the title."""
        if typed in self.index():
            return typed
        return self._names().id_of(typed)

    def load(self, flow_id: str) -> Flow:
        """The fully checked flow with this id (or title); LookupFailed naming the flows there are
        if there is none."""
        flow_id = self.flow_id(flow_id)
        path = self.index().get(flow_id)
        if path is None:
            self._refuse_unreadable(flow_id)
            names = self._names()
            unreadable = [str(file) for file in self.unnamed()]
            broken = Phrase("flow.reason.unreadable_files", files=listing(unreadable)) if unreadable else ""
            raise LookupFailed(
                "flow.unknown_id",
                flow=flow_id if len(flow_id) <= 100 else flow_id[:97] + "...",
                suggestion=names.suggestion(flow_id),
                known=names.listing(sorted(names.labels)),
                unreadable=broken,
            )
        self._refuse_duplicate(flow_id)
        if flow_id not in self._loaded:
            self._loaded[flow_id] = load_flow(path, self)
        return self._loaded[flow_id]

    def names(self, kind: str, flow_id: str | None = None) -> Names:
        """The roles or steps (`kind`) of flow `flow_id` (id or title), or of every flow that
        loads: what a filter typed by name (--step 异常发现, --role 网格员) is looked up in."""
        if flow_id is not None:
            return across([self.load(flow_id)], kind)
        return across([f for i in sorted(self.usable_ids()) if (f := self.shallow(i)) is not None], kind)

    def flows_named(self, flow_id: str | None = None) -> Listing:
        """Flow `flow_id`, or every flow that loads, as a message lists them: title and id."""
        names = self._names()
        return names.listing([flow_id] if flow_id is not None else sorted(names.labels))

    def _names(self) -> Names:
        """The flows that load, by id and title."""
        return flow_names([f for i in sorted(self.usable_ids()) if (f := self.shallow(i)) is not None])

    def _refuse_unreadable(self, flow_id: str) -> None:
        """A file whose `id:` cannot be read (a YAML slip, a tab) named after the flow asked for
        (fever_triage.yaml for fever_triage) is most likely that flow: its own error, at the line
        that breaks it, says more than 'no such flow'."""
        for file in self.unnamed():
            if file.stem == flow_id:
                load_flow(file, self)  # FlowError where the file breaks

    def _refuse_duplicate(self, flow_id: str) -> None:
        marks = self.duplicates().get(flow_id)
        if marks:
            raise FlowError([duplicate_problem(flow_id, marks)])


def duplicate_problem(flow_id: str, marks: Sequence[IdMark]) -> Problem:
    """'b.yaml:3:1: flow id 'x' is also the id in a.yaml:3:1 — ...', at the second file's `id:`."""
    places = [Location(str(file), line, column) for file, line, column in marks]
    others = [places[0], *places[2:]]
    return Problem(
        "catalog.duplicate_id", places[1], {"flow": flow_id, "others": ", ".join(map(str, others))}
    )


def _shallow(raw: bytes, filename: str) -> Flow:
    """The flow checked on its own, from the checked-flow cache when it was checked before."""
    text = decode_flow_bytes(raw, filename)
    return cached_flow(text, filename, lambda: load_shallow(raw, filename)[0])


def _peek_id(file: Path) -> tuple[str, int, int] | None:
    """The top-level `id:` of a flow file and where it is, without checking the rest (None if
    unreadable)."""
    try:
        stat = file.stat()
    except OSError:
        return None
    return _peek_id_cached(file, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=1024)
def _peek_id_cached(file: Path, _mtime_ns: int, _size: int) -> tuple[str, int, int] | None:
    """Cached by modification time and size: a folder is scanned once, not once per lookup."""
    try:
        text = read_flow_file(file).decode("utf-8-sig")
    except (FlowError, UnicodeDecodeError):
        return None
    return cached_peek(text, lambda: _read_id(text))


def _read_id(text: str) -> tuple[str, int, int] | None:
    try:
        data, source_map = load_marked(text)
    except YamlProblem:
        return None
    flow_id = data.get("id") if isinstance(data, dict) else None
    if not isinstance(flow_id, str):
        return None
    line, column = source_map.at(("id",), key=True)
    return flow_id, line, column


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


def load_flow(path: str | Path, catalog: FlowCatalog | None = None) -> Flow:
    """Load and check the flow file at `path`.

    Child flows named by subflow steps and signals are looked up in `catalog`, by default the
    file's own folder and then the built-in flows. Raises FlowError with every problem found.
    """
    ArgumentError.check("path", path, (str, PathLike), "expected.path")
    ArgumentError.check_optional("catalog", catalog, FlowCatalog, "expected.catalog")
    file = Path(path)
    raw = read_flow_file(file)
    if catalog is None:
        catalog = default_catalog(file.parent)
    return load_flow_bytes(raw, str(file), catalog)


def load_flow_bytes(raw: bytes, filename: str, catalog: FlowCatalog | None = None) -> Flow:
    """Like load_flow, for bytes already read (tests, uploads, the store's saved versions)."""
    ArgumentError.check("raw", raw, bytes, "expected.bytes")
    ArgumentError.check("filename", filename, str, "expected.text")
    ArgumentError.check_optional("catalog", catalog, FlowCatalog, "expected.catalog")
    siblings = catalog or default_catalog(None)
    flow = _shallow(raw, filename)
    sink = ProblemSink(filename, SourceMap())
    cross_check(flow, siblings, sink)
    if sink.problems:  # check again from the source, to say where each problem is
        flow, source_map = load_shallow(raw, filename)
        sink = ProblemSink(filename, source_map)
        cross_check(flow, siblings, sink)
    if sink.has_errors:
        raise FlowError([*sink.problems, *flow.warnings])
    if sink.problems:
        flow = replace(flow, warnings=(*flow.warnings, *sink.problems))
    return flow
