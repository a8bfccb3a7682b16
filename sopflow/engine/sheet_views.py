"""A printed case sheet as plain data an Engine made (render/casesheet.py draws it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from sopflow.engine.correction_views import places_named
from sopflow.engine.views import CaseDetail, case_detail
from sopflow.errors import FlowError
from sopflow.language.model import Flow

if TYPE_CHECKING:
    from sopflow.engine.runtime import Engine


@dataclass(frozen=True)
class CaseSheetView:
    """What a printed case sheet shows, made by an Engine: the page itself never reads a store."""

    flow: Flow
    detail: CaseDetail
    entered_at: datetime  # when the case entered the step it is at
    printed_at: datetime
    tz: tzinfo
    show_personal: bool


def case_sheet_view(
    engine: Engine, case_id: str, lang: str, now: datetime | None = None, *, show_personal: bool = False
) -> CaseSheetView:
    """The case sheet of `case_id` as of `now` (default: the engine's clock; a time without a zone
    is the engine's local time)."""
    case = engine.case(case_id)
    stepper = engine.stepper_for(case)
    moment = now or engine.clock()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=engine.tz)

    def child_flow(flow_id: str) -> Flow | None:  # a child flow named by its title on the sheet
        try:
            return engine.flows.shallow(flow_id)
        except FlowError:
            return None

    kinds = engine.place_kinds(places_named(case))
    detail = case_detail(
        stepper,
        case,
        lang,
        engine.tz,
        moment,
        show_personal=show_personal,
        child_flow=child_flow,
        kinds=kinds,
    )
    return CaseSheetView(stepper.flow, detail, case.entered_at, moment, engine.tz, show_personal)
