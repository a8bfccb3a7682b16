"""The case sheet's grid of twice-daily temperature checks: each reading in its day and slot, a
check owed and not recorded in red, nothing owed yet left blank, no grid for a case without
temperature checks."""

from __future__ import annotations

import re
from datetime import date

from sopflow.engine.check_views import CheckView
from sopflow.engine.runtime import Engine
from sopflow.engine.sheet_views import case_sheet_view
from sopflow.render.casesheet import case_sheet_html
from tests.commands.test_no_ids_in_chinese import ids_in
from tests.conftest import Clock
from tests.scenarios.helpers import LOCAL, place_at_home, record_readings, slot_times


def test_the_grid_shows_readings_and_the_checks_that_were_missed(engine: Engine, clock: Clock) -> None:
    clock.now = LOCAL(2020, 2, 1, 7, 30)
    place_at_home(engine, "K-1")
    moments = sorted(slot_times(date(2020, 2, 1), date(2020, 2, 4)))
    moments.remove(LOCAL(2020, 2, 3, 16))  # the evening of 3 Feb was never recorded
    record_readings(engine, clock, "K-1", moments[:-1])
    record_readings(engine, clock, "K-1", moments[-1:], temperature="37.1")
    clock.now = LOCAL(2020, 2, 5, 8, 30)  # printed in the morning window: nothing of the 5th is missed yet
    for lang, missed_word, summary in (("zh", "缺", "应测未记录 1 次"), ("en", "missed", "1 checks owed")):
        page = case_sheet_html(case_sheet_view(engine, "K-1", lang, clock.now), lang)
        grid = page[
            page.index('<table class="checks">') : page.index("</table>", page.index('class="checks"'))
        ]
        assert re.findall(r"<th>(\d\d-\d\d)</th>", grid) == ["02-01", "02-02", "02-03", "02-04", "02-05"]
        morning, evening = re.findall(r"<tr><th>[^<]+</th>\n(.*?)</tr>", grid)
        assert re.findall(r"<td[^>]*>([^<]*)</td>", morning) == ["36.5", "36.5", "36.5", "36.5", ""]
        assert re.findall(r"<td[^>]*>([^<]*)</td>", evening) == ["36.5", "36.5", missed_word, "37.1", ""]
        assert grid.count('class="missed"') == 1 and summary in page


def test_a_case_without_temperature_checks_has_no_grid(engine: Engine, clock: Clock) -> None:
    clock.now = LOCAL(2020, 2, 1, 9, 0)
    engine.start(
        "supply_request",
        "R-1",
        {"household_id": "H-1", "address": "前郭镇"},
        actor="王芳",
        role="grid_worker",
    )
    page = case_sheet_html(case_sheet_view(engine, "R-1", "zh", clock.now), "zh")
    assert '<table class="checks">' not in page and '<h2 class="next-page">' not in page


def test_a_chinese_case_sheet_shows_no_ids(engine: Engine, clock: Clock) -> None:
    """What a worker reads on paper: labels only (the ids stay in --json and the handbook's index)."""
    clock.now = LOCAL(2020, 2, 1, 7, 30)
    place_at_home(engine, "K-1")
    record_readings(engine, clock, "K-1", sorted(slot_times(date(2020, 2, 1), date(2020, 2, 2))))
    page = case_sheet_html(case_sheet_view(engine, "K-1", "zh", LOCAL(2020, 2, 3, 9, 0)), "zh")
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", page, flags=re.S))
    assert ids_in(text, set()) == set()


def test_the_case_sheet_counts_the_missed_checks_as_the_release_review_does(
    engine: Engine, clock: Clock
) -> None:
    place_at_home(engine, "K-0005")
    record_readings(engine, clock, "K-0005", [LOCAL(2020, 2, 2, 8), LOCAL(2020, 2, 11, 16)])
    clock.now = LOCAL(2020, 2, 15, 0, 1)
    engine.tick()
    shown = {c["name"]: c for c in case_detail_checks(engine, "K-0005", clock)}
    missed = shown["temperature_check"]["missed"]
    for lang, heading in (("zh", "解除评估按此清点"), ("en", "as the release review counts them")):
        page = case_sheet_html(case_sheet_view(engine, "K-0005", lang, clock.now), lang)
        counts = page[page.index('<table class="check-counts">') :]
        counts = counts[: counts.index("</table>")]
        assert heading in page
        label = "测体温问症状" if lang == "zh" else "Temperature and symptoms"
        assert f'<tr><td>{label}</td><td>2</td><td class="missed">{missed}</td>' in counts
    assert missed >= 20


def case_detail_checks(engine: Engine, case_id: str, clock: Clock) -> list[CheckView]:
    return case_sheet_view(engine, case_id, "en", clock.now).detail["checks"]


def test_the_grid_and_the_check_counts_agree(engine: Engine, clock: Clock) -> None:
    """Placed at 15:30, inside the 16:00 window: that reading is not owed (engine/slots.py), so
    neither the grid nor the counts the release review reads call it missed; and the in-person
    checks, owed only when no camera can be fitted, are not counted as missed under a camera."""
    clock.now = LOCAL(2020, 2, 1, 15, 30)
    place_at_home(engine, "K-1")
    moments = sorted(slot_times(date(2020, 2, 2), date(2020, 2, 4)))
    moments.remove(LOCAL(2020, 2, 3, 8))
    record_readings(engine, clock, "K-1", moments)
    clock.now = LOCAL(2020, 2, 5, 8, 30)
    view = case_sheet_view(engine, "K-1", "zh", clock.now)
    counts: dict[str, CheckView] = {c["name"]: c for c in view.detail["checks"]}
    page = case_sheet_html(view, "zh")
    grid = page[page.index('<table class="checks">') : page.index("</table>", page.index('class="checks"'))]
    assert counts["temperature_check"]["missed"] == 1 == grid.count('class="missed"')
    assert "应测未记录 1 次" in page
    assert counts.get("in_person_check", {"missed": 0})["missed"] == 0


def test_readings_taken_before_any_check_was_owed_are_not_called_missed(engine: Engine, clock: Clock) -> None:
    """Placed at home at 21:59 and read three times that evening, the last a fever: no fixed-time
    check was owed yet (the 08:00 and 16:00 windows had closed before the person came), so the
    sheet draws no red 'missed' morning, as its count of missed checks says 0."""
    clock.now = LOCAL(2020, 2, 1, 21, 59)
    place_at_home(engine, "K-1")
    record_readings(engine, clock, "K-1", [LOCAL(2020, 2, 1, 22, 0), LOCAL(2020, 2, 1, 22, 5)])
    record_readings(engine, clock, "K-1", [LOCAL(2020, 2, 1, 22, 10)], temperature="38.2")
    assert engine.case("K-1").step == "fever_found"
    view = case_sheet_view(engine, "K-1", "zh", LOCAL(2020, 2, 1, 22, 30))
    counts = {c["name"]: c for c in view.detail["checks"]}
    page = case_sheet_html(view, "zh")
    assert counts["temperature_check"]["missed"] == 0
    assert 'class="missed">缺' not in page and "应测未记录" not in page
