"""Computed fields worked out after each entry, by the rules the flow states (language/computed.py).

Each value that changes goes into the same event's `changes`, so the history shows it and a
replay needs no rule. A rule that cannot be decided yet (a field it reads is not filled in) leaves
the field undefined: a timer counted from it waits, as it waits for a typed date.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sopflow.errors import CaseError
from sopflow.language.computed import computed_order
from sopflow.language.guardops import GuardRuntimeError
from sopflow.language.model import FieldSpec, Flow, Guard
from sopflow.language.naming import FlowNames


class Computer:
    """The computed fields of one flow version."""

    def __init__(self, flow: Flow, params: Mapping[str, Any], names: FlowNames) -> None:
        self.fields = [flow.fields[name] for name in computed_order(flow.fields)]
        self.ids = frozenset(spec.id for spec in self.fields)
        self.params = params
        self.names = names
        self.guards = [
            g for spec in self.fields for r in spec.compute for g in (r.when, r.value) if g is not None
        ]

    def given_only(self, values: Mapping[str, Any]) -> Mapping[str, Any]:
        """An entry's values as a person gave them: without what the flow worked out (an entry
        played again, by a correction, gives its values again and has them worked out anew)."""
        if not self.ids or not self.ids & values.keys():
            return values
        return {name: value for name, value in values.items() if name not in self.ids}

    def refuse_given(self, case_id: str, values: Mapping[str, Any]) -> None:
        """CaseError if an entry gives a field the flow works out itself."""
        for spec in self.fields:
            if spec.id in values:
                raise CaseError("case.field_computed", case=case_id, field=self.names.fields.named(spec.id))

    def with_computed(
        self,
        before: Mapping[str, Any],
        values: dict[str, Any],
        at: datetime,
        params: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """`values` and each computed field whose value the entry changes (`params`: the flow's,
        with the case's history where a rule reads it, `children_ended(…)`)."""
        if not self.fields:
            return values
        merged = {**before, **values}
        for spec in self.fields:
            value = self.value(spec, merged, at, params)
            if value != before.get(spec.id):
                values[spec.id] = value
            if value is None:
                merged.pop(spec.id, None)
            else:
                merged[spec.id] = value
        return values

    def _missing(self, guard: Guard, data: Mapping[str, Any]) -> bool:
        """Whether a name the rule reads as a value is neither in the case nor a param."""
        return any(name not in data and name not in self.params for name in guard.needed)

    def value(
        self, spec: FieldSpec, data: Mapping[str, Any], at: datetime, given: Mapping[str, Any] | None = None
    ) -> Any:
        """The first rule that holds gives the value; None where a rule cannot be decided yet."""
        params = self.params if given is None else given
        for rule in spec.compute:
            try:
                if rule.when is not None and self._missing(rule.when, data):
                    return None  # not decided yet: a field it reads is not entered
                if rule.when is not None and not rule.when.holds(data, params, at):
                    continue
                if any(name not in data and name not in self.params for name in rule.value.names):
                    return None
                return rule.value.value(data, params, at)
            except GuardRuntimeError:
                return None
        return None
