"""`sopflow report daily` on the sample county's places with a small day in it: the numbers are
the hand count of county.py, every town has its row (zeros too), the total is the sum of the
rows, and each format says the same."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from sopflow.engine.dayreport import daily_report
from sopflow.engine.runtime import Engine
from sopflow.render.report import markdown
from tests.conftest import Clock
from tests.day.conftest import Run
from tests.day.county import local

DAY, CUTOFF = local(2020, 2, 2).date(), local(2020, 2, 2, 17).time()


def test_the_report_counts_each_town_and_adds_them_up(county: Engine) -> None:
    report = daily_report(county, DAY, CUTOFF, "zh")
    ids = [c["id"] for c in report["columns"]]
    rows = {r["place"]: dict(zip(ids, r["values"], strict=True)) for r in report["rows"]}
    assert list(rows) == ["前郭镇", "平凤乡", "长山镇"]  # 长山镇 had nothing: a row of zeros
    assert set(rows["长山镇"].values()) == {0}
    assert rows["前郭镇"] | {} == {
        **dict.fromkeys(ids, 0),
        "home": 1,  # K-2, at home while the violation is looked into
        "new": 1,
        "fever": 1,
        "violations": 1,
        "overdue": 5,  # K-4's lead, K-1's fever, two supply cases, K-2's violation check
        "overdue:community_police": 1,
        "overdue:grid_worker": 3,
        "overdue:liaison_cadre": 1,
    }
    assert report["total"]["values"] == [sum(r["values"][i] for r in report["rows"]) for i in range(len(ids))]
    change = dict(zip(ids, report["total"]["changes"], strict=True))
    # since 1 Feb 17:00: one fewer at home (the fever), one new against three, overdue not compared
    assert (change["home"], change["new"], change["fever"], change["overdue"]) == (-1, -2, 1, None)


def test_the_notes_say_what_time_the_numbers_are_counted_to(county: Engine, clock: Clock) -> None:
    """At the cut-off, no note of time; before it, the numbers are as of now; after it, later
    work is in the next day's report. Made the next morning, the day is past: overdue work is not
    counted (what was overdue then cannot be told from the due times kept now)."""
    change = "较昨日同一时刻的变化写在数字旁（超时待办和未送达提醒只按当前统计，不作比较）。"
    notes, overdue = {}, {}
    for now in (
        local(2020, 2, 2, 17),
        local(2020, 2, 2, 16, 30),
        local(2020, 2, 2, 21, 5),
        local(2020, 2, 3, 8),
    ):
        clock.now = now
        report = daily_report(county, DAY, CUTOFF, "zh")
        totals = dict(zip((c["id"] for c in report["columns"]), report["total"]["values"], strict=True))
        notes[now.strftime("%d %H:%M")] = report["notes"]
        overdue[now.strftime("%d %H:%M")] = totals["overdue"]
    assert notes == {
        "02 17:00": [change],
        "02 16:30": [change, "截止时间 17:00 未到：数字为现在（16:30）的情况。"],
        "02 21:05": [change, "统计截至 17:00；17:00 以后的工作计入 2020-02-03 的报告。"],
        "03 08:00": [change, "过去的日期：不统计超时待办和未送达提醒（到期时间只保存当前的）。"],
    }
    assert overdue["02 21:05"] == overdue["02 17:00"] > 0
    assert overdue["03 08:00"] == 0
    clock.now = local(2020, 2, 2, 21, 5)
    assert daily_report(county, DAY, CUTOFF, "en")["notes"][1] == (
        "Counted to 17:00; work done after 17:00 is counted in the report of 2020-02-03."
    )


def test_by_village_lists_villages_and_communities_with_zeros(county: Engine) -> None:
    report = daily_report(
        county, local(2020, 2, 2).date(), local(2020, 2, 2, 17).timetz(), "zh", by="village"
    )
    rows = {r["place"]: r["values"] for r in report["rows"]}
    assert sorted(rows) == sorted(
        ["东风社区", "西山社区", "八郎村", "新立村", "平凤村", "长山社区", "红光村"]
    )
    new = [c["id"] for c in report["columns"]].index("new")
    # K-4, given as 前郭镇/东风社区 (without the county), is counted in 东风社区
    assert {name: values[new] for name, values in rows.items() if values[new]} == {"东风社区": 1}
    assert sum(map(sum, [rows["红光村"], rows["长山社区"], rows["平凤村"]])) == 0


def test_markdown_and_csv_and_xlsx_say_the_same(sopflow: Run, tmp_path: Path) -> None:
    printed = sopflow("report", "daily", "--date", "2020-02-02")
    assert printed.exit_code == 0, printed.output
    assert "| 长山镇 | 0 |" in printed.output and "| **合计** |" in printed.output
    for suffix in ("csv", "xlsx"):
        result = sopflow("report", "daily", "--date", "2020-02-02", "-o", str(tmp_path / f"r.{suffix}"))
        assert result.exit_code == 0, result.output
    with (tmp_path / "r.csv").open(encoding="utf-8-sig") as file:
        from_csv = list(csv.reader(file))
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx").active
    assert sheet is not None and sheet.freeze_panes == "A2"
    from_xlsx = [[("" if v is None else str(v)) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert from_csv == from_xlsx
    header, *rows = from_csv
    assert header[:4] == ["地点", "路径", "居家隔离", "集中隔离"]
    assert [r[0] for r in rows] == ["前郭镇", "平凤乡", "长山镇", "合计"]
    new = header.index("今日新增")
    assert [r[new] for r in rows] == ["1", "0", "0", "1"]


def test_html_is_escaped_and_has_bars(county: Engine) -> None:
    from sopflow.render.report import html  # noqa: PLC0415

    report = daily_report(county, DAY, CUTOFF, "zh")
    report["rows"][0]["place"] = "<script>x</script>"
    page = html(report, "zh")
    assert "<script>x" not in page and "&lt;script&gt;x" in page
    assert page.count("<svg") == 4 and "@page" in page
    assert "\\|" in markdown({**report, "rows": [{**report["rows"][0], "place": "a|b"}]}, "zh")


def test_json_is_the_report_view(sopflow: Run) -> None:
    result = sopflow("report", "daily", "--date", "2020-02-02", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["total"]["place"] == "合计" and [r["place"] for r in report["rows"]][-1] == "长山镇"


def test_a_bad_date_or_format_is_one_line(sopflow: Run, tmp_path: Path) -> None:
    bad = sopflow("report", "daily", "--date", "2020-02-31")
    assert bad.exit_code == 2 and "2020-02-31" in bad.output
    other = sopflow("report", "daily", "-o", str(tmp_path / "r.doc"))
    assert other.exit_code == 2 and "doc" in other.output
    needs = sopflow("report", "daily", "-f", "pdf")
    assert needs.exit_code == 2 and "-o" in needs.output


@pytest.mark.needs_chromium
@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs chromium")
def test_pdf_is_one_landscape_a4_page_with_its_fonts(sopflow: Run, tmp_path: Path) -> None:
    import subprocess  # noqa: PLC0415

    result = sopflow("report", "daily", "--date", "2020-02-02", "-o", str(tmp_path / "r.pdf"))
    assert result.exit_code == 0, result.output
    info = subprocess.run(["pdfinfo", str(tmp_path / "r.pdf")], capture_output=True, text=True, check=True)
    assert "Pages:           1" in info.stdout and "841.92 x 594.96" in info.stdout
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True, check=True
    )
    assert "每日会商研判" in text.stdout and "长山镇" in text.stdout
