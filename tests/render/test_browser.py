"""Handbooks and case sheets printed by a real browser (headless Chromium, Debian's `chromium`):
A4 pages, as many as expected, and no text cut: every step's name is in the PDF's text, and every
word lies inside its page."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from sopflow import builtin_flows
from sopflow.cli import cli
from sopflow.render.browser import chromium_args
from sopflow.render.programs import command

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
