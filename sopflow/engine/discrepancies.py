"""What `verify` found, as rows for people and programs: one row per differing field or check,
named by its label, personal values masked, times in local time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from typing import Any, TypedDict

from sopflow.cases.privacy import NO_KINDS, mask_value, place_shown
from sopflow.engine.casewords import field_label, way_text
from sopflow.engine.correction_views import worker_shown
from sopflow.engine.stepper import Stepper
from sopflow.engine.verify import Discrepancy
from sopflow.engine.views import field_json, moment_of, shown_value
from sopflow.i18n import CATALOGUE, Phrase, say
from sopflow.language.model import FieldSpec


class DiscrepancyRow(TypedDict):
    case: str
    field: str
    field_label: str
    stored: Any
    replayed: Any


def discrepancy_rows(
    stepper: Stepper | None,
    found: Discrepancy,
    tz: tzinfo,
    *,
    show_personal: bool,
    lang: str = "en",
    kinds: Mapping[str, str] = NO_KINDS,
) -> list[DiscrepancyRow]:
    """What `verify` found differing in one case, as JSON data: one row per differing data field
    or check (`data.full_name`, `last_checks.temperature_check`) with its label in `lang`,
    personal values masked, times in local time. `stepper`: the case's rules (None for a case
    that cannot be read); `kinds`: the registry's kind of a differing place (a door is masked)."""
    fields = stepper.flow.fields if stepper is not None else {}

    def row(field: str, stored: Any, replayed: Any) -> DiscrepancyRow:
        return {
            "case": found.case_id,
            "field": field,
            "field_label": _label(stepper, field, lang),
            "stored": stored,
            "replayed": replayed,
        }

    if found.field == "data" and isinstance(found.stored, Mapping) and isinstance(found.replayed, Mapping):

        def shown(name: str, value: Any) -> Any:
            spec = fields.get(name)
            return field_json(spec, value if show_personal else mask_value(spec, value), tz)

        stored, replayed = found.stored, found.replayed
        return [
            row(f"data.{name}", shown(name, stored.get(name)), shown(name, replayed.get(name)))
            for name in sorted(set(stored) | set(replayed))
            if stored.get(name) != replayed.get(name)
        ]
    if isinstance(found.stored, Mapping) and isinstance(found.replayed, Mapping):  # last_checks
        stored, replayed = found.stored, found.replayed
        return [
            row(f"{found.field}.{name}", _plain(stored.get(name), tz), _plain(replayed.get(name), tz))
            for name in sorted(set(stored) | set(replayed))
            if stored.get(name) != replayed.get(name)
        ]
    if found.field == "assigned_to":  # a staff name, masked like the names in a history
        names = (worker_shown(v, show_personal=show_personal) for v in (found.stored, found.replayed))
        return [row(found.field, *names)]
    if found.field == "place":  # a door masked as lists mask it
        places = (place_shown(v, kinds, show_personal=show_personal) for v in (found.stored, found.replayed))
        return [row(found.field, *places)]
    return [row(found.field, _said(found.stored, lang, tz), _said(found.replayed, lang, tz))]


def _said(value: Any, lang: str, tz: tzinfo) -> Any:
    """A value as `_plain` gives it, or what verify says instead of one (up to now), in `lang`."""
    if isinstance(value, Phrase):
        return say(value.code, lang, **value.params)
    return _plain(value, tz)


def _label(stepper: Stepper | None, field: str, lang: str) -> str:
    """A data field or a check by its label (姓名, 测体温问症状); a part of the case by its name."""
    kind, _, name = field.partition(".")
    if CATALOGUE.has(f"verify.part.{field}"):  # the history, the alerts table: in words
        return say(f"verify.part.{field}", lang)
    if stepper is None:
        return field
    if kind == "data":
        return field_label(stepper.flow, name, lang)
    if kind == "last_checks":
        steps = [s.id for s in stepper.flow.steps.values() if any(c.name == name for c in s.checks)]
        return way_text(stepper.flow, steps[0], name, lang) if steps else name
    return field


def discrepancy_text(fields: Mapping[str, FieldSpec], field: str, value: Any) -> str:
    """A value of a `discrepancy_rows` row as a person reads it."""
    if value is None:
        return "-"
    if field.startswith("data."):
        return shown_value(fields, field.removeprefix("data."), value)
    moment = moment_of(value) if field == "entered_at" or field.startswith("last_checks.") else None
    if moment is not None:
        return moment.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "-"
    return str(value)


def _plain(value: Any, tz: tzinfo) -> Any:
    """Any value a case holds as JSON data: times in local time, tuples as lists."""
    if isinstance(value, datetime):
        return value.astimezone(tz).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v, tz) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, tz) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)  # text, and a case's status (a str enum) as its plain text
