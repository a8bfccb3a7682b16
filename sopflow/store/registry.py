"""The registry in the store: places, households and people read and written in batches, what
each case is about, a place named by staff turned into the path lists filter by, and finding people."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

from sopflow.cases import inputs
from sopflow.errors import LookupFailed
from sopflow.language.names import suggest
from sopflow.registry.places import PlaceKind
from sopflow.registry.values import RegistryValueError, phone, phone_digits
from sopflow.store.sqlrun import Prepared
from sopflow.store.store import Store
from sopflow.store.tables import case_subjects, cases, households, people, places

CHUNK = 500  # values in one IN (...): well below SQLite's and PostgreSQL's limits
# Levels whose names a did-you-mean offers (not every door, floor and unit of the county).
NAMED_LEVELS = [k.value for k in PlaceKind if k not in (PlaceKind.DOOR, PlaceKind.FLOOR, PlaceKind.UNIT)]
PERSON_COLUMNS = (
    "name",
    "id_number",
    "phone",
    "phone_key",
    "sex",
    "birth_date",
    "household_id",
    "dwelling_id",
)


class Person(NamedTuple):
    """A person as the registry holds them."""

    id: int
    name: str
    id_number: str | None
    phone: str | None
    sex: str | None
    birth_date: date | None
    household: str | None  # the household's code
    dwelling: str | None  # the dwelling's path
    duplicate_of: int | None


def chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


# -- places --------------------------------------------------------------------------------------


def place_ids(conn: Connection, paths: Iterable[str]) -> dict[str, tuple[int, str]]:
    """The id and kind of each of `paths` that the registry has."""
    wanted = sorted(set(paths))
    found: dict[str, tuple[int, str]] = {}
    for part in chunks(wanted):
        query = sa.select(places.c.path, places.c.id, places.c.kind).where(places.c.path.in_(part))
        found.update({row.path: (row.id, row.kind) for row in conn.execute(query)})
    return found


def add_place(conn: Connection, path: str, name: str, kind: str, parent_id: int | None) -> int:
    values = {"path": path, "name": name, "kind": kind, "parent_id": parent_id}
    return int(conn.execute(places.insert().values(values).returning(places.c.id)).scalar_one())


def resolve_place(conn: Connection, raw: str, below: Callable[[str], sa.ColumnElement[bool]]) -> str:
    """The path a place filter means. A registry place by its path, its name or the end of its
    path (`前郭镇`, `东风社区/3号楼`); else a place cases were given freely (`case start --place`)
    by its beginning. Ambiguous or unknown: LookupFailed, with the candidates or a did-you-mean."""
    text = inputs.place(raw) or ""
    found = _registry_path(conn, raw, text)
    if found is not None:
        return found
    given = conn.execute(
        sa.select(cases.c.id).where(sa.or_(cases.c.place == text, below(text))).limit(1)
    ).first()
    if given is not None:
        return text
    raise LookupFailed(
        "place.unknown", place=raw, suggestion=suggest(text.rpartition("/")[2], _place_names(conn))
    )


def registry_place(conn: Connection, raw: str) -> str | None:
    """The registry's path of a place a case moves to, named by its path, its name or the end of
    its path; None if the registry holds no places (a place is then free text). A place the
    registry lacks, or a name several places share: LookupFailed, with a did-you-mean or them."""
    if conn.execute(sa.select(places.c.id).limit(1)).first() is None:
        return None
    text = inputs.place(raw) or ""
    found = _registry_path(conn, raw, text)
    if found is None:
        names = conn.execute(sa.select(places.c.name).where(places.c.kind.in_(NAMED_LEVELS)).distinct())
        raise LookupFailed(
            "place.not_registered",
            place=raw,
            suggestion=suggest(text.rpartition("/")[2], sorted(names.scalars())),
        )
    return found


def _registry_path(conn: Connection, raw: str, text: str) -> str | None:
    """The one registry place `text` names (None: none; LookupFailed: several)."""
    last = text.rpartition("/")[2]
    named = conn.execute(
        sa.select(places.c.path)
        .where(places.c.name == last)
        .where(sa.or_(places.c.path == text, places.c.path.endswith("/" + text, autoescape=True)))
        .order_by(places.c.path)
        .limit(6)
    ).scalars()
    paths: list[str] = list(named)
    if text in paths:
        return text
    if len(paths) == 1:
        return paths[0]
    if paths:
        raise LookupFailed("place.ambiguous", place=raw, paths=", ".join(paths[:5]))
    return None


def _place_names(conn: Connection) -> list[str]:
    """Names a mistyped place may have meant: registry places above the door, and each part of
    the places cases were given freely."""
    names = set(
        conn.execute(sa.select(places.c.name).where(places.c.kind.in_(NAMED_LEVELS)).distinct()).scalars()
    )
    for place in conn.execute(sa.select(cases.c.place).distinct().limit(10_000)).scalars():
        if place:
            names.update(place.split("/"))
    return sorted(names)


# -- households and people ------------------------------------------------------------------------


def household_ids(conn: Connection, codes: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(codes))
    found: dict[str, int] = {}
    for part in chunks(wanted):
        query = sa.select(households.c.code, households.c.id).where(households.c.code.in_(part))
        found.update({row.code: row.id for row in conn.execute(query)})
    return found


def add_households(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    if rows:
        conn.execute(households.insert(), list(rows))


def people_by_id_number(conn: Connection, numbers: Iterable[str]) -> dict[str, dict[str, Any]]:
    wanted = sorted(set(numbers))
    found: dict[str, dict[str, Any]] = {}
    for part in chunks(wanted):
        for row in conn.execute(sa.select(people).where(people.c.id_number.in_(part))):
            found[row.id_number] = dict(row._mapping)
    return found


def people_by_name_phone(
    conn: Connection, pairs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Everyone with one of these (name, phone digits) pairs, by pair, oldest record first: the
    phone as `registry.values.phone_digits` gives it (people.phone_key), however it was written."""
    wanted = sorted(set(pairs))
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for part in chunks(wanted):
        size = min(CHUNK, 1 << (len(part) - 1).bit_length())  # a power of two (or CHUNK): few to compile
        padded = [*part, *[part[-1]] * (size - len(part))]  # a pair asked twice finds its rows once
        values = {
            f"{side}{i}": v for i, pair in enumerate(padded) for side, v in zip("np", pair, strict=True)
        }
        for row in _people_by_pairs(size, conn.dialect).all(conn, values):
            found.setdefault((row["name"], row["phone_key"]), []).append(row)
    return found


@lru_cache(maxsize=16)
def _people_by_pairs(count: int, dialect: Dialect) -> Prepared:
    """People by `count` (name, phone digits) pairs, bound as n0, p0, n1, p1...: `(name = ? AND
    phone_key = ?) OR ...`, which SQLite reads pair by pair from ix_people_name_phone_key, where
    `(name, phone_key) IN (...)` made it scan the whole table (an import's batches took longer
    as the table grew: 0.6 ms a row at 600,000). Compiled once per count (the counts asked for
    are a few: see people_by_name_phone): building and compiling the condition cost more than
    the query."""
    condition = sa.or_(
        *(
            sa.and_(people.c.name == sa.bindparam(f"n{i}"), people.c.phone_key == sa.bindparam(f"p{i}"))
            for i in range(count)
        )
    )
    return Prepared(sa.select(people).where(condition).order_by(people.c.id), dialect)


def add_people(conn: Connection, rows: Sequence[Mapping[str, Any]], at: datetime) -> None:
    """New people, as an import's batch makes them (on the driver's cursor: a county's 600,000)."""
    if rows:
        insert = _insert_person(conn.dialect)
        insert.execute_many(
            conn,
            [
                {**row, "duplicate_of": row.get("duplicate_of"), "created_at": at, "updated_at": at}
                for row in rows
            ],
        )


@lru_cache(maxsize=2)
def _insert_person(dialect: Dialect) -> Prepared:
    return Prepared(
        people.insert().values(
            {c: sa.bindparam(c) for c in (*PERSON_COLUMNS, "duplicate_of", "created_at", "updated_at")}
        ),
        dialect,
    )


def the_county(conn: Connection) -> str | None:
    """The registry's county, if it has exactly one: a path may leave it out."""
    counties = list(
        conn.execute(sa.select(places.c.path).where(places.c.kind == "county").limit(2)).scalars()
    )
    return counties[0] if len(counties) == 1 else None


def update_person(conn: Connection, person_id: int, changes: Mapping[str, Any], at: datetime) -> None:
    conn.execute(people.update().where(people.c.id == person_id).values({**changes, "updated_at": at}))


def link_cases(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Record what each case is about: {"case_id", "person_id", "household_id", "dwelling_id"}."""
    if rows:
        conn.execute(case_subjects.insert(), list(rows))


# -- reading --------------------------------------------------------------------------------------


def person_query() -> sa.Select[Any]:
    dwelling = places.alias("dwelling")
    return (
        sa.select(
            people.c.id,
            people.c.name,
            people.c.id_number,
            people.c.phone,
            people.c.sex,
            people.c.birth_date,
            households.c.code.label("household"),
            dwelling.c.path.label("dwelling"),
            people.c.duplicate_of,
        )
        .select_from(people)
        .outerjoin(households, households.c.id == people.c.household_id)
        .outerjoin(dwelling, dwelling.c.id == people.c.dwelling_id)
        .order_by(people.c.id)
    )


class Registry:
    """The registry of a store, for the library and the commands: finding people and their cases,
    counting what is held, resolving a place filter."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def resolve_place(self, raw: str) -> str:
        with self.store.reading() as conn:
            return resolve_place(conn, raw, self.store.below)

    def find(self, text: str, limit: int = 50) -> list[tuple[Person, list[str]]]:
        """People whose name starts with `text` (张, 张三), whose ID number or phone starts and
        ends as given (`2207…0045`, `138…`, `…5678`; `...` and `*` work too), each with the ids of
        the cases about them; at most `limit` people. Phones are matched by their digits: `138
        1234 5678`, `+86 138-1234-5678` and `13812345678` find each other."""
        query = person_query().where(_matching(inputs.tidy(text))).limit(limit)
        with self.store.reading() as conn:
            found = [Person(**dict(row._mapping)) for row in conn.execute(query)]
            ids = [person.id for person in found]
            about: dict[int, list[str]] = {}
            for part in chunks(ids):
                rows = conn.execute(
                    sa.select(case_subjects.c.person_id, case_subjects.c.case_id)
                    .where(case_subjects.c.person_id.in_(part))
                    .order_by(case_subjects.c.case_id)
                )
                for row in rows:
                    about.setdefault(row.person_id, []).append(row.case_id)
        return [(person, about.get(person.id, [])) for person in found]

    def counts(self, under: str | None = None) -> dict[str, int]:
        """How many places of each kind, households and people the registry holds (at `under` or
        below it), levels from the top down."""
        dwelling = places.alias("dwelling")
        where: sa.ColumnElement[bool] = sa.true()
        lives: sa.ColumnElement[bool] = sa.true()
        if under is not None:
            where = sa.or_(places.c.path == under, _below(places.c.path, under))
            lives = sa.or_(dwelling.c.path == under, _below(dwelling.c.path, under))
        kind_counts = sa.select(places.c.kind, sa.func.count()).where(where).group_by(places.c.kind)
        with self.store.reading() as conn:
            kinds: dict[str, int] = {row[0]: row[1] for row in conn.execute(kind_counts)}
            counted: dict[str, int] = {k.value: kinds[k.value] for k in PlaceKind if k.value in kinds}
            for name, table in (("households", households), ("people", people)):
                query = (
                    sa.select(sa.func.count())
                    .select_from(table)
                    .outerjoin(dwelling, dwelling.c.id == table.c.dwelling_id)
                    .where(lives)
                )
                counted[name] = int(conn.execute(query).scalar_one())
        return counted


def _below(column: sa.ColumnElement[str], path: str) -> sa.ColumnElement[bool]:
    """Paths below `path`, as a range an index serves (see Store.below)."""
    return sa.and_(column >= path + "/", column < path + "0")


ELLIPSES = ("…", "...", "*")
_SEPARATORS = str.maketrans("", "", "-()")


def _matching(text: str) -> sa.ColumnElement[bool]:
    """A search as staff type it: digits (with an ellipsis for the part they do not know) are
    an ID number or a phone, given by its start and/or end; anything else starts a name. A phone
    is its digits (people.phone_key): a whole one in any form (138-1234-5678, +86 13812345678)
    is its number; in a part, dashes and brackets do not count, nor +86 in front (+86 139-…)."""
    compact = text.replace(" ", "")
    for mark in ELLIPSES:
        compact = compact.replace(mark, "…")
    head, ellipsis, tail = compact.partition("…")
    if ellipsis:
        head, tail = (part.translate(_SEPARATORS) for part in (head, tail))
        head = head.removeprefix("+86")
    else:
        head = _whole_phone(head) or head
    if (head + tail).rstrip("xX").isdigit():
        head, tail = head.upper(), tail.upper()
        number = sa.and_(
            people.c.id_number.startswith(head, autoescape=True),
            people.c.id_number.endswith(tail, autoescape=True),
        )
        phone = sa.and_(
            people.c.phone_key.startswith(head, autoescape=True),
            people.c.phone_key.endswith(tail, autoescape=True),
        )
        return sa.or_(number, phone)
    return people.c.name.startswith(text, autoescape=True)


def _whole_phone(text: str) -> str | None:
    """The digits of a phone written whole in any form the registry takes, else None."""
    try:
        return phone_digits(phone(text))
    except RegistryValueError:
        return None


def cases_about(conn: Connection, person_ids: Sequence[int], flow_id: str) -> dict[int, str]:
    """The case of flow `flow_id` about each of these people (the first, if several)."""
    found: dict[int, str] = {}
    for part in chunks(sorted(set(person_ids))):
        rows = conn.execute(
            sa.select(case_subjects.c.person_id, case_subjects.c.case_id)
            .join(cases, cases.c.id == case_subjects.c.case_id)
            .where(case_subjects.c.person_id.in_(part), cases.c.flow_id == flow_id)
            .order_by(case_subjects.c.case_id)
        )
        for row in rows:
            found.setdefault(row.person_id, row.case_id)
    return found


def place_paths(conn: Connection, ids: Sequence[int]) -> dict[int, str]:
    """The path of each of these places."""
    found: dict[int, str] = {}
    for part in chunks(sorted(set(ids))):
        query = sa.select(places.c.id, places.c.path).where(places.c.id.in_(part))
        found.update({row.id: row.path for row in conn.execute(query)})
    return found


def subjects_of(conn: Connection, case_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Whom each of these cases is about: the person's name, ID number and phone, their dwelling."""
    dwelling = places.alias("dwelling")
    found: dict[str, dict[str, Any]] = {}
    for part in chunks(sorted(set(case_ids))):
        rows = conn.execute(
            sa.select(
                case_subjects.c.case_id,
                people.c.name,
                people.c.id_number,
                people.c.phone,
                dwelling.c.path.label("dwelling"),
            )
            .select_from(case_subjects)
            .outerjoin(people, people.c.id == case_subjects.c.person_id)
            .outerjoin(dwelling, dwelling.c.id == case_subjects.c.dwelling_id)
            .where(case_subjects.c.case_id.in_(part))
        )
        found.update({row.case_id: dict(row._mapping) for row in rows})
    return found
