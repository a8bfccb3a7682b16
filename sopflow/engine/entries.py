"""What staff enter on a case: values parsed by the flow's fields (only the fields an action or
check takes), and the changes they make, as the history records them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, NoReturn

from sopflow.cases.fielddata import FieldValueError, Parser, to_json
from sopflow.cases.records import NO_CHANGES
from sopflow.engine.changes import Move
from sopflow.errors import CaseError
from sopflow.language.model import Flow
from sopflow.language.naming import FlowNames


class Entries:
    """The field parsers of one flow (version), and the refusals of a field it cannot take."""

    def __init__(self, flow: Flow, parsers: Mapping[str, Parser], names: FlowNames) -> None:
        self.flow = flow
        self.parsers = parsers
        self.names = names

    def changes(
        self, before: Mapping[str, Any], values: Mapping[str, Any], *, every: bool = False
    ) -> Mapping[str, list[Any]]:
        """Field -> [old, new] as JSON data, for the values that differ from what the case has
        (`every`: for all values given)."""
        changes = {}
        dates = self.flow.date_fields
        for name, value in values.items():
            old = before.get(name)
            if every or old != value:
                changes[name] = [to_json(old), to_json(value)] if name in dates else [old, value]
        return MappingProxyType(changes) if changes else NO_CHANGES

    def parse_taken(self, case_id: str, data: Mapping[str, Any], move: Move, at: datetime) -> dict[str, Any]:
        """The values an action or check was given, parsed; the fields must be ones it takes.
        A field may be named by its id or its label (体温=37.5)."""
        takes = move.takes
        values = {}
        for given, raw in data.items():
            name, parse = given, takes.get(given)
            if parse is None:
                name = self.names.fields.id_of(given, refuse=CaseError)
                parse = takes.get(name)
            if parse is None:
                self.refuse_field(case_id, given, set(takes), move.name)
            try:
                values[name] = parse(raw, at)
            except FieldValueError as exc:
                raise CaseError(exc.code, case=case_id, **exc.params) from None
        return values

    def field_id(self, given: str) -> str:
        """The id of the field `given` names (its id or label); as given if it names none (it is
        then refused, with a did-you-mean, when parsed)."""
        if given in self.parsers:
            return given
        return self.names.fields.id_of(given, refuse=CaseError)

    def parse(
        self,
        case_id: str,
        data: Mapping[str, Any],
        *,
        allowed: set[str] | None,
        at: datetime,
        action: str = "",
    ) -> dict[str, Any]:
        """`data` parsed by the flow's fields; with `allowed`, only those fields may be given."""
        values: dict[str, Any] = {}
        for given, raw in data.items():
            name = given if given in self.parsers else self.names.fields.id_of(given, refuse=CaseError)
            parse = self.parsers.get(name)
            if parse is None or (allowed is not None and name not in allowed):
                self.refuse_field(case_id, given, allowed, action)
            try:
                values[name] = parse(raw, at)
            except FieldValueError as exc:
                raise CaseError(exc.code, case=case_id, **exc.params) from None
        return values

    def refuse_field(self, case_id: str, name: str, allowed: set[str] | None, action: str) -> NoReturn:
        fields = self.names.fields
        known = fields.find(name)
        if known is None:
            raise CaseError(
                "case.unknown_field",
                case=case_id,
                field=name,
                flow=self.flow.id,
                suggestion=fields.suggestion(name),
            )
        raise CaseError(
            "case.field_not_taken",
            case=case_id,
            field=fields.named(known),
            action=self.names.actions.named(action) if action else "-",
            fields=fields.listing(f for f in self.flow.fields if f in (allowed or ())),
        )
