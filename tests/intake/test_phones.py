"""Phones are matched by their digits and kept as written: a mobile with spaces, dashes or a +86 /
0086 in front is the same number for `find` and for telling people apart (the same person, or a
possible duplicate); the registry keeps each phone as it was typed. On a real SQLite file and on
PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from sopflow.store.tables import people
from tests.intake.test_import import PLACES, Run, write_csv

HEADER = ["姓名", "身份证号", "联系电话", "户编号"]


def held(url: str) -> list[tuple[object, ...]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            query = sa.select(people.c.name, people.c.phone, people.c.duplicate_of).order_by(people.c.id)
            return [tuple(row) for row in conn.execute(query)]
    finally:
        engine.dispose()


def found(sopflow: Run, text: str) -> list[str]:
    done = sopflow("find", text, "--json", "--show-personal")
    assert done.exit_code == 0, done.output
    return [f"{person['name']} {person['phone']}" for person in json.loads(done.output)]


def test_a_phone_written_otherwise_is_the_same_number(sopflow: Run, tmp_path: Path, store_url: str) -> None:
    rows = [
        HEADER,
        ["王二", "", "13812345678", "H1"],
        ["王二", "", "138 1234 5678", "H1"],  # the same person: one record
        ["李三", "", "+86 139-0000-1111", "H2"],
    ]
    done = sopflow("people", "import", str(write_csv(tmp_path / "people.csv", rows)))
    assert done.output.endswith(": 2 new, 0 updated, 1 unchanged, 0 rejected\n"), done.output
    assert held(store_url) == [("王二", "13812345678", None), ("李三", "+86 139-0000-1111", None)]
    for text in ("13812345678", "138 1234 5678", "138-1234-5678", "+86 13812345678", "0086 13812345678"):
        assert found(sopflow, text) == ["王二 13812345678"], text
    for text in ("13900001111", "139…", "139-…", "…1111", "+86 139-0000-1111", "(+86)…0000-1111"):
        assert found(sopflow, text) == ["李三 +86 139-0000-1111"], text
    assert found(sopflow, "13812345679") == []

    again = [HEADER, ["李三", "", "0086 139 0000 1111", "H2"], ["王二", "", "138-1234-5678", "H1"]]
    done = sopflow("people", "import", str(write_csv(tmp_path / "again.csv", again)))
    assert done.output.endswith(": 0 new, 0 updated, 2 unchanged, 0 rejected\n"), done.output
    assert held(store_url)[1] == ("李三", "+86 139-0000-1111", None)  # kept as it was first written


def test_the_same_name_and_number_elsewhere_is_a_possible_duplicate(
    sopflow: Run, tmp_path: Path, store_url: str
) -> None:
    sopflow("places", "import", str(write_csv(tmp_path / "places.csv", PLACES)))
    rows = [
        ["姓名", "联系电话", "住址"],
        ["王二", "13812345678", "平凤乡/新立村/王家屯/1号"],
        ["王二", "+86 138-1234-5678", "平凤乡/新立村/王家屯/2号"],
    ]
    done = sopflow("people", "import", str(write_csv(tmp_path / "people.csv", rows)))
    assert done.output.endswith(": 2 new, 0 updated, 0 unchanged, 0 rejected\n"), done.output
    first, second = held(store_url)
    assert first == ("王二", "13812345678", None)
    assert second[:2] == ("王二", "+86 138-1234-5678") and second[2] is not None
    marked = json.loads(sopflow("find", "138…5678", "--json").output)
    assert [person["possible_duplicate_of"] is not None for person in marked] == [False, True]


def test_a_known_person_keeps_the_phone_as_written_until_a_new_number_comes(
    sopflow: Run, tmp_path: Path, store_url: str
) -> None:
    person = ["张三", "220721198503120045"]
    sopflow("people", "import", str(write_csv(tmp_path / "a.csv", [HEADER, [*person, "138 1234 5678", ""]])))
    same = sopflow(
        "people", "import", str(write_csv(tmp_path / "b.csv", [HEADER, [*person, "13812345678", ""]]))
    )
    assert same.output.endswith(": 0 new, 0 updated, 1 unchanged, 0 rejected\n"), same.output
    assert held(store_url) == [("张三", "138 1234 5678", None)]
    new = sopflow(
        "people", "import", str(write_csv(tmp_path / "c.csv", [HEADER, [*person, "139-0000-1111", ""]]))
    )
    assert new.output.endswith(": 0 new, 1 updated, 0 unchanged, 0 rejected\n"), new.output
    assert held(store_url) == [("张三", "139-0000-1111", None)]
    assert found(sopflow, "13900001111") == ["张三 139-0000-1111"] and found(sopflow, "13812345678") == []


def test_two_rows_of_one_person_may_write_the_number_differently(sopflow: Run, tmp_path: Path) -> None:
    """Rows of one file about one person must agree: the same number written otherwise does."""
    rows = [
        HEADER,
        ["张三", "220721198503120045", "13812345678", "H1"],
        ["张三", "220721198503120045", "+86 138 1234 5678", "H1"],
    ]
    done = sopflow("people", "import", str(write_csv(tmp_path / "people.csv", rows)))
    assert done.output.endswith(": 1 new, 0 updated, 1 unchanged, 0 rejected\n"), done.output


def test_possible_duplicates_in_one_batch_follow_the_rule_for_id_numbers(
    sopflow: Run, tmp_path: Path, store_url: str
) -> None:
    """Within one file as across files: a record with an ID number is marked only against one
    without (two ID numbers are two people); rows without a phone are never matched by phone."""
    rows = [
        HEADER,
        ["王二", "", "13812345678", "H1"],
        ["王二", "220721198503120045", "138-1234-5678", "H2"],  # perhaps the 王二 above
        ["王二", "220721199001011230", "+86 13812345678", "H3"],  # perhaps him too, not the one above
        ["赵四", "220721198503120061", "", ""],
        ["赵四", "220721198503120088", "", ""],
    ]
    done = sopflow("people", "import", str(write_csv(tmp_path / "people.csv", rows)))
    assert done.output.endswith(": 5 new, 0 updated, 0 unchanged, 0 rejected\n"), done.output
    engine = sa.create_engine(store_url)
    try:
        with engine.connect() as conn:
            query = sa.select(people.c.id, people.c.id_number, people.c.duplicate_of)
            marks = {row.id_number: (row.id, row.duplicate_of) for row in conn.execute(query)}
    finally:
        engine.dispose()
    first = marks[None][0]
    assert marks[None][1] is None
    assert marks["220721198503120045"][1] == marks["220721199001011230"][1] == first
    assert marks["220721198503120061"][1] is None and marks["220721198503120088"][1] is None
