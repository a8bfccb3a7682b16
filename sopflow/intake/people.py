"""`sopflow people import`: a row per person (姓名, 身份证号, 联系电话, 户编号, and where they live:
住址 as a path, or the level columns of a places file). A person is one record however many
lists name them: found by ID number; without one, a row with the same name, phone and dwelling
is the same record, and one with only the same name and phone is kept apart, marked as a
possible duplicate for staff to look at. A phone is matched by its digits (138 1234 5678 is
13812345678) and kept as written. An import never changes a registered name: a row whose
ID number the registry holds under another name is refused (a mistyped ID number would otherwise
overwrite someone else)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.engine import Connection

from sopflow.cases import inputs
from sopflow.cases.privacy import mask_text
from sopflow.intake.columns import Column, column
from sopflow.intake.places import Levels, level_columns, levels_of
from sopflow.intake.problems import RowProblem
from sopflow.intake.run import Counts, Line, unreadable
from sopflow.registry.values import IdFacts, RegistryValueError, id_number, person_name, phone, phone_digits
from sopflow.store import registry

SEX = {"男": "male", "女": "female", "male": "male", "female": "female", "m": "male", "f": "female"}
FINGERPRINT = (1 << 64) - 1
DATE = re.compile(r"(\d{4})\D{0,2}(\d{1,2})\D{0,2}(\d{1,2})\D?")


def people_columns() -> list[Column]:
    return [
        column("name", "名字", required=True),
        column("id_number", "身份证号码", "公民身份号码", "证件号码", "身份证"),
        column("phone", "电话", "手机", "手机号", "手机号码", "电话号码"),
        column("sex"),
        column("birth_date", "出生年月日"),
        column("household", "户号码"),
        column("address", "现住址", "地址", "居住地址", "家庭住址"),
        *level_columns(),
    ]


@dataclass(frozen=True)
class PersonRow:
    """A checked row: who, and where they live (the dwelling's path and id)."""

    number: int
    name: str
    facts: IdFacts | None
    phone: str | None  # as written
    phone_key: str | None  # its digits, which rows and records are matched by
    sex: str | None
    birth_date: date | None
    dwelling: tuple[str, int] | None
    household: str | None

    def key(self) -> tuple[Any, ...]:
        """Who the row is: the ID number, or without one the name, phone and dwelling."""
        if self.facts is not None:
            return ("id", self.facts.number)
        return ("named", self.name, self.phone_key, self.dwelling)

    def details(self) -> tuple[Any, ...]:
        return (self.name, self.phone_key, self.sex, self.birth_date, self.dwelling, self.household)


class PeopleIntake:
    """Rows of people: new, updated (a value given that differs; a blank never erases) or unchanged."""

    def __init__(self, today: date, county: str | None) -> None:
        self.today = today
        self.county = county  # the registry's one county, which a dwelling's path may leave out
        self.headers: dict[str, str] = {}
        # who each row so far was (a hash of person.key()) -> its row number and a hash of its
        # details, packed in one int: about 100 bytes a row, 60 MB for a county of 600,000
        self.seen: dict[int, int] = {}
        self.levels: dict[int, Levels | RowProblem | None] = {}
        # the registry's people by the ID numbers the last batch checked gave: `write` takes
        # them from here, read in the same transaction, rather than asking again
        self.registered: dict[str, dict[str, Any]] = {}
        self.looked_up: set[str] = set()

    def columns(self) -> Sequence[Column]:
        return people_columns()

    def begin(self, headers: dict[str, str]) -> None:
        self.headers, self.seen = headers, {}

    def check(self, conn: Connection, lines: Sequence[Line]) -> list[PersonRow | list[RowProblem]]:
        self.levels = {}  # each line's places, worked out once
        wanted = {self._where(line) for line in lines} - {None}
        paths = {p for path in wanted if path for p in (path, self._in_county(path))}
        places = registry.place_ids(conn, paths)
        found: list[tuple[PersonRow | None, list[RowProblem]]] = []
        for line in lines:
            problems = unreadable(line, self.headers)
            found.append((None if problems else self._person(line, places, problems), problems))
        self.looked_up = {p.facts.number for p, _ in found if p is not None and p.facts is not None}
        self.registered = registry.people_by_id_number(conn, self.looked_up)
        results: list[PersonRow | list[RowProblem]] = []
        for person, problems in found:
            if person is not None and not problems:
                self._against_the_registry(person, problems)
            if person is not None and not problems:
                self._against_earlier_rows(person, problems)
            results.append(problems if problems or person is None else person)
        return results

    def _cell(self, line: Line, column: str, problems: list[RowProblem], read: Any) -> Any:
        """`read(text)` of a non-empty cell, None if it is empty; a bad value becomes a problem."""
        text = line.get(column)
        if not text:
            return None
        try:
            return read(text)
        except RegistryValueError as error:
            problems.append(
                RowProblem(line.number, self.headers.get(column, column), error.code, error.params)
            )
            return None

    def _person(
        self, line: Line, places: dict[str, tuple[int, str]], problems: list[RowProblem]
    ) -> PersonRow | None:
        name = self._cell(line, "name", problems, person_name)
        if name is None and not problems:
            problems.append(RowProblem(line.number, self.headers["name"], "person.no_name", {}))
        facts: IdFacts | None = self._cell(line, "id_number", problems, lambda t: id_number(t, self.today))
        mobile = self._cell(line, "phone", problems, phone)
        sex = self._cell(line, "sex", problems, _sex)
        born = self._cell(line, "birth_date", problems, _date)
        if facts is not None and sex is not None and sex != facts.sex:
            problems.append(RowProblem(line.number, self.headers["sex"], "person.sex_differs", {}))
        if facts is not None and born is not None and born != facts.birth_date:
            problems.append(RowProblem(line.number, self.headers["birth_date"], "person.birth_differs", {}))
        if not line.get("id_number") and not line.get("phone"):
            problems.append(RowProblem(line.number, None, "person.unidentified", {}))
        dwelling = self._dwelling(line, places, problems)
        household = inputs.tidy(line.get("household")) or None
        if problems or name is None:
            return None
        return PersonRow(
            line.number,
            name,
            facts,
            mobile,
            phone_digits(mobile) if mobile else None,
            facts.sex if facts else sex,
            facts.birth_date if facts else born,
            dwelling,
            household,
        )

    def _where(self, line: Line) -> str | None:
        if line.get("address"):
            return inputs.place(line.get("address"))
        levels = self._levels(line)
        return levels[-1][0] if isinstance(levels, tuple) else None

    def _levels(self, line: Line) -> Levels | RowProblem | None:
        if line.number not in self.levels:
            self.levels[line.number] = levels_of(line, self.headers)
        return self.levels[line.number]

    def _in_county(self, path: str) -> str:
        if self.county and not path.startswith(self.county + "/") and path != self.county:
            return f"{self.county}/{path}"
        return path

    def _dwelling(
        self, line: Line, places: dict[str, tuple[int, str]], problems: list[RowProblem]
    ) -> tuple[str, int] | None:
        if not line.get("address"):
            levels = self._levels(line)
            if levels is None:
                return None
            if not isinstance(levels, tuple):
                problems.append(levels)
                return None
        path = self._where(line)
        if path is None:
            return None
        for candidate in (path, self._in_county(path)):
            if candidate in places:
                return candidate, places[candidate][0]
        column = "address" if line.get("address") else next(c for c in reversed(self.headers) if line.get(c))
        problems.append(
            RowProblem(line.number, self.headers.get(column, column), "person.no_place", {"path": path})
        )
        return None

    def _against_the_registry(self, person: PersonRow, problems: list[RowProblem]) -> None:
        """A row's ID number held by a person of another name: a digit mistyped would make the row
        overwrite someone else (and every case about them would show the new name), so it is
        refused. Names are compared as the registry keeps them (tidied: full-width forms and
        spaces at the ends do not count; a space inside a name does)."""
        stored = self.registered.get(person.facts.number) if person.facts else None
        if stored is not None and inputs.tidy(stored["name"]) != person.name:
            column = self.headers["id_number"]
            name = mask_text(inputs.tidy(stored["name"]))
            problems.append(RowProblem(person.number, column, "person.id_registered", {"name": name}))

    def _against_earlier_rows(self, person: PersonRow, problems: list[RowProblem]) -> None:
        """The same person twice in one file is fine if the rows agree; if not, which is right?"""
        fingerprint = hash(person.details()) & FINGERPRINT
        earlier = self.seen.setdefault(hash(person.key()), person.number << 64 | fingerprint)
        if earlier & FINGERPRINT != fingerprint:
            problems.append(RowProblem(person.number, None, "person.differs_in_file", {"row": earlier >> 64}))

    def committed(self) -> None:
        """Nothing to do once a batch of people is committed (no case changed, no hook to run)."""

    def write(self, conn: Connection, checked: Sequence[PersonRow]) -> Counts:
        counts = Counts()
        at = datetime.now(UTC).replace(tzinfo=None)
        households = self._households(conn, checked)
        numbers = {p.facts.number for p in checked if p.facts}
        by_number = {n: self.registered[n] for n in numbers & self.looked_up if n in self.registered}
        by_number.update(registry.people_by_id_number(conn, numbers - self.looked_up))
        unknown = [p for p in checked if p.facts is None or p.facts.number not in by_number]
        pairs = registry.people_by_name_phone(conn, [(p.name, p.phone_key) for p in unknown if p.phone_key])
        done: set[tuple[Any, ...]] = set()
        new: list[dict[str, Any]] = []
        fresh: set[tuple[str, str]] = set()  # the name and phone of each new record so far
        later: list[dict[str, Any]] = []  # new, with the name and phone of a record made just before
        for person in checked:
            if person.key() in done:  # the same person again in this batch
                counts.unchanged += 1
                continue
            done.add(person.key())
            values = {
                "name": person.name,
                "id_number": person.facts.number if person.facts else None,
                "phone": person.phone,
                "phone_key": person.phone_key,
                "sex": person.sex,
                "birth_date": person.birth_date,
                "household_id": households.get(person.household or ""),
                "dwelling_id": person.dwelling[1] if person.dwelling else None,
            }
            same_name = pairs.get((person.name, person.phone_key or ""), [])
            stored = by_number.get(person.facts.number) if person.facts else _same_record(same_name, values)
            if stored is None:
                others = _possible_duplicates(same_name, values)
                pair = (person.name, person.phone_key or "")
                waits = person.phone_key is not None and pair in fresh and not others
                (later if waits else new).append({**values, "duplicate_of": others[0] if others else None})
                fresh.add(pair)
                counts.new += 1
                continue
            changes = {k: v for k, v in values.items() if v is not None and stored[k] != v}
            changes.pop("name", None)  # never by an import: check() refused a row of another name
            if "phone_key" not in changes:  # the same number written otherwise: kept as it was
                changes.pop("phone", None)
            if changes:
                registry.update_person(conn, stored["id"], changes, at)
                counts.updated += 1
            else:
                counts.unchanged += 1
        registry.add_people(conn, new, at)
        if later:  # marked as possible duplicates of the records just made, as of those made before
            pairs = registry.people_by_name_phone(conn, [(p["name"], p["phone_key"]) for p in later])
            for row in later:
                others = _possible_duplicates(pairs[row["name"], row["phone_key"]], row)
                row["duplicate_of"] = others[0] if others else None
            registry.add_people(conn, later, at)
        return counts

    def _households(self, conn: Connection, checked: Sequence[PersonRow]) -> dict[str, int]:
        """The id of each household the rows name, making the new ones (at the first row's dwelling)."""
        codes = {p.household: p.dwelling[1] if p.dwelling else None for p in reversed(checked) if p.household}
        known = registry.household_ids(conn, codes)
        missing = [code for code in sorted(codes) if code not in known]
        registry.add_households(conn, [{"code": code, "dwelling_id": codes[code]} for code in missing])
        return {**known, **registry.household_ids(conn, missing)} if missing else known


def _possible_duplicates(candidates: list[dict[str, Any]], values: dict[str, Any]) -> list[int]:
    """The records with a new record's name and phone that may be the same person: all of them
    if it has no ID number, else those without one (two ID numbers are two people)."""
    return [c["id"] for c in candidates if values["id_number"] is None or c["id_number"] is None]


def _same_record(candidates: list[dict[str, Any]], values: dict[str, Any]) -> dict[str, Any] | None:
    """Without an ID number: the record with this name and phone, no ID number and the same dwelling."""
    for candidate in candidates:
        if candidate["id_number"] is None and candidate["dwelling_id"] == values["dwelling_id"]:
            return candidate
    return None


def _sex(text: str) -> str:
    sex = SEX.get(text.strip().casefold())
    if sex is None:
        raise RegistryValueError("person.bad_sex", value=text)
    return sex


def _date(text: str) -> date:
    """2020-02-03, 2020/2/3, 2020年2月3日 or 20200203."""
    match = DATE.fullmatch(text.strip())
    try:
        if match is None:
            raise ValueError(text)
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise RegistryValueError("person.bad_date", value=text) from None
