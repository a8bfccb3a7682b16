"""A worker's list for a day as plain data: the work due (overdue first) with each step's plain
instructions, and the people under twice-daily checks as rows of a table to fill in on paper.
What is due comes from the ledger (as `due` reads it); names and addresses are masked unless
asked for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import TypedDict

from sopflow.cases.privacy import NO_KINDS, mask_place, mask_text
from sopflow.cases.records import Case
from sopflow.engine import ledger
from sopflow.engine.dayreport import role_label
from sopflow.engine.runtime import Engine
from sopflow.engine.schedule import DueItem
from sopflow.i18n import say
from sopflow.language.model import Flow, Text

CHECK_FIELD = "temperature"  # a check that asks for it is one of the twice-daily checks
SLOTS = (time(8, 0), time(16, 0))  # 上午 / 下午, as docs/checks-sheet.md says


class WorkItem(TypedDict):
    case: str
    due_at: str
    overdue: bool
    name: str
    address: str
    step: str
    roles: str


class CheckRow(TypedDict):
    case: str
    name: str
    address: str
    step: str
    overdue: bool  # a twice-daily check is overdue now
    day: str  # 第x天 of the observation, if the flow counts it


class Instruction(TypedDict):
    step: str
    text: str


class Worklist(TypedDict):
    title: str
    who: str
    date: str
    printed: str
    masked: bool
    items: list[WorkItem]
    checks: list[CheckRow]
    instructions: list[Instruction]


def worklist_view(
    engine: Engine,
    day: date,
    lang: str,
    *,
    worker: str | None = None,
    role: str | None = None,
    place: str | None = None,
    show_personal: bool = False,
) -> Worklist:
    """What `worker` (or `role` at `place`) has to do on `day`: work due by the day's end, and the
    people whose step asks for a temperature twice a day."""
    end = datetime.combine(day + timedelta(days=1), time(0, 0), engine.tz)
    now = min(engine.clock(), end)
    items = engine.due(now, role=role, place=place, within=end - now, worker=worker)
    with engine.store.reading() as conn:
        checked = ledger.under_checks(conn, engine.store, _check_steps(engine), place=place, worker=worker)
    overdue_checks = {i.case_id for i in items if i.kind == "check" and i.overdue}
    cases = {case.id: case for case in checked}
    for item in items:
        if item.case_id not in cases:
            cases[item.case_id] = engine.case(item.case_id)
    flows = {case.flow_id: engine.stepper_for(case).flow for case in cases.values()}
    kinds = engine.place_kinds(case.place for case in cases.values())
    work = [
        _item(
            item,
            cases[item.case_id],
            flows[cases[item.case_id].flow_id],
            engine,
            lang,
            show_personal=show_personal,
            kinds=kinds,
        )
        for item in items
        if item.kind == "deadline"
    ]
    rows = [
        _check_row(
            case,
            flows[case.flow_id],
            day,
            lang,
            overdue=case.id in overdue_checks,
            show_personal=show_personal,
            kinds=kinds,
        )
        for case in checked
    ]
    steps = {(cases[i.case_id].flow_id, i.step) for i in items if i.kind == "deadline"}
    steps |= {(case.flow_id, case.step) for case in checked}
    who = worker or role_label(engine, role or "", lang)
    if not worker and place:  # a role's list for a place; without one, no stray comma after it
        who = say("worklist.role_at", lang, role=who, place=place)
    return Worklist(
        title=say("worklist.title", lang),
        who=who,
        date=day.isoformat(),
        printed=engine.clock().astimezone(engine.tz).strftime("%Y-%m-%d %H:%M"),
        masked=not show_personal,
        items=work,
        checks=rows,
        instructions=_instructions(flows, sorted(steps), lang),
    )


def _check_steps(engine: Engine) -> list[tuple[str, str]]:
    """(flow, step) of every step with a check that asks for a temperature."""
    pairs = []
    for flow_id in sorted(engine.flows.ids()):
        flow = engine.flows.load(flow_id)
        for step in flow.steps.values():
            if any(CHECK_FIELD in check.requires for check in step.checks):
                pairs.append((flow_id, step.id))
    return pairs


def _text(labels: Text, lang: str) -> str:
    return labels.get(lang) or next(iter(labels.values()), "")


def person(
    case: Case, lang: str, *, show_personal: bool, kinds: Mapping[str, str] = NO_KINDS
) -> tuple[str, str]:
    """The case's person and address as a list shows them (masked unless asked for): the name
    from the case, the address from the case or else its place below the grid."""
    name = str(case.data.get("full_name") or "")
    door = door_of(case.place, masked=not show_personal, kinds=kinds)
    if show_personal:
        return name, door or str(case.data.get("address") or "")
    typed = str(case.data.get("address") or "")
    return (mask_text(name) if name else ""), door or (mask_text(typed) if typed else "")


def door_of(place: str | None, *, masked: bool, kinds: Mapping[str, str] = NO_KINDS) -> str:
    """A registry door as a worker finds it: the place below the grid (幸福小区1号楼1单元1层101),
    a door masked as lists mask it (…1层*) unless asked for (`kinds`: the registry's kind of the
    place, privacy.is_door); "" if the case's place is not a door's path."""
    if not place or len(parts := place.split("/")) < 6:
        return ""
    if masked:
        parts = (mask_place(place, kinds) or place).split("/")
    below = parts[4:] if parts[3].endswith("网格") else parts[3:]
    return "".join(below)


def _item(
    item: DueItem,
    case: Case,
    flow: Flow,
    engine: Engine,
    lang: str,
    *,
    show_personal: bool,
    kinds: Mapping[str, str],
) -> WorkItem:
    name, address = person(case, lang, show_personal=show_personal, kinds=kinds)
    step = flow.steps[case.step]
    return WorkItem(
        case=case.id,
        due_at=item.due_at.astimezone(engine.tz).strftime("%m-%d %H:%M"),
        overdue=item.overdue,
        name=name,
        address=address,
        step=_text(step.label, lang),
        roles=say("list.sep", lang).join(role_label(engine, r, lang) for r in item.roles),
    )


def _check_row(
    case: Case,
    flow: Flow,
    day: date,
    lang: str,
    *,
    overdue: bool,
    show_personal: bool,
    kinds: Mapping[str, str],
) -> CheckRow:
    name, address = person(case, lang, show_personal=show_personal, kinds=kinds)
    return CheckRow(
        case=case.id,
        name=name,
        address=address,
        step=_text(flow.steps[case.step].label, lang),
        overdue=overdue,
        day=day_of_period(case.data.get("basis_date"), day, lang),
    )


def day_of_period(basis: object, day: date, lang: str, days: int = 14) -> str:
    """第x/14天 counted from the basis date (day 1 the day after it), or "" without one."""
    if isinstance(basis, date):
        start = basis
    elif isinstance(basis, str):
        try:
            start = date.fromisoformat(basis[:10])
        except ValueError:
            return ""
    else:
        return ""
    return say("worklist.day_of", lang, day=(day - start).days, days=days)


def _instructions(flows: dict[str, Flow], steps: Sequence[tuple[str, str]], lang: str) -> list[Instruction]:
    found = []
    for flow_id, step_id in steps:
        step = flows[flow_id].steps.get(step_id) if flow_id in flows else None
        if step is not None and step.instructions:
            found.append(Instruction(step=_text(step.label, lang), text=_text(step.instructions, lang)))
    return found
