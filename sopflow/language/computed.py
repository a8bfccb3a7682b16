"""Computed fields (`compute:`): a value the flow works out by a rule it states, never typed.

The basis date of the 14 days was typed beside the arrival or exposure date it derives from, so
typing the registration date shifted the release (issue 11, defect 10). With

    basis_date:
      type: date
      compute:
        - when: category == "KP4"
          value: last_exposure_date
        - when: arrival_date is defined
          value: arrival_date
        - default: last_exposure_date

the engine works it out after every entry (the first rule that holds; its value an expression),
and nobody may give it. Checked here: the rules' shape, that no action or check takes a computed
field, that a rule's value is a field of the same type, and that computed fields do not read each
other in a circle.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sopflow.language.model import ComputeRule, FieldSpec, Step
from sopflow.language.problems import ProblemSink
from sopflow.language.yamlsource import Path

if TYPE_CHECKING:
    from sopflow.language.builder import FlowBuilder


def compute_rules(builder: FlowBuilder, raws: Any, path: Path) -> tuple[ComputeRule, ...]:
    """The rules of one field's `compute:` list, each guard and value checked as guards are."""
    if not isinstance(raws, list):
        return ()
    rules = []
    for i, raw in enumerate(raws):
        where = (*path, i)
        is_default = "default" in raw
        if is_default in ("when" in raw, "value" in raw):  # a default, or a when with a value
            builder.sink.add("field.compute_rule", where)
            continue
        if is_default and i != len(raws) - 1:
            builder.sink.add("field.compute_default_last", where)
        when = None if is_default else builder.guard(str(raw["when"]), (*where, "when"))
        key = "default" if is_default else "value"
        value = builder.guard(str(raw[key]), (*where, key))
        if value is not None and (is_default or when is not None):
            rules.append(ComputeRule(when, value, raw.get("source")))
    if rules and rules[-1].when is not None:
        builder.sink.add("field.compute_no_default", path)
    return tuple(rules)


def check_computed(fields: Mapping[str, FieldSpec], steps: Mapping[str, Step], sink: ProblemSink) -> None:
    """No action or check takes a computed field; a rule's value that is a field has the computed
    field's type; computed fields do not read each other in a circle."""
    computed = {name: spec for name, spec in fields.items() if spec.compute}
    if not computed:
        return
    for step in steps.values():
        moves = [("actions", a.name, a.requires, a.accepts) for a in step.actions]
        moves += [("checks", c.name, c.requires, c.accepts) for c in step.checks]
        for i, (group, name, requires, accepts) in enumerate(moves):
            for taken in dict.fromkeys((*requires, *accepts)):
                if taken in computed:
                    index = i if group == "actions" else i - len(step.actions)
                    sink.add(
                        "field.computed_input", ("steps", step.id, group, index), field=taken, action=name
                    )
    for name, spec in computed.items():
        for i, rule in enumerate(spec.compute):
            source = rule.value.source.strip()
            other = fields.get(source)
            if other is not None and other.type is not spec.type:
                path = ("fields", name, "compute", i)
                sink.add("field.compute_type", path, field=name, value=source, type=other.type.value)
    _check_cycles(computed, sink)


def _reads(spec: FieldSpec) -> set[str]:
    names: set[str] = set()
    for rule in spec.compute:
        names |= rule.value.names | (rule.when.names if rule.when is not None else frozenset())
    return names


def _check_cycles(computed: Mapping[str, FieldSpec], sink: ProblemSink) -> None:
    reads = {name: _reads(spec) & set(computed) for name, spec in computed.items()}
    for start in computed:
        chain = [start]
        pending = [(start, [start])]
        while pending:
            name, chain = pending.pop()
            for nxt in sorted(reads[name]):
                if nxt == start:
                    cycle = " → ".join((*chain, start))
                    sink.add("field.compute_cycle", ("fields", start, "compute"), cycle=cycle)
                    return
                if nxt not in chain:
                    pending.append((nxt, [*chain, nxt]))


def computed_order(fields: Mapping[str, FieldSpec]) -> tuple[str, ...]:
    """Computed fields, each after the computed fields it reads (the checks refuse circles)."""
    computed = {name: spec for name, spec in fields.items() if spec.compute}
    done: list[str] = []
    while len(done) < len(computed):
        ready = [n for n in computed if n not in done and _reads(computed[n]) & set(computed) <= set(done)]
        if not ready:  # a circle: refused at load time; keep the declared order
            return tuple(computed)
        done += ready
    return tuple(done)
