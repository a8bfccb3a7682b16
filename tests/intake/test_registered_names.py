"""An import never renames a registered person: a row whose ID number the registry holds under
another name (a digit mistyped, and the row would overwrite someone else) is refused at its ID
number cell, naming the registered name masked, in the reader's language; with --reject-file it
goes back to be fixed and the rest is imported. The same name as the registry keeps it (full-width
forms, spaces at the ends) is the same person. On a real SQLite file and on PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import sqlalchemy as sa

from sopflow.intake.people import PeopleIntake
from sopflow.intake.run import run_import
from sopflow.store.store import Store
from sopflow.store.tables import people
from tests.intake.test_import import Run, write_csv

HEADER = ["姓名", "身份证号", "联系电话"]
SUN_LI = ["孙丽", "22072119850612106X", "13300001111"]
TYPO = ["赵敏", "22072119850612106X", "13300005555"]  # 赵敏's number, mistyped: it is 孙丽's
REFUSED = (
    "row 2, column 身份证号: this ID number is already registered under another name (孙*) — if the ID "
    "number was mistyped, correct it against the card; if the person really changed their name, leave "
    "this row out: sopflow has no command yet to change a registered person's name"
)


def held(url: str) -> list[tuple[object, ...]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            query = sa.select(people.c.name, people.c.id_number, people.c.phone).order_by(people.c.id)
            return [tuple(row) for row in conn.execute(query)]
    finally:
        engine.dispose()


def test_a_mistyped_id_number_does_not_overwrite_the_person_who_has_it(
    sopflow: Run, tmp_path: Path, store_url: str
) -> None:
    assert sopflow("people", "import", str(write_csv(tmp_path / "a.csv", [HEADER, SUN_LI]))).exit_code == 0
    before = held(store_url)
    typo = write_csv(tmp_path / "b.csv", [HEADER, TYPO])
    refused = sopflow("people", "import", str(typo))
    assert refused.exit_code == 1
    assert refused.output.splitlines()[0] == REFUSED
    assert "赵敏" not in refused.output and "孙丽" not in refused.output  # names are masked
    chinese = sopflow("people", "import", str(typo), "--lang", "zh")
    assert chinese.output.splitlines()[0] == (
        "第 2 行，身份证号：该身份证号已登记在另一姓名（孙*）下 — 如身份证号填错，请对照证件改正；"
        "如确系本人改名，请删去此行：sopflow 目前还没有更改已登记姓名的命令"
    )
    assert held(store_url) == before == [("孙丽", "22072119850612106X", "13300001111")]
    found = sopflow("find", "2207…106X", "--show-personal")
    assert found.output.startswith("孙丽   22072119850612106X 13300001111 female")


def test_the_refused_row_goes_to_the_reject_file_and_the_others_are_imported(
    sopflow: Run, tmp_path: Path, store_url: str
) -> None:
    sopflow("people", "import", str(write_csv(tmp_path / "a.csv", [HEADER, SUN_LI])))
    other = ["钱七", "220721199001011230", "13900001111"]
    rejects = tmp_path / "to-fix.xlsx"
    done = sopflow(
        "people",
        "import",
        str(write_csv(tmp_path / "b.csv", [HEADER, TYPO, other])),
        "--reject-file",
        str(rejects),
    )
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[0] == REFUSED
    assert "b.csv: 1 new, 0 updated, 0 unchanged, 1 rejected" in done.output
    rows = list(openpyxl.load_workbook(rejects).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == (*HEADER, "problem")
    assert rows[1] == (*TYPO, "身份证号: " + REFUSED.removeprefix("row 2, column 身份证号: "))
    assert held(store_url) == [tuple(SUN_LI), tuple(other)]
    fixed = openpyxl.load_workbook(rejects)  # the right number, from 赵敏's card
    fixed.worksheets[0]["B2"] = "220721198503120045"
    fixed.save(rejects)
    again = sopflow("people", "import", str(rejects))
    assert again.output.endswith(": 1 new, 0 updated, 0 unchanged, 0 rejected\n"), again.output
    assert held(store_url)[2] == ("赵敏", "220721198503120045", "13300005555")


def test_the_same_name_as_the_registry_keeps_it_is_the_same_person(
    sopflow: Run, tmp_path: Path, store_url: str
) -> None:
    """Full-width forms and spaces at the ends are tidied away before names are compared (and the
    registered name is not rewritten); a space inside a name is a different name."""
    sopflow("people", "import", str(write_csv(tmp_path / "a.csv", [HEADER, SUN_LI])))
    tidied = [HEADER, ["\u3000孙丽 ", "22072119850612106x", "１３３００００５５５５"]]
    done = sopflow("people", "import", str(write_csv(tmp_path / "b.csv", tidied)))
    assert done.output.endswith(": 0 new, 1 updated, 0 unchanged, 0 rejected\n"), done.output
    assert held(store_url) == [("孙丽", "22072119850612106X", "13300005555")]
    spaced = [HEADER, ["孙 丽", "22072119850612106X", "13300005555"]]
    refused = sopflow("people", "import", str(write_csv(tmp_path / "c.csv", spaced)))
    assert refused.exit_code == 1 and refused.output.startswith("row 2, column 身份证号: ")
    assert held(store_url) == [("孙丽", "22072119850612106X", "13300005555")]


def test_rows_written_in_later_batches_find_the_person_an_earlier_batch_made(
    store: Store, tmp_path: Path
) -> None:
    """One person on rows in different batches: the later row is the same person, unchanged; a
    later row of another name with that ID number is refused (in batches of two rows here)."""
    filler = [[f"路人{n}", "", f"1370000{n:04d}"] for n in range(3)]
    rows = [HEADER, SUN_LI, *filler, SUN_LI]
    intake = PeopleIntake(date(2020, 2, 4), None)
    done = run_import(store, intake, write_csv(tmp_path / "long.csv", rows), lang="en", batch=2)
    assert (done.counts.new, done.counts.unchanged, done.problems) == (4, 1, [])
    rows = [HEADER, ["孙丽", "", "13300001111"], *filler, TYPO]
    file, refused = write_csv(tmp_path / "b.csv", rows), tmp_path / "to-fix.xlsx"
    done = run_import(store, intake, file, lang="en", reject_file=refused, batch=2)
    assert [(p.row, p.code) for p in done.problems] == [(6, "person.id_registered")]
    assert held(store.url)[0] == tuple(SUN_LI)
