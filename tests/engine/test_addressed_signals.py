"""Signals addressed to a person or household (issue 11, C3): the `case_identities` index the
engine keeps with each case, what a signal finds through it, and `verify` on it. The scenarios
(tests/scenarios/test_d01_fever_signal.py) walk the same through the built-in flows."""

from __future__ import annotations

import sqlalchemy as sa

from sopflow.engine.runtime import Engine
from sopflow.store.store import Store
from sopflow.store.tables import case_identities
from tests.conftest import Clock
from tests.scenarios.helpers import ID_F, ID_M, PLACE, REQUEST, place_at_home, sort_request


def indexed(store: Store, case_id: str) -> dict[str, str]:
    with store.reading() as conn:
        query = sa.select(case_identities).where(case_identities.c.case_id == case_id)
        return {row.kind: row.value for row in conn.execute(query)}


def test_a_case_is_indexed_by_whom_it_is_about_and_verify_checks_the_index(
    engine: Engine, store: Store, clock: Clock
) -> None:
    place_at_home(engine, "K-0001", id_number=ID_F)  # key-person control: by id_number, household_id
    assert indexed(store, "K-0001") == {"person": ID_F, "household": "H-3-2-501"}
    assert engine.verify() == []
    with store.writing() as conn:
        conn.execute(case_identities.delete().where(case_identities.c.case_id == "K-0001"))
    found = engine.verify()
    assert [(d.case_id, d.field) for d in found] == [("K-0001", "case_identities")]


def test_an_ended_case_is_not_signalled_and_a_named_person_is_found_by_the_id_number(
    engine: Engine, store: Store, clock: Clock
) -> None:
    place_at_home(engine, "K-0001", id_number=ID_F, household="H-1")
    place_at_home(engine, "K-0002", id_number=ID_M, household="H-2")  # another household
    engine.fire(
        "K-0002", "close_other", actor="乡镇指挥部", role="township_hq", data={"close_reason": "迁出"}
    )
    clock.advance(hours=1)
    for case_id, household in (("R-0001", "H-2"), ("R-0002", "H-1")):
        engine.start(
            REQUEST,
            case_id,
            {"household_id": household, "address": "前郭镇东风社区1号楼", "phone": "13812345678"},
            actor="王芳",
            role="grid_worker",
            place=PLACE,
        )
    assert indexed(store, "R-0001") == {"household": "H-2"}  # the request names its household
    sort_request(engine, "R-0001", "symptoms", items="发烧", patient_id_number=ID_M)
    [alert] = engine.alerts("R-0001")
    assert alert.kind == "undelivered"  # K-0002 has ended
    assert alert.detail["to"] == {"kind": "person", "field": "patient_id_number"}
    assert ID_M not in str(alert.detail)  # the address by its field: the ID number stays masked
    assert engine.case("K-0002").outcome is not None and engine.alerts("K-0002") == []
    # The ID number decides, not the household the request was logged for.
    sort_request(engine, "R-0002", "symptoms", items="发烧", patient_id_number=ID_F)
    assert engine.case("K-0001").step == "fever_found" and engine.alerts("R-0002") == []
    [sent] = [e for e in engine.case("R-0002").history if e.kind == "sent"]
    assert sent.why["taken"] == ["K-0001"] and ID_F not in str(sent.why)
    assert engine.verify() == []
