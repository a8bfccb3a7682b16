"""Build the typed Flow model from checked YAML data, reporting every broken reference.

Runs after the JSON Schema check, so shapes are right; what is left are the things a schema cannot
see: names that point nowhere, durations, guards, decisions with the wrong number of defaults,
fields used with the wrong type. Every problem is reported with its place; the model is returned
only when there are no errors.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from types import MappingProxyType
from typing import Any

from sopflow.language.addressing import build_signal, identity_problems
from sopflow.language.checkparts import build_check
from sopflow.language.childparts import build_action, build_conditions
from sopflow.language.computed import compute_rules
from sopflow.language.durations import is_zero_duration, parse_duration
from sopflow.language.guards import FUNCTIONS, GuardProblem, check_guard
from sopflow.language.guardtypes import guard_type_problem
from sopflow.language.interrupts import add_interrupts
from sopflow.language.model import (
    Branch,
    Check,
    FieldSpec,
    FieldType,
    Guard,
    Interrupt,
    Param,
    Step,
    StepKind,
    Text,
    Timer,
)
from sopflow.language.names import suggest
from sopflow.language.problems import ProblemSink
from sopflow.language.referrals import build_entry, subflow_referral
from sopflow.language.yamlsource import Path

DEFAULT_LANGUAGES = ("zh", "en")
MAX_LABEL_CHARS = 12
# Longer than this, a label (a title, a role, a step's name...) fits no A3 page at 9 pt, so can
# never be printed readably; texts read as paragraphs (description, instructions, documents)
# are held to what a note may hold. Without a limit a 2 MB label took minutes to render.
MAX_LABEL_TEXT = 4_000
MAX_LONG_TEXT = 10_000
LONG_TEXTS = frozenset({"description", "instructions", "documents"})
DATE_TYPES = (FieldType.DATE, FieldType.DATETIME)
NUMBER_TYPES = (FieldType.INTEGER, FieldType.NUMBER)


class FlowBuilder:
    """One pass over a schema-valid document: checks references and assembles the model parts."""

    def __init__(self, data: Mapping[str, Any], sink: ProblemSink, *, lenient: bool = False) -> None:
        self.data = data
        self.sink = sink
        self.lenient = lenient
        self.languages = _languages(data.get("languages"))
        self.roles: dict[str, Text] = {}
        self.params: dict[str, Param] = {}
        self.fields: dict[str, FieldSpec] = {}
        self.groups: dict[str, Text] = {}
        self.steps: dict[str, Step] = {}
        self.corrected_by: tuple[str, ...] = ()
        self.title: Text = MappingProxyType({})
        self.description: Text = MappingProxyType({})
        self.raw_steps: Mapping[str, Any] = _mapping(data.get("steps"))
        # Names count as declared even when their definition is broken (reported on its own).
        # A misshapen section (a list where a mapping belongs) is reported once by the schema;
        # its names are then unknown (None) and references to them are not checked.
        self.role_names = _declared(data, "roles")
        self.field_names = _declared(data, "fields")
        self.param_names = _declared(data, "params")
        self.group_names = _declared(data, "groups")
        self._misused: set[str] = set()  # params used as durations whose value is not one
        self.opened_by: tuple[str, ...] = ()
        self.interrupts: tuple[Interrupt, ...] = ()
        self.format = data.get("format", 1) if isinstance(data.get("format", 1), int) else 1
        self.history_guards: list[tuple[Guard, Path]] = []  # checked once every check is known

    @contextmanager
    def part(self) -> Iterator[None]:
        """Build one part (a step, a field...). In a file with shape problems, a part too broken
        to build is skipped: its shape problem is already reported, the other parts still count."""
        try:
            yield
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            if not self.lenient:
                raise

    # -- texts -----------------------------------------------------------------------------------

    def text(self, value: Any, path: Path, *, label: bool = False) -> Text:
        """A text as a language mapping; warns on missing translations and long chart labels."""
        if value is None:
            return MappingProxyType({})
        mapping = {self.languages[0]: value} if isinstance(value, str) else dict(value)
        primary = self.languages[0]
        for lang in mapping:
            if lang not in self.languages:
                self.sink.warn(
                    "text.unknown_language",
                    (*path, lang),
                    on_key=True,
                    lang=lang,
                    languages=", ".join(self.languages),
                    suggestion=suggest(lang, self.languages),
                )
        if primary not in mapping:
            self.sink.add("text.primary_missing", path, lang=primary)
        for lang in self.languages[1:]:
            if lang not in mapping:
                self.sink.warn("text.missing_translation", path, lang=lang)
        limit = MAX_LONG_TEXT if LONG_TEXTS & set(path) else MAX_LABEL_TEXT
        for lang, text in mapping.items():
            if isinstance(text, str) and len(text) > limit:
                where = path if isinstance(value, str) else (*path, lang)
                self.sink.add("text.too_long", where, length=len(text), limit=limit)
        if label and primary in mapping and len(mapping[primary]) > MAX_LABEL_CHARS:
            self.sink.warn("text.long_label", path, length=len(mapping[primary]), limit=MAX_LABEL_CHARS)
        return MappingProxyType(mapping)

    # -- declarations ----------------------------------------------------------------------------

    def declarations(self) -> None:
        with self.part():
            self.title = self.text(self.data.get("title"), ("title",))
        with self.part():
            self.description = self.text(self.data.get("description"), ("description",))
        for role_id, name in _mapping(self.data.get("roles")).items():
            with self.part():
                self.roles[role_id] = self.text(name, ("roles", role_id))
        for group_id, name in _mapping(self.data.get("groups")).items():
            with self.part():
                self.groups[group_id] = self.text(name, ("groups", group_id))
        for param_id, raw in _mapping(self.data.get("params")).items():
            with self.part():
                self.params[param_id] = self.param(param_id, raw)
        for field_id, raw in _mapping(self.data.get("fields")).items():
            with self.part():
                self.fields[field_id] = self.field(field_id, raw)
        with self.part():
            self.corrected_by = tuple(
                self.ref(name, self.role_names, "ref.role", ("corrected_by", i))
                for i, name in enumerate(self.data.get("corrected_by") or [])
            )
        identity_problems(self.fields, self.sink)
        for name in set(self.params) & set(self.fields):
            self.sink.add("name.param_and_field", ("params", name), on_key=True, name=name)
        for name in (set(self.params) | set(self.fields)) & set(FUNCTIONS):
            where = "params" if name in self.params else "fields"
            self.sink.add("name.reserved", (where, name), on_key=True, name=name)

    def param(self, param_id: str, raw: Mapping[str, Any]) -> Param:
        value = raw["value"]
        if isinstance(value, str) and parse_duration(value) is not None:
            value = parse_duration(value)
        elif isinstance(value, list):
            value = tuple(value)  # times of day (`at:`), or the items of `in` (C10)
            if len({isinstance(item, str) for item in value}) > 1:  # the schema lets texts and numbers in
                self.sink.add("param.list_mixed", ("params", param_id, "value"), name=param_id)
        return Param(
            id=param_id,
            value=value,
            label=self.text(raw.get("label"), ("params", param_id, "label")),
            source=raw.get("source"),
        )

    def field(self, field_id: str, raw: Mapping[str, Any]) -> FieldSpec:
        path: Path = ("fields", field_id)
        ftype = FieldType(raw["type"])
        choices = raw.get("choices") or {}
        if ftype is FieldType.CHOICE and not choices:
            self.sink.add("field.no_choices", path, field=field_id)
        if choices and ftype is not FieldType.CHOICE:
            self.sink.add("field.choices_not_choice", (*path, "choices"), on_key=True, field=field_id)
        for bound in ("min", "max"):
            if bound in raw and ftype not in NUMBER_TYPES:
                self.sink.add("field.bound_not_number", (*path, bound), on_key=True, key=bound)
        if raw.get("accept_invalid") and ftype is not FieldType.ID_NUMBER:
            self.sink.add(
                "field.accept_invalid_not_id", (*path, "accept_invalid"), on_key=True, field=field_id
            )
        if "min" in raw and "max" in raw and raw["min"] > raw["max"]:
            self.sink.add("field.min_above_max", (*path, "min"), low=raw["min"], high=raw["max"])
        return FieldSpec(
            id=field_id,
            type=ftype,
            label=self.text(raw.get("label"), (*path, "label")),
            required=bool(raw.get("required", False)),
            personal=bool(raw.get("personal", False)),
            fresh=bool(raw.get("fresh", False)),
            choices=MappingProxyType(
                {str(k): self.text(v, (*path, "choices", k)) for k, v in choices.items()}
            ),
            minimum=raw.get("min"),
            maximum=raw.get("max"),
            unit=raw.get("unit"),
            source=raw.get("source"),
            identifies=raw.get("identifies"),
            compute=compute_rules(self, raw.get("compute"), (*path, "compute")),
            accept_invalid=bool(raw.get("accept_invalid", False)),
        )

    # -- references ------------------------------------------------------------------------------

    def ref(self, name: str, known: Collection[str] | None, code: str, path: Path) -> str:
        if known is not None and name not in known:
            self.sink.add(code, path, name=name, suggestion=suggest(name, known))
        return name

    def role_refs(self, names: list[str] | None, path: Path, fallback: str) -> tuple[str, ...]:
        if not names:
            return (fallback,)
        return tuple(self.ref(n, self.role_names, "ref.role", (*path, i)) for i, n in enumerate(names))

    def field_refs(self, names: list[str] | None, path: Path) -> tuple[str, ...]:
        return tuple(
            self.ref(n, self.field_names, "ref.field", (*path, i)) for i, n in enumerate(names or [])
        )

    def step_ref(self, name: str, path: Path) -> str:
        return self.ref(name, self.raw_steps, "ref.step", path)

    def duration(self, value: str, path: Path) -> timedelta:
        parsed = parse_duration(value)
        if parsed is not None:
            return parsed
        param = self.params.get(value)
        if param is not None and isinstance(param.value, timedelta):
            return param.value
        if param is not None:
            self.sink.add("duration.param_not_duration", path, name=value)
            if isinstance(param.value, str) and value not in self._misused:
                self._misused.add(value)  # a duration mistyped: said at the param too, where it is
                self.sink.add("param.not_duration", ("params", value, "value"), name=value, value=param.value)
        elif is_zero_duration(value):
            self.sink.add("duration.zero", path, value=value)
        else:
            durations = [p for p, v in self.params.items() if isinstance(v.value, timedelta)]
            self.sink.add("duration.bad", path, value=value, suggestion=suggest(value, durations))
        return timedelta(0)

    def guard(self, source: str | None, path: Path) -> Guard | None:
        if source is None:
            return None
        try:
            if self.field_names is None or self.param_names is None:
                return check_guard(source, None)
            guard = check_guard(source, self.field_names | self.param_names)
        except GuardProblem as problem:
            self.sink.add(problem.code, path, **{"guard": source, **problem.params})
            return None
        mistake = guard_type_problem(source, self.fields, self.params)
        if mistake is not None:
            self.sink.add(mistake.code, path, **{"guard": source, **mistake.params})
        if guard.reads_history:
            self.history_guards.append((guard, path))
        return guard

    # -- steps -----------------------------------------------------------------------------------

    def build_steps(self) -> None:
        start = self.data.get("start")
        if isinstance(start, str):
            self.step_ref(start, ("start",))
        for step_id, raw in self.raw_steps.items():
            with self.part():
                self.steps[step_id] = self.step(step_id, raw)
        self.opened_by = self.openers()  # before the interrupts join every step's actions
        self.interrupts = add_interrupts(self, self.data.get("interrupts"))

    def openers(self) -> tuple[str, ...]:
        """Who may open a case: `opened_by:`, else whoever works the start step (its role and the
        roles of its actions; not of its checks, which the person watched may record)."""
        listed = self.data.get("opened_by")
        if isinstance(listed, list) and listed:
            return self.role_refs(listed, ("opened_by",), "")
        start = self.steps.get(str(self.data.get("start")))
        if start is None:
            return ()
        return tuple(dict.fromkeys((start.role, *(r for a in start.actions for r in a.roles))))

    def step(self, step_id: str, raw: Mapping[str, Any]) -> Step:
        path: Path = ("steps", step_id)
        kind = StepKind(raw["kind"])
        role = self.ref(raw["role"], self.role_names, "ref.role", (*path, "role"))
        group = raw.get("group")
        if group is not None:
            self.ref(group, self.group_names, "ref.group", (*path, "group"))
        deadline = raw.get("deadline")
        actions = tuple(
            build_action(self, a, (*path, "actions", i), role, kind)
            for i, a in enumerate(raw.get("actions", []))
        )
        step = Step(
            id=step_id,
            kind=kind,
            label=self.text(raw["label"], (*path, "label"), label=True),
            role=role,
            instructions=self.text(raw.get("instructions"), (*path, "instructions")),
            deadline=self.duration(deadline, (*path, "deadline"))
            if deadline and deadline != "none"
            else None,
            deadline_reason=self.text(raw.get("deadline_reason"), (*path, "deadline_reason")),
            documents=tuple(
                self.text(d, (*path, "documents", i)) for i, d in enumerate(raw.get("documents", []))
            ),
            group=group,
            source=raw.get("source"),
            actions=actions,
            branches=self.branches(raw.get("branches", []), (*path, "branches")),
            timers=tuple(self.timer(t, (*path, "timers", i)) for i, t in enumerate(raw.get("timers", []))),
            checks=tuple(
                self.check(c, (*path, "checks", i), role) for i, c in enumerate(raw.get("checks", []))
            ),
            entry=build_entry(self, step_id, kind, raw, path),
            conditions=build_conditions(self, raw, path, kind),
            **self.subflow_parts(kind, raw, path),
            **self.end_parts(kind, raw, path),
        )
        self.unique_exit_names(step, path)
        return step

    def branches(self, raws: list[Mapping[str, Any]], path: Path) -> tuple[Branch, ...]:
        result = []
        for i, raw in enumerate(raws):
            bpath: Path = (*path, i)
            default = bool(raw.get("default", False))
            if default and "when" in raw:
                self.sink.add("decision.default_with_guard", (*bpath, "when"), on_key=True)
            if not default and "when" not in raw:
                self.sink.add("decision.branch_without_guard", bpath, branch=raw["branch"])
            result.append(
                Branch(
                    name=str(raw["branch"]),
                    label=self.text(raw.get("label"), (*bpath, "label")),
                    to=self.step_ref(raw["to"], (*bpath, "to")),
                    guard=self.guard(raw.get("when"), (*bpath, "when")),
                    default=default,
                    source=raw.get("source"),
                )
            )
        defaults = [i for i, b in enumerate(result) if b.default]
        if raws and len(defaults) != 1:
            if len(defaults) > 1:
                self.sink.add("decision.defaults", (*path, defaults[1]), count=len(defaults))
            else:
                self.sink.add("decision.defaults", path, on_key=True, count=0)
        return tuple(result)

    def timer(self, raw: Mapping[str, Any], path: Path) -> Timer:
        from_field = raw.get("from")
        if from_field is not None and from_field != "entered":
            self.ref(from_field, self.field_names, "ref.field", (*path, "from"))
            spec = self.fields.get(from_field)
            if spec is not None and spec.type not in DATE_TYPES:
                self.sink.add("timer.from_not_date", (*path, "from"), field=from_field, type=spec.type)
        return Timer(
            name=raw["timer"],
            label=self.text(raw.get("label"), (*path, "label")),
            after=self.duration(raw["after"], (*path, "after")),
            to=self.step_ref(raw["to"], (*path, "to")),
            from_field=None if from_field in (None, "entered") else from_field,
            source=raw.get("source"),
        )

    def check(self, raw: Mapping[str, Any], path: Path, role: str) -> Check:
        return build_check(self, raw, path, role)

    def subflow_parts(self, kind: StepKind, raw: Mapping[str, Any], path: Path) -> dict[str, Any]:
        if kind is not StepKind.SUBFLOW:
            return {}
        wait = bool(raw.get("wait", True))
        outcomes = raw.get("outcomes") or {}
        if wait and "next" in raw:
            self.sink.add("subflow.next_with_wait", (*path, "next"), on_key=True)
        if wait and not outcomes:
            self.sink.add("subflow.no_outcomes", path, flow=raw["flow"])
        if not wait and "next" not in raw:
            self.sink.add("subflow.no_next", path, flow=raw["flow"])
        if not wait and outcomes:
            self.sink.add("subflow.outcomes_without_wait", (*path, "outcomes"), on_key=True)
        return {
            "subflow": raw["flow"],
            "wait": wait,
            **subflow_referral(self, raw, path),
            "next": self.step_ref(raw["next"], (*path, "next")) if "next" in raw else None,
            "one_per": raw.get("one_per"),
            "outcomes": MappingProxyType(
                {o: self.step_ref(t, (*path, "outcomes", o)) for o, t in outcomes.items()}
            ),
        }

    def end_parts(self, kind: StepKind, raw: Mapping[str, Any], path: Path) -> dict[str, Any]:
        if kind is not StepKind.END:
            return {}
        signal = raw.get("signal")
        return {
            "outcome": raw["outcome"],
            "signal": build_signal(self, signal, (*path, "signal")) if signal else None,
        }

    def unique_exit_names(self, step: Step, path: Path) -> None:
        """Timers, checks and branches need distinct names; only actions may repeat (with guards)."""
        seen: dict[str, str] = {a.name: "actions" for a in step.actions}
        for group, names in (
            ("branches", [b.name for b in step.branches]),
            ("timers", [t.name for t in step.timers]),
            ("checks", [c.name for c in step.checks]),
            ("conditions", [c.name for c in step.conditions]),
        ):
            key = {"branches": "branch", "timers": "timer", "checks": "check", "conditions": "condition"}[
                group
            ]
            for i, name in enumerate(names):
                if name in seen:
                    self.sink.add("step.duplicate_name", (*path, group, i, key), name=name)
                seen[name] = group


def _declared(data: Mapping[str, Any], section: str) -> frozenset[str] | None:
    value = data.get(section)
    if value is None:
        return frozenset()
    return frozenset(value) if isinstance(value, dict) else None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _languages(value: object) -> tuple[str, ...]:
    """The declared languages if they are a usable list, else the default (zh, en)."""
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    return DEFAULT_LANGUAGES
