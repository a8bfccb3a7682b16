"""ID numbers as seen (issue 11, C14): an `id_number` field with `accept_invalid: true` keeps a
number that fails GB 11643 (compacted, as written on the card), other checks still apply, and the
guard function `valid_id(field)` tells whether it passes. Mistakes are load errors at
file:line:col. On SQLite and PostgreSQL where a store is involved."""

from __future__ import annotations

from pathlib import Path

import pytest

from sopflow.engine.runtime import Engine
from sopflow.errors import CaseError, FlowError
from sopflow.language.catalog import FlowCatalog
from sopflow.language.loader import load_shallow
from sopflow.language.wording import condition_words
from sopflow.store.store import Store
from tests.conftest import Clock

VALID = "220721198001010014"
INVALID = "220721198001010019"  # the check character should be 4

FLOW = """\
format: 2
id: id_seen
version: "2020.05.1"
languages: [en]
title: {en: ID as seen}
unit: person
start: seen
roles:
  grid_worker: {en: Grid worker}
fields:
  id_number: {type: id_number, label: {en: ID number}, ACCEPT}
  name: {type: text, label: {en: Name}}
  id_valid:
    type: boolean
    label: {en: ID number valid}
    compute:
      - when: valid_id(id_number)
        value: "true"
      - default: "false"
steps:
  seen:
    kind: task
    label: {en: Seen}
    role: grid_worker
    deadline: 1d
    actions:
      - action: matched
        label: {en: Matched}
        to: done
        when: valid_id(id_number)
      - action: verify
        label: {en: Verify}
        to: done
        when: not valid_id(id_number)
  done: {kind: end, label: {en: Done}, role: grid_worker, outcome: done}
"""


def flow_text(accept: str = "accept_invalid: true") -> str:
    return FLOW.replace("ACCEPT", accept)


@pytest.fixture
def seen(store: Store, clock: Clock, tmp_path: Path) -> Engine:
    (tmp_path / "id_seen.yaml").write_text(flow_text(), encoding="utf-8")
    return Engine(store, flows=FlowCatalog([tmp_path]), clock=clock)


def test_an_invalid_id_number_is_kept_as_seen_and_valid_id_says_it_fails(seen: Engine) -> None:
    case = seen.start(
        "id_seen", "T-1", {"id_number": f" {INVALID[:6]} {INVALID[6:]} "}, actor="王芳", role="grid_worker"
    )
    assert case.data["id_number"] == INVALID  # kept, compacted
    assert case.data["id_valid"] is False  # worked out by the flow (docs/flow-format.md's example)
    offers = {o.name: o.available for o in seen.offers("T-1")}
    assert offers == {"matched": False, "verify": True}
    with pytest.raises(CaseError):
        seen.fire("T-1", "matched", actor="王芳", role="grid_worker")
    assert seen.fire("T-1", "verify", actor="王芳", role="grid_worker").outcome == "done"


def test_a_valid_id_number_passes_valid_id(seen: Engine) -> None:
    case = seen.start("id_seen", "T-2", {"id_number": VALID.lower()}, actor="王芳", role="grid_worker")
    assert case.data["id_valid"] is True
    offers = {o.name: o.available for o in seen.offers("T-2")}
    assert offers == {"matched": True, "verify": False}


def test_other_checks_still_apply_to_an_id_number_kept_as_seen(seen: Engine) -> None:
    with pytest.raises(CaseError) as refused:
        seen.start("id_seen", "T-3", {"id_number": "2207\x0019800101"}, actor="王芳", role="grid_worker")
    assert refused.value.code == "value.control"
    with pytest.raises(CaseError) as refused:
        seen.start("id_seen", "T-4", {"id_number": "9" * 101}, actor="王芳", role="grid_worker")
    assert refused.value.code == "value.too_long"


def test_without_accept_invalid_a_failing_id_number_is_refused(
    store: Store, clock: Clock, tmp_path: Path
) -> None:
    (tmp_path / "id_seen.yaml").write_text(flow_text("required: false"), encoding="utf-8")
    engine = Engine(store, flows=FlowCatalog([tmp_path]), clock=clock)
    with pytest.raises(CaseError) as refused:
        engine.start("id_seen", "T-5", {"id_number": INVALID}, actor="王芳", role="grid_worker")
    assert refused.value.code == "value.id_number"


def problems(text: str) -> list[tuple[str, int, int]]:
    with pytest.raises(FlowError) as refused:
        load_shallow(text.encode(), "id_seen.yaml")
    return [(p.code, p.location.line, p.location.column) for p in refused.value.problems]


def test_accept_invalid_is_only_for_id_number_fields() -> None:
    text = flow_text().replace(
        "name: {type: text, label: {en: Name}}", "name: {type: text, label: {en: Name}, accept_invalid: true}"
    )
    line = text.splitlines().index("  name: {type: text, label: {en: Name}, accept_invalid: true}") + 1
    column = text.splitlines()[line - 1].index("accept_invalid") + 1
    assert problems(text) == [("field.accept_invalid_not_id", line, column)]


def test_valid_id_takes_an_id_number_field_by_name() -> None:
    text = flow_text().replace(
        "to: done\n        when: valid_id(id_number)", 'to: done\n        when: valid_id("id_number")'
    )
    assert [code for code, _line, _column in problems(text)] == ["guard.argument_not_field"]
    text = flow_text().replace(
        "to: done\n        when: valid_id(id_number)", "to: done\n        when: valid_id(name)"
    )
    line = text.splitlines().index("        when: valid_id(name)") + 1
    assert [(code, found) for code, found, _column in problems(text)] == [("guard.wrong_field_type", line)]


def test_valid_id_reads_in_words() -> None:
    flow, _ = load_shallow(flow_text().encode(), "id_seen.yaml")
    guard = flow.steps["seen"].actions[0].guard
    assert guard is not None
    assert condition_words(flow, guard.source, "en") == "ID number passes the ID number check"
