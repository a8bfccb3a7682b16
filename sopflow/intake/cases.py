"""`sopflow import FLOW FILE`: a case per row, each row's values checked by the flow exactly as
`case start` checks them. A row is tied to the registry's person by the flow's ID-number field
(the case is then about that person, their household and dwelling, and takes the dwelling as its
place). Importing a file again starts nothing new: a row is the case its 案件编号 names, else the
case of this flow about the person with that ID number, else the case its values make (an id
derived from them)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from sopflow.cases import inputs
from sopflow.cases.fielddata import to_json
from sopflow.cases.records import Case
from sopflow.engine.changes import Result
from sopflow.engine.runtime import Engine
from sopflow.engine.work import Work
from sopflow.errors import CaseError, CodedError
from sopflow.i18n.catalogue import Phrase
from sopflow.intake.columns import Column, column
from sopflow.intake.problems import RowProblem
from sopflow.intake.run import Counts, Line, unreadable
from sopflow.language.model import FieldType, Flow
from sopflow.store import registry

CASE, PLACE = "case", "place"
THIS_ROW = "case.reason.this_row"  # a row's case in a message, when the row gives no id
ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # as generated ids: no 0/O, 1/I/L


@dataclass(frozen=True)
class Subject:
    """Whom a case is about, from the registry."""

    person_id: int
    household_id: int | None
    dwelling_id: int | None


@dataclass(frozen=True)
class PlannedCase:
    """A checked row: the case it starts (None: the case is there already, as the row says)."""

    number: int
    case_id: str
    result: Result | None
    subject: Subject | None


def case_columns(flow: Flow) -> list[Column]:
    """案件编号 and 地点, and each of the flow's fields by its id or its label in any language."""
    fields = [
        Column(spec.id, tuple(dict.fromkeys(spec.label.values())), spec.required, dict(spec.label))
        for spec in flow.fields.values()
    ]
    return [column(CASE, "案件号", "编号", "case_id"), column(PLACE, "地点名称"), *fields]


class CasesIntake:
    """Rows of one flow's cases: new, or unchanged (the case is there with the row's values); a
    case that is there with other values is a problem (correct it with `case amend`)."""

    def __init__(self, engine: Engine, flow_id: str, *, actor: str, role: str | None, at: datetime) -> None:
        self.engine = engine
        self.flow = engine.flows.load(flow_id)
        self.stepper = engine.stepper(self.flow)
        self.actor = inputs.actor(actor)
        self.role = self.stepper.role_id("-", inputs.role(role))  # by id or name
        self.stepper.check_opener("-", self.role)  # once, before any row is read
        self.at = at
        self.id_field = next((f.id for f in self.flow.fields.values() if f.type is FieldType.ID_NUMBER), None)
        self.headers: dict[str, str] = {}
        self.seen: dict[str, tuple[int, int]] = {}  # case -> its first row, a hash of its values
        self.saved: list[Work] = []  # batches written, not yet committed

    def columns(self) -> Sequence[Column]:
        return case_columns(self.flow)

    def begin(self, headers: dict[str, str]) -> None:
        self.headers, self.seen, self.saved = headers, {}, []

    def check(self, conn: Connection, lines: Sequence[Line]) -> list[PlannedCase | list[RowProblem]]:
        numbers = {n for n in (self._id_number(line) for line in lines) if n}
        people = registry.people_by_id_number(conn, numbers)
        about = registry.cases_about(conn, [p["id"] for p in people.values()], self.flow.id)
        paths = registry.place_paths(conn, [p["dwelling_id"] for p in people.values() if p["dwelling_id"]])
        results: list[PlannedCase | list[RowProblem]] = []
        for line in lines:
            problems = unreadable(line, self.headers)
            person = people.get(self._id_number(line) or "")
            planned = None if problems else self._plan(conn, line, person, about, paths, problems)
            results.append(problems if problems or planned is None else planned)
        return results

    def _id_number(self, line: Line) -> str | None:
        return inputs.tidy(line.get(self.id_field)).upper() or None if self.id_field else None

    def _plan(  # noqa: PLR0917 - one call, from check
        self,
        conn: Connection,
        line: Line,
        person: dict[str, Any] | None,
        about: dict[int, str],
        paths: dict[int, str],
        problems: list[RowProblem],
    ) -> PlannedCase | None:
        data = {f: line.get(f) for f in self.flow.fields if line.get(f)}
        named = line.get(CASE) or Phrase(
            THIS_ROW
        )  # an id the row does not show would mean nothing to its reader
        values = self._values(line, named, data, problems)
        case_id = self._case_id(line, person, about, values, problems)
        place = self._place(conn, line, person, paths, problems)
        if problems or case_id is None:
            return None
        given = {k: to_json(v) for k, v in sorted(values.items())}
        fingerprint = hash(json.dumps([place, given], default=str))
        earlier = self.seen.setdefault(case_id, (line.number, fingerprint))
        if earlier[1] != fingerprint:
            problems.append(RowProblem(line.number, None, "import.case_differs_in_file", {"row": earlier[0]}))
            return None
        subject = Subject(person["id"], person["household_id"], person["dwelling_id"]) if person else None
        stored = self.engine.store.get(conn, case_id, history=False)
        if stored is not None or earlier[0] != line.number:
            return self._same(line, case_id, stored, values, subject, problems)
        try:
            result = self.stepper.start(
                case_id, data, actor=self.actor, role=self.role, at=self.at, place=place
            )
        except CodedError as error:  # a required field missing, a rule of the flow
            params = dict(error.params)
            if not line.get(CASE) and params.get("case") == case_id:
                params["case"] = Phrase(THIS_ROW)
            problems.append(RowProblem(line.number, None, error.code, params))
            return None
        return PlannedCase(line.number, case_id, result, subject)

    def _values(
        self, line: Line, named: str, data: dict[str, str], problems: list[RowProblem]
    ) -> dict[str, Any]:
        """Each cell read by its field, a bad one a problem at its column (messages name the
        case as `named`: its id if the row gives one, else "this row's case")."""
        values: dict[str, Any] = {}
        for field, text in data.items():
            try:
                values.update(self.stepper.entries.parse(named, {field: text}, allowed=None, at=self.at))
            except CodedError as error:
                problems.append(
                    RowProblem(line.number, self.headers.get(field, field), error.code, error.params)
                )
        return values

    def _case_id(
        self,
        line: Line,
        person: dict[str, Any] | None,
        about: dict[int, str],
        values: dict[str, Any],
        problems: list[RowProblem],
    ) -> str | None:
        if line.get(CASE):
            try:
                return inputs.case_id(line.get(CASE))
            except CodedError as error:
                problems.append(RowProblem(line.number, self.headers[CASE], error.code, error.params))
                return None
        if person is not None and person["id"] in about:
            return about[person["id"]]
        key = values.get(self.id_field or "") or json.dumps(
            {k: to_json(v) for k, v in sorted(values.items())}, default=str, ensure_ascii=False
        )
        return derived_id(self.flow.id, str(key))

    def _place(
        self,
        conn: Connection,
        line: Line,
        person: dict[str, Any] | None,
        paths: dict[int, str],
        problems: list[RowProblem],
    ) -> str | None:
        """The 地点 column (a registry place, by path or name, when the registry has places), else
        the dwelling of the registry's person, else none."""
        if line.get(PLACE):
            try:
                return registry.registry_place(conn, line.get(PLACE)) or inputs.place(line.get(PLACE))
            except CodedError as error:
                problems.append(RowProblem(line.number, self.headers[PLACE], error.code, error.params))
                return None
        if person is not None and person["dwelling_id"] is not None:
            return paths.get(person["dwelling_id"])
        return None

    def _same(  # noqa: PLR0917 - one call, from _plan
        self,
        line: Line,
        case_id: str,
        stored: Case | None,
        values: dict[str, Any],
        subject: Subject | None,
        problems: list[RowProblem],
    ) -> PlannedCase | None:
        """A row for a case already there (or an earlier row's): unchanged if it agrees."""
        if stored is None:  # an earlier row of this file, with the same values
            return PlannedCase(line.number, case_id, None, subject)
        if stored.flow_id != self.flow.id:
            problems.append(
                RowProblem(
                    line.number, None, "import.case_other_flow", {"case": case_id, "flow": stored.flow_id}
                )
            )
            return None
        differ = [f for f, v in values.items() if to_json(stored.data.get(f)) != to_json(v)]
        if differ:
            fields = self.stepper.names.fields.listing(differ)
            problems.append(
                RowProblem(line.number, None, "import.case_differs", {"case": case_id, "fields": fields})
            )
            return None
        return PlannedCase(line.number, case_id, None, subject)

    def write(self, conn: Connection, checked: Sequence[PlannedCase]) -> Counts:
        """The new cases (and any child case a flow starts at once) in the caller's transaction,
        each tied to its person; a case someone else started meanwhile fails the batch."""
        counts = Counts()
        work = Work(conn)
        links = []
        for planned in checked:
            if planned.result is None or planned.case_id in work.current:
                counts.unchanged += 1
                continue
            work.read[planned.case_id] = None
            self.engine.stage(work, planned.result, self.stepper)  # child cases, as Engine.start
            counts.new += 1
            if planned.subject is not None:
                links.append({"case_id": planned.case_id, **vars(planned.subject)})
        conflicts = self.engine.save_staged(conn, work)
        if conflicts:
            raise CaseError("case.exists", case=conflicts[0])  # started meanwhile: not this batch
        registry.link_cases(conn, links)
        self.saved.append(work)
        return counts

    def committed(self) -> None:
        """The batches written are committed: the hooks of the steps the new cases entered run."""
        for work in self.saved:
            self.engine.after_commit(work)
        self.saved.clear()


def derived_id(flow_id: str, key: str) -> str:
    """The id of the case a row without a 案件编号 makes: the flow's initials and 10 characters
    of a hash of what identifies it, so the same row imported again names the same case."""
    initials = "".join(part[0] for part in flow_id.split("_")).upper()
    digest = int.from_bytes(hashlib.sha256(f"{flow_id}\n{key}".encode()).digest()[:8], "big")
    chars = []
    for _ in range(10):
        digest, index = divmod(digest, len(ID_ALPHABET))
        chars.append(ID_ALPHABET[index])
    return f"{initials}-{''.join(chars)}"
