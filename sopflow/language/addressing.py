"""Whom a case is about, and signals addressed to them (issue 11, C3).

A field may say that it identifies the person, household or dwelling the case is about:

    fields:
      id_number:    {type: id_number, identifies: person}
      household_id: {type: text, identifies: household}

A signal on an end step then names whom it is for, not which case happened to send it:

    signal:
      flow: key_person_control
      action: fever_reported
      to:                                   # the first address whose field has a value decides
        - person: patient_id_number         # that person's cases take the action (they move)
        - household: household_id           # nobody named: the household's case takes it;
          if_several: [community_doctor]    # several there: each gets an alert, none moves
      alert_roles: [community_doctor]       # also told when a case found cannot take it now
      if_none: [liaison_cadre]              # nobody found: an open alert on this case for them

The checks that need the target flow (its identity fields, its roles) are in crosscheck.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sopflow.language.model import IDENTITY_KINDS, Address, FieldSpec, FieldType, Signal
from sopflow.language.names import suggest
from sopflow.language.referrals import build_referral

if TYPE_CHECKING:
    from sopflow.language.builder import FlowBuilder
    from sopflow.language.problems import ProblemSink
    from sopflow.language.yamlsource import Path

_PERSON_TYPES = (FieldType.ID_NUMBER, FieldType.TEXT)
_ADDRESSABLE = (FieldType.ID_NUMBER, FieldType.TEXT)


def identity_problems(fields: Mapping[str, FieldSpec], sink: ProblemSink) -> None:
    """At most one field per kind; a person is identified by an ID number or a text."""
    seen: dict[str, str] = {}
    for spec in fields.values():
        kind = spec.identifies
        if kind is None:
            continue
        path: Path = ("fields", spec.id, "identifies")
        if kind in seen:
            sink.add("field.identity_twice", path, field=spec.id, kind=kind, other=seen[kind])
        seen.setdefault(kind, spec.id)
        if spec.type not in _PERSON_TYPES:
            sink.add("field.identity_type", path, field=spec.id, type=spec.type.value)


def build_signal(builder: FlowBuilder, raw: Mapping[str, Any], path: Path) -> Signal:
    """The Signal of an end step, its own fields and roles checked; a signal to a flow of format
    2 must say whom it is for and what happens when nobody is found."""
    addresses = []
    for i, item in enumerate(raw.get("to") or []):
        addresses.append(_address(builder, item, (*path, "to", i)))
    if builder.format >= 2 and not addresses:
        builder.sink.add("signal.no_address", (*path, "flow"), on_key=True, flow=raw["flow"])
    if builder.format >= 2 and addresses and not raw.get("if_none"):
        builder.sink.add("signal.no_fallback", (*path, "to"), on_key=True)
    if_none = raw.get("if_none") or []
    start = None
    if isinstance(if_none, Mapping):  # if_none: {start: flow, at: step, copy: …, set: …}
        start = build_referral(builder, str(if_none["start"]), if_none, (*path, "if_none"), at="at")
        if_none = []
    return Signal(
        raw["flow"],
        raw["action"],
        to=tuple(addresses),
        alert_roles=_roles(raw.get("alert_roles")),
        if_none=tuple(
            builder.ref(str(n), builder.role_names, "ref.role", (*path, "if_none", i))
            for i, n in enumerate(if_none)
        ),
        start=start,
    )


def _address(builder: FlowBuilder, item: Mapping[str, Any], path: Path) -> Address:
    kind = next(k for k in IDENTITY_KINDS if k in item)  # the schema asks for exactly one
    field = str(item[kind])
    known = builder.field_names
    if known is not None and field not in known:
        builder.sink.add("signal.address_field", (*path, kind), field=field, suggestion=suggest(field, known))
    spec = builder.fields.get(field)
    if spec is not None and spec.type not in _ADDRESSABLE:
        builder.sink.add("signal.address_type", (*path, kind), field=field, type=spec.type.value)
    return Address(kind, field, _roles(item.get("if_several")))


def _roles(names: list[str] | None) -> tuple[str, ...]:
    """Roles of the receiving flow: checked against it in crosscheck.py."""
    return tuple(str(n) for n in names or ())
