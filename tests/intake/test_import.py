"""Importing places and people: Chinese headers, CSV in UTF-8 (with and without BOM) and GB18030 and
XLSX give the same registry; a file with bad rows imports nothing and names each; --reject-file
imports the good rows; importing again changes nothing; two lists naming one person make one record;
place filters by name with a did-you-mean; `find`. On a real SQLite file and on PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from sopflow.cli import cli
from sopflow.store.tables import households, people, places

Run = Callable[..., Result]

PLACES = [
    ["县", "乡镇", "社区", "村", "网格", "小区", "屯", "楼", "单元", "层", "户"],
    ["前郭县", "前郭镇", "东风社区", "", "第3网格", "幸福小区", "", "3号楼", "2单元", "5层", "501"],
    ["前郭县", "前郭镇", "东风社区", "", "第3网格", "幸福小区", "", "3号楼", "2单元", "5层", "502"],
    ["前郭县", "平凤乡", "", "新立村", "", "", "王家屯", "", "", "", "1号"],
    ["前郭县", "平凤乡", "", "新立村", "", "", "王家屯", "", "", "", "2号"],
]
WHERE = ["前郭镇", "东风社区", "", "第3网格", "幸福小区", "", "3号楼", "2单元", "5层", "501"]
VILLAGE = ["平凤乡", "", "新立村", "", "", "王家屯", "", "", "", "1号"]
PEOPLE = [
    [
        "姓名",
        "身份证号",
        "联系电话",
        "户编号",
        "乡镇",
        "社区",
        "村",
        "网格",
        "小区",
        "屯",
        "楼",
        "单元",
        "层",
        "户",
    ],
    ["张三", "220721198503120045", "13812345678", "H-501", *WHERE],
    ["李四", "220721199001011230", "13900001111", "H-501", *WHERE],
    ["王五", "", "13700002222", "", *VILLAGE],
]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    path.write_bytes(text.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def sopflow(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("SOPFLOW_LANG", "en")
    monkeypatch.setenv("SOPFLOW_DB", store_url)
    monkeypatch.setenv("SOPFLOW_NOW", "2020-02-04 08:00")
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args))


def registry(url: str) -> dict[str, list[tuple[object, ...]]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            dwelling = places.alias()
            home = households.alias()
            return {
                "places": sorted(conn.execute(sa.select(places.c.path, places.c.kind)).all()),
                "people": sorted(
                    conn.execute(
                        sa.select(
                            people.c.name,
                            people.c.id_number,
                            people.c.phone,
                            people.c.sex,
                            dwelling.c.path,
                            home.c.code,
                        )
                        .outerjoin(dwelling, dwelling.c.id == people.c.dwelling_id)
                        .outerjoin(home, home.c.id == people.c.household_id)
                    ).all(),
                    key=str,
                ),
            }
    finally:
        engine.dispose()


@pytest.mark.parametrize("form", ["utf-8", "utf-8-sig", "gb18030", "xlsx"])
def test_every_form_of_the_file_gives_the_same_registry(
    sopflow: Run, tmp_path: Path, store_url: str, form: str
) -> None:
    def made(name: str, rows: list[list[str]]) -> Path:
        if form == "xlsx":
            return write_xlsx(tmp_path / f"{name}.xlsx", rows)  # type: ignore[arg-type]
        return write_csv(tmp_path / f"{name}.csv", rows, form)

    done = sopflow("places", "import", str(made("places", PLACES)))
    assert done.exit_code == 0, done.output
    assert done.output.endswith(": 4 new, 0 updated, 0 unchanged, 0 rejected\n")
    done = sopflow("people", "import", str(made("people", PEOPLE)))
    assert done.exit_code == 0, done.output
    assert done.output.endswith(": 3 new, 0 updated, 0 unchanged, 0 rejected\n")
    held = registry(store_url)
    assert len(held["places"]) == 15 and ("前郭县/平凤乡/新立村/王家屯/1号", "door") in held["places"]
    door = "前郭县/前郭镇/东风社区/第3网格/幸福小区/3号楼/2单元/5层/501"
    assert held["people"] == [
        ("张三", "220721198503120045", "13812345678", "female", door, "H-501"),
        ("李四", "220721199001011230", "13900001111", "male", door, "H-501"),
        ("王五", None, "13700002222", None, "前郭县/平凤乡/新立村/王家屯/1号", None),
    ]
    again = sopflow("people", "import", str(made("people", PEOPLE)))
    assert again.output.endswith(": 0 new, 0 updated, 3 unchanged, 0 rejected\n")
    assert sopflow("places", "import", str(made("places", PLACES))).output.endswith(
        " 0 new, 0 updated, 4 unchanged, 0 rejected\n"
    )
    assert registry(store_url) == held


BAD = [
    PEOPLE[0],
    ["张三", "220721198503120046", "13812345678", "H-501", *WHERE],  # check character
    ["李四", "22072119900101123", "1390000", "H-501", *WHERE],  # 17 characters, a short phone
    ["", "", "", "", *WHERE],  # no name, nobody to tell apart
    ["赵六", "220721198503120045", "13812345678", "", "前郭镇", "西山社区", *[""] * 8],  # no such place
    ["王五", "", "13700002222", "", *VILLAGE],  # fine
]


def test_a_file_with_bad_rows_imports_nothing_and_names_every_problem(
    sopflow: Run, tmp_path: Path, store_url: str
) -> None:
    sopflow("places", "import", str(write_csv(tmp_path / "places.csv", PLACES)))
    before = registry(store_url)
    refused = sopflow("people", "import", str(write_csv(tmp_path / "people.csv", BAD)))
    assert refused.exit_code == 1
    told = refused.output.splitlines()
    assert [line.split(" — ")[0] for line in told] == [
        "row 2, column 身份证号: '220721198503120046' fails the ID number's check (a digit is wrong or two "
        "are swapped)",
        "row 3, column 身份证号: '22072119900101123' has 17 characters; a resident ID number has 18",
        "row 3, column 联系电话: '1390000' is not a phone number",
        "row 4, column 姓名: the name is empty",
        "row 4: neither an ID number nor a phone: this person cannot be told apart from others of the "
        "same name",
        "row 5, column 社区: the registry has no place 前郭镇/西山社区",
        "people.csv: 4 rows have problems, nothing was imported",
    ]
    assert told[-1].endswith(
        "or use --reject-file bad.xlsx to import the good rows and get the bad ones back"
    )
    assert registry(store_url) == before
    chinese = sopflow("people", "import", str(tmp_path / "people.csv"), "--lang", "zh")
    assert chinese.output.splitlines()[0].startswith("第 2 行，身份证号：'220721198503120046' 校验位不符")


def test_a_reject_file_takes_the_bad_rows_to_fix_and_import_again(
    sopflow: Run, tmp_path: Path, store_url: str
) -> None:
    sopflow("places", "import", str(write_csv(tmp_path / "places.csv", PLACES)))
    rejects = tmp_path / "bad.xlsx"
    done = sopflow(
        "people", "import", str(write_csv(tmp_path / "people.csv", BAD)), "--reject-file", str(rejects)
    )
    assert done.exit_code == 0, done.output
    assert "people.csv: 1 new, 0 updated, 0 unchanged, 4 rejected" in done.output
    sheet = openpyxl.load_workbook(rejects).worksheets[0]
    rows = [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [*PEOPLE[0], "problem"]
    assert [row[:2] for row in rows[1:]] == [r[:2] for r in BAD[1:5]]
    assert (
        rows[2][-1].startswith("身份证号: '22072119900101123' has 17 characters")
        and "; 联系电话: '1390000'" in rows[2][-1]
    )
    assert sheet.freeze_panes == "A2"
    fixed = openpyxl.load_workbook(rejects)  # staff fix the file and import it as it is
    fixed.worksheets[0]["B2"] = "220721198503120045"
    fixed.worksheets[0]["B3"], fixed.worksheets[0]["C3"] = "220721199001011230", "13900001111"
    fixed.worksheets[0].delete_rows(4, 2)
    fixed.save(rejects)
    again = sopflow("people", "import", str(rejects))
    assert again.exit_code == 0, again.output
    assert again.output.endswith(": 2 new, 0 updated, 0 unchanged, 0 rejected\n")
    assert len(registry(store_url)["people"]) == 3


def test_two_lists_naming_one_person_make_one_record(sopflow: Run, tmp_path: Path, store_url: str) -> None:
    """The CDC's list and the checkpoint's both name 张三 (the ID number says so); a list without
    ID numbers names 王五 again, and a 王五 in another village with the same phone."""
    sopflow("places", "import", str(write_csv(tmp_path / "places.csv", PLACES)))
    sopflow("people", "import", str(write_csv(tmp_path / "cdc.csv", PEOPLE[:2])))
    checkpoint = [["姓名", "身份证号码", "手机号"], ["张三", "220721198503120045", "13811112222"]]
    done = sopflow("people", "import", str(write_csv(tmp_path / "checkpoint.csv", checkpoint)))
    assert done.output.endswith(": 0 new, 1 updated, 0 unchanged, 0 rejected\n")
    zhang = [p for p in registry(store_url)["people"] if p[0] == "张三"]
    assert zhang == [
        ("张三", "220721198503120045", "13811112222", "female", zhang[0][4], "H-501")
    ]  # phone new, home kept

    sopflow("people", "import", str(write_csv(tmp_path / "village.csv", [PEOPLE[0], PEOPLE[3]])))
    other = [
        PEOPLE[0],
        ["王五", "", "13700002222", "", "平凤乡", "", "新立村", "", "", "王家屯", "", "", "", "2号"],
    ]
    done = sopflow("people", "import", str(write_csv(tmp_path / "other.csv", other)))
    assert done.output.endswith(": 1 new, 0 updated, 0 unchanged, 0 rejected\n")
    found = json.loads(sopflow("find", "王五", "--json").output)
    assert [f["possible_duplicate_of"] is not None for f in found] == [False, True]


def test_the_same_person_twice_in_one_file_must_agree(sopflow: Run, tmp_path: Path) -> None:
    sopflow("places", "import", str(write_csv(tmp_path / "places.csv", PLACES)))
    twice = [*PEOPLE, ["张三", "220721198503120045", "13899999999", "H-501", *WHERE], PEOPLE[1]]
    refused = sopflow("people", "import", str(write_csv(tmp_path / "people.csv", twice)))
    assert refused.output.splitlines()[0] == (
        "row 5: the same person as in row 2, with other details — keep one of the rows, or make them agree"
    )
    assert "1 rows have problems" in refused.output


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("住 址 ", None),  # spaces do not matter
        (
            "身分证号",
            "header (row 1), column C '身分证号': no such column here — did you mean '身份证号'? rename it",
        ),
        (
            "联系电话",
            "header (row 1), column C '联系电话': column B ('phone') is the same column — keep one of them",
        ),
    ],
)
def test_headers_are_ids_or_labels_and_an_unknown_one_is_named(
    sopflow: Run, tmp_path: Path, header: str, message: str | None
) -> None:
    rows = [["姓名", "phone", header], ["张三", "13812345678", ""]]
    result = sopflow("people", "import", str(write_csv(tmp_path / "people.csv", rows)))
    if message is None:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 1 and result.output.startswith(message)


def test_an_id_number_excel_kept_as_a_number_is_refused(sopflow: Run, tmp_path: Path) -> None:
    rows: list[list[object]] = [["姓名", "身份证号"], ["张三", 220721198503120045]]
    result = sopflow("people", "import", str(write_xlsx(tmp_path / "people.xlsx", rows)))
    assert result.output.startswith(
        "row 2, column 身份证号: the cell holds the number 220721198503120000, and Excel keeps only 15 digits"
    )


def test_a_file_of_mixed_or_other_encodings_is_refused_with_the_line(sopflow: Run, tmp_path: Path) -> None:
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes("姓名,联系电话\n".encode("gb18030") + "张三,13812345678\n".encode())
    result = sopflow("people", "import", str(mixed))
    assert result.exit_code == 1
    assert result.output.startswith(
        f"{mixed} is GB18030 but line 2 is UTF-8: the file mixes two encodings — "
    )
    mixed.write_bytes("姓名,联系电话\n".encode("gb18030") + b"\x81\x20,1\n")
    result = sopflow("people", "import", str(mixed))
    assert result.output.startswith(
        f"{mixed} is neither UTF-8 (a bad byte on line 1) nor GB18030 (on line 2)"
    )


def test_place_filters_take_any_level_by_name_and_refuse_a_typo(sopflow: Run, tmp_path: Path) -> None:
    sopflow("places", "import", str(write_csv(tmp_path / "places.csv", PLACES)))
    sopflow("people", "import", str(write_csv(tmp_path / "people.csv", PEOPLE)))
    listed = sopflow("places", "list", "东风社区")
    assert listed.output.splitlines()[0] == "前郭县/前郭镇/东风社区"
    assert "  doors       2\n" in listed.output and "  people      2\n" in listed.output
    assert sopflow("case", "list", "--place", "前郭镇").output == "0 cases\n"
    typo = sopflow("case", "list", "--place", "东峰社区")
    assert typo.exit_code == 1
    assert typo.output.startswith(
        "no place '东峰社区' in the registry or among the cases' places — did you mean '东风社区'?"
    )
    due = sopflow("due", "--place", "平凤")
    assert due.exit_code == 1 and "did you mean '平凤乡'?" in due.output


def test_find_by_name_id_number_or_phone_masked_unless_asked(sopflow: Run, tmp_path: Path) -> None:
    sopflow("places", "import", str(write_csv(tmp_path / "places.csv", PLACES)))
    sopflow("people", "import", str(write_csv(tmp_path / "people.csv", PEOPLE)))
    by_name = sopflow("find", "张")
    assert by_name.output.splitlines()[0].startswith("张*    220721********0045 138****5678 female ")
    assert "13812345678" not in by_name.output and "/501" not in by_name.output
    for query in ("2207…0045", "2207...0045", "220721198503120045", "138…", "…5678"):
        found = json.loads(sopflow("find", query, "--json", "--show-personal").output)
        assert [f["name"] for f in found] == ["张三"], query
    assert sopflow("find", "赵").output == "0 people\n"
