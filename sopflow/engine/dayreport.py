"""The daily consultation report (每日会商研判) as plain data: per place, the columns of the
county's settings at the cut-off, and their change since the day before; a total row that is the
sum of the rows above it. Made from the ledger's counts; renderers read only this view."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import TypedDict

from sopflow.engine import ledger
from sopflow.engine.runtime import Engine
from sopflow.engine.settings import Column, in_language, report_columns
from sopflow.i18n import say
from sopflow.language.model import Flow
from sopflow.store.tallies import place_paths

LEVELS = {"town": ("town",), "village": ("village", "community"), "grid": ("grid",)}
BY_WORDS = {"town": "report.by.town", "village": "report.by.village", "grid": "report.by.grid"}


class ReportColumn(TypedDict):
    id: str
    label: str
    changes: bool  # whether a change since the day before is shown


class ReportRow(TypedDict):
    place: str  # the place's name (or "other places")
    path: str
    values: list[int]
    changes: list[int | None]


class DailyReport(TypedDict):
    title: str
    date: str
    cutoff: str
    place: str
    by: str
    columns: list[ReportColumn]
    rows: list[ReportRow]
    total: ReportRow
    notes: list[str]


def daily_report(
    engine: Engine,
    day: date,
    cutoff: time,
    lang: str,
    *,
    by: str = "town",
    place: str | None = None,
    settings: Path | None = None,
) -> DailyReport:
    """The report of `day` at `cutoff` (local time) for the places of level `by` at or below
    `place` (the county if None)."""
    columns = report_columns(settings)
    at = datetime.combine(day, cutoff, engine.tz)
    now = engine.clock()
    # The cut-off is today's or still to come: overdue work and open alerts are counted as they
    # stand now. A past day's are not: what was overdue then cannot be told from due times now.
    today = now.astimezone(engine.tz).date() <= day
    with engine.store.reading() as conn:
        paths = place_paths(conn, LEVELS[by], place)
        query = ledger.DayQuery(columns, ledger.Places(paths), _flows(engine), under=place)
        counts = query.counts(conn, engine.store, min(at, now) if today else at, now=now if today else None)
        before = query.counts(conn, engine.store, at - ledger.DAY, now=None)
    shown = _shown_columns(engine, columns, counts.roles, lang)
    rows = [_row(path, shown, counts, before, lang) for path in counts.values]
    total = ReportRow(
        place=say("report.total", lang),
        path=place or "",
        values=[sum(r["values"][i] for r in rows) for i in range(len(shown))],
        changes=[
            None if not c["changes"] else sum(r["changes"][i] or 0 for r in rows) for i, c in enumerate(shown)
        ],
    )
    notes = [say("report.note.change", lang), *_time_notes(at, now, today, lang)]
    return DailyReport(
        title=say("report.title", lang),
        date=day.isoformat(),
        cutoff=cutoff.strftime("%H:%M"),
        place=place or say("report.county", lang),
        by=say(BY_WORDS[by], lang),
        columns=shown,
        rows=rows,
        total=total,
        notes=notes,
    )


def _time_notes(at: datetime, now: datetime, today: bool, lang: str) -> list[str]:
    """What the reader must know of the time counted to: a past day; a cut-off still to come
    (the numbers are as of now); a cut-off passed (later work is in tomorrow's report)."""
    cutoff = at.strftime("%H:%M")
    if not today:
        return [say("report.note.past", lang)]
    if now < at:
        return [
            say("report.note.so_far", lang, cutoff=cutoff, now=now.astimezone(at.tzinfo).strftime("%H:%M"))
        ]
    if now > at:
        return [say("report.note.after", lang, cutoff=cutoff, next=(at + ledger.DAY).date().isoformat())]
    return []


def _flows(engine: Engine) -> ledger.FlowOf:
    def flow(flow_id: str) -> Flow | None:
        return engine.flows.load(flow_id) if flow_id in engine.flows.ids() else None

    return flow


def role_label(engine: Engine, role: str, lang: str) -> str:
    """A role's label from the first flow that has it (its id if none does)."""
    for flow_id in sorted(engine.flows.ids()):
        labels = engine.flows.load(flow_id).roles.get(role)
        if labels:
            return labels.get(lang) or next(iter(labels.values()))
    return role


def _shown_columns(
    engine: Engine, columns: Sequence[Column], roles: Sequence[str], lang: str
) -> list[ReportColumn]:
    shown = []
    for column in columns:
        label = in_language(column.label, lang)
        changes = not (column.alerts or column.overdue is not None)
        shown.append(ReportColumn(id=column.id, label=label, changes=changes))
        if column.by_role:
            for role in roles:
                sub = say("report.by_role", lang, column=label, role=role_label(engine, role, lang))
                shown.append(ReportColumn(id=f"{column.id}:{role}", label=sub, changes=False))
    return shown


def _row(
    path: str, columns: Sequence[ReportColumn], counts: ledger.DayCounts, before: ledger.DayCounts, lang: str
) -> ReportRow:
    now = counts.values[path]
    then = before.values.get(path)
    values = [now[c["id"]] for c in columns]
    changes: list[int | None] = [
        (now[c["id"]] - (then[c["id"]] if then else 0)) if c["changes"] else None for c in columns
    ]
    name = path.rpartition("/")[2] if path != ledger.OTHER else say("report.other", lang)
    return ReportRow(place=name, path=path, values=values, changes=changes)
