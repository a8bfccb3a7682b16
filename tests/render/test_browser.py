"""Handbooks and case sheets printed by a real browser (headless Chromium, Debian's `chromium`):
A4 pages, as many as expected, and no text cut: every step's name is in the PDF's text, and every
word lies inside its page."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from sopflow import builtin_flows
from sopflow.cli import cli
from sopflow.engine.runtime import Engine
from sopflow.engine.sheet_views import case_sheet_view
from sopflow.render.browser import chromium_args, print_pdf
from sopflow.render.casesheet import case_sheet_html
from sopflow.render.programs import command
from sopflow.store.store import open_store
from tests.conftest import Clock
from tests.render.test_case_chart import KEY_PERSON_TO_OBSERVATION, walk

needs_browser = pytest.mark.needs_browser
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">')
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


def pdf_pages(pdf: Path) -> list[tuple[float, float]]:
    """Each page's size, and checks that every word of the PDF lies inside its page."""
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    sizes = []
    for page in boxes.split("</page>")[:-1]:
        width, height = map(float, PAGE.search(page).groups())  # type: ignore[union-attr]
        sizes.append((width, height))
        for word in WORD.finditer(page):
            x0, y0, x1, y1 = map(float, word.groups())
            assert x0 >= 0 and x1 <= width and y0 >= 0 and y1 <= height, (len(sizes), word.group(0))
    return sizes


def pdf_text(pdf: Path) -> str:
    """The PDF's text with every space and line break taken out (a name may wrap in its cell)."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", text)


def test_chromium_is_run_with_fixed_arguments(tmp_path: Path) -> None:
    args = chromium_args(tmp_path / "page.html", tmp_path / "page.pdf", tmp_path / "profile")
    if shutil.which("chromium"):
        assert command("chromium", *args)[1:] == args  # every option one sopflow may pass
    assert args[-1].startswith("file://") and f"--print-to-pdf={tmp_path / 'page.pdf'}" in args
    with pytest.raises(ValueError, match="--remote-debugging-port"):
        command("chromium", "--remote-debugging-port=9222")


@needs_browser
@pytest.mark.needs_dot
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_handbook_prints_whole_on_a4(lang: str, tmp_path: Path) -> None:
    pdf = tmp_path / "supply_request.pdf"
    result = CliRunner().invoke(cli, ["handbook", "supply_request", "-o", str(pdf), "--lang", lang])
    assert result.exit_code == 0, result.output
    sizes = pdf_pages(pdf)
    # two chart pages, then the steps, who does what, the data and the settings
    assert len(sizes) <= {"zh": 10, "en": 13}[lang]
    assert all(
        (abs(w - 595) < 2 and abs(h - 842) < 2) or (abs(w - 842) < 2 and abs(h - 595) < 2) for w, h in sizes
    )
    text = pdf_text(pdf)
    flow = builtin_flows()["supply_request"]
    for step in flow.steps.values():
        assert re.sub(r"\s+", "", flow.text(step.label, lang)) in text, step.id
    if lang == "zh":
        assert not re.search(r"[a-z]+_[a-z_]+", text)  # no snake_case id in a Chinese handbook


@needs_browser
def test_a_case_sheet_prints_on_one_page(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/cases.db"
    runner = CliRunner(env={"SOPFLOW_DB": db, "SOPFLOW_ACTOR": "王芳", "SOPFLOW_LANG": "zh"})
    start = [
        *("case", "start", "生活需求", "--id", "R-0001", "--role", "网格员", "--place", "前郭镇/东风社区"),
        *(
            "--set",
            "户编号=H-3-2-501",
            "--set",
            "住址=前郭镇东风社区3号楼2单元501",
            "--at",
            "2020-02-03 08:00",
        ),
    ]
    assert runner.invoke(cli, start).exit_code == 0
    pdf = tmp_path / "R-0001.pdf"
    result = runner.invoke(cli, ["case", "sheet", "R-0001", "-o", str(pdf), "--now", "2020-02-03 10:00"])
    assert result.exit_code == 0, result.output
    assert len(pdf_pages(pdf)) == 1
    text = pdf_text(pdf)
    assert "R-0001" in text and "登记分类" in text and "已超时" in text
    assert not re.search(r"[a-z]+_[a-z_]+", text)


def _page_text(pdf: Path, page: int) -> str:
    text = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return re.sub(r"\s+", "", text)


@needs_browser
def test_a_key_person_case_sheet_prints_on_one_page_then_its_history(tmp_path: Path, clock: Clock) -> None:
    """Issue 10: a case placed at home with a week of twice-daily checks (one missed) prints on one
    A4 page — who, where it stands, the check grid, what to do (the interrupts said once), what is
    due — and its full history on the pages after it; no text cut, in real Chromium."""
    store = open_store(f"sqlite:///{tmp_path}/cases.db")
    engine = Engine(store, clock=clock)
    engine.start(
        "key_person_control",
        "KP-1",
        {"full_name": "张三", "phone": "13812345678"},
        actor="王芳",
        role="grid_worker",
    )
    walk(engine, clock, "KP-1", KEY_PERSON_TO_OBSERVATION)
    start = clock.now.replace(hour=0, minute=10) + timedelta(days=1)
    for day in range(7):
        for hour in (0, 8):  # 08:10 and 16:10 in Shanghai; the evening of the fourth day missed
            clock.now = start + timedelta(days=day, hours=hour)
            if (day, hour) != (3, 8):
                reading = {"temperature": 36.5, "symptoms": False}
                engine.fire("KP-1", "temperature_check", actor="张三", role="subject", data=reading)
                engine.fire(
                    "KP-1", "presence_call", actor="赵六", role="liaison_cadre", data={"present": True}
                )
    clock.now = start + timedelta(days=7, minutes=20)
    html = case_sheet_html(case_sheet_view(engine, "KP-1", "zh", clock()), "zh")
    store.close()
    pdf = tmp_path / "KP-1.pdf"
    print_pdf(html, pdf)
    sizes = pdf_pages(pdf)  # every word inside its page
    assert len(sizes) > 1 and all(abs(w - 595) < 2 and abs(h - 842) < 2 for w, h in sizes)
    first, second = _page_text(pdf, 1), _page_text(pdf, 2)
    for part in (
        "案件单KP-1",
        "当前状态",
        "体温记录",
        "上午",
        "下午",
        "缺",
        "下一步办理",
        "时限",
        "到时：观察期满",
    ):
        assert part in first, part
    assert first.count("报告发热") == 1 and first.count("120送医") == 1  # interrupts said once
    assert second.startswith("办理记录") and "立案" not in first  # the history begins on page 2
    assert not re.search(r"[a-z]+_[a-z_]+", first)
