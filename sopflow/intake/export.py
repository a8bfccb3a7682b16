"""`sopflow export`: the cases a list shows, as the sheet a county reports upward — whom each is
about, where, the step it is at, its status, what is due by when and the last check — one page
of cases at a time, so that a county's cases fit in memory. Personal values are masked unless
asked for, as in every list."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import datetime, tzinfo
from typing import Any

from sopflow.cases.filter import CaseFilter
from sopflow.cases.inputs import local_text
from sopflow.cases.privacy import mask_text, masked
from sopflow.cases.records import Case
from sopflow.engine.casewords import values_text
from sopflow.engine.runtime import Engine
from sopflow.engine.schedule import due_items
from sopflow.engine.views import case_summary
from sopflow.i18n import say
from sopflow.language.model import Flow
from sopflow.store.queries import Reading, last_readings
from sopflow.store.registry import subjects_of

PAGE = 1000
COLUMNS = (
    "case",
    "flow",
    "name",
    "id_number",
    "phone",
    "place",
    "step",
    "status",
    "worker",
    "due",
    "overdue",
    "last_check",
    "updated_at",
)
PERSON_FIELDS = {"name": ("full_name", "name"), "id_number": ("id_number",), "phone": ("phone",)}


def export_header(lang: str) -> list[str]:
    return [say(f"column.{column}", lang) for column in COLUMNS]


def export_rows(
    engine: Engine, where: CaseFilter, lang: str, now: datetime, *, show_personal: bool, overdue: bool = False
) -> Iterator[list[object]]:
    """A row per case matching `where` (and, with `overdue`, having something overdue `now`)."""
    after: str | None = where.after_id
    left = where.limit
    while left is None or left > 0:
        page = engine.cases(replace(where, after_id=after, limit=min(PAGE, left or PAGE)))
        if not page:
            return
        after = page[-1].id
        with engine.store.reading() as conn:
            subjects = subjects_of(conn, [case.id for case in page])
            readings = last_readings(conn, [case.id for case in page])
        kinds = engine.place_kinds(case.place for case in page)
        for case in page:
            row = _row(
                engine,
                case,
                subjects.get(case.id),
                lang,
                now,
                show_personal=show_personal,
                kinds=kinds,
                reading=readings.get(case.id),
            )
            if row is None or (overdue and row[COLUMNS.index("overdue")] != say("word.yes", lang)):
                continue
            yield row
            if left is not None:
                left -= 1
                if left == 0:
                    return


def _row(
    engine: Engine,
    case: Case,
    subject: dict[str, Any] | None,
    lang: str,
    now: datetime,
    *,
    show_personal: bool,
    kinds: Mapping[str, str],
    reading: Reading | None,
) -> list[object] | None:
    stepper = engine.stepper_for(case)
    # the place: a door masked, the building or hamlet kept (not who lives at which door)
    summary = case_summary(stepper, case, lang, engine.tz, show_personal=show_personal, kinds=kinds)
    person = {key: _person(key, subject, summary["data_text"], show_personal) for key in PERSON_FIELDS}
    items = due_items(stepper, case, now) if case.active else []
    first = min(items, key=lambda i: i.due_at) if items else None
    status = (
        say("status.active", lang)
        if case.active
        else say("status.ended", lang, outcome=summary["outcome_label"] or "")
    )
    return [
        case.id,
        summary["flow_title"],
        person["name"],
        person["id_number"],
        person["phone"],
        summary["place"] or "",
        summary["step_label"],
        status,
        summary["assigned_to"] or "",
        local_text(first.due_at, engine.tz) if first else "",
        say("word.yes" if any(i.overdue for i in items) else "word.no", lang) if items else "",
        _reading_text(stepper.flow, reading, engine.tz, lang, show_personal=show_personal),
        summary["updated_at"] or "",
    ]


def _person(key: str, subject: dict[str, Any] | None, data_text: dict[str, str], show_personal: bool) -> str:
    """The registry's value for the case's person, else what the case holds (masked as it is)."""
    value = subject.get(key) if subject else None
    if value:
        return str(value) if show_personal else mask_text(str(value))
    return next((data_text[f] for f in PERSON_FIELDS[key] if data_text.get(f)), "")


def _reading_text(flow: Flow, reading: Reading | None, tz: tzinfo, lang: str, *, show_personal: bool) -> str:
    """2020-02-03 08:05 测体温问症状 体温=38.2 ℃、有症状=是: the last check recorded, at any step
    (queries.last_readings: the case's row keeps only those of its current step's visit)."""
    if reading is None:
        return ""
    at, name, changes = reading
    values = masked(flow.fields, {k: change[1] for k, change in changes.items()}, show_personal=show_personal)
    label = flow.text(_check_label(flow, name), lang)
    return " ".join(part for part in (local_text(at, tz), label, values_text(flow, values, lang)) if part)


def _check_label(flow: Flow, name: str) -> Any:
    for step in flow.steps.values():
        for check in step.checks:
            if check.name == name:
                return check.label
    return {"en": name}
