"""Alerts (issue 11, C1), on SQLite and PostgreSQL: a signal is taken, or kept as an open alert on
the receiving case, or (with nobody to receive it) on the sender; never dropped. Alerts close
when the case reaches the step the signal leads to, or by a person with a note; the `alerts`
table follows the events in the same transaction, and `verify` checks it against them."""

from __future__ import annotations

import pickle
from datetime import timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from sopflow.cases.records import EventKind
from sopflow.cli import cli
from sopflow.engine.runtime import Engine
from sopflow.errors import CaseError, LookupFailed
from sopflow.language.catalog import FlowCatalog
from sopflow.store import tables
from sopflow.store.store import Store
from sopflow.store.tables import alerts
from tests.conftest import Clock
from tests.scenarios.conftest import OLD_FLOWS
from tests.scenarios.helpers import (
    PLACE,
    REQUEST,
    events,
    new_request,
    place_at_home,
    serve_household,
    sort_request,
    supply_case_of,
)


@pytest.fixture
def old_engine(store: Store, clock: Clock) -> Engine:
    """An engine that starts cases on the 2020.02 versions of the flows (no fever_reported at
    missed_reading): what a running case on an old version does with a signal."""
    return Engine(store, flows=FlowCatalog([OLD_FLOWS]), clock=clock)


def kept_alert(old_engine: Engine, clock: Clock) -> str:
    """A 2020.02 key-person case at `missed_reading` (no fever_reported there) told of a fever
    by its household's supply request: the signal waits on K-0001. Returns the request's id."""
    place_at_home(old_engine, "K-0001")
    supply = supply_case_of(old_engine, "K-0001")
    serve_household(old_engine, supply)
    clock.advance(hours=13)
    old_engine.fire("K-0001", "reading_missing", actor="赵干部", role="liaison_cadre")
    request = new_request(old_engine, supply)
    sort_request(old_engine, request, "symptoms", items="咳嗽发热")
    return request


def table_rows(store: Store) -> list[tuple[str, int, str, int | None]]:
    with store.reading() as conn:
        rows = conn.execute(sa.select(alerts).order_by(alerts.c.case_id, alerts.c.seq))
        return [(r.case_id, r.seq, r.name, r.closed_seq) for r in rows]


def test_a_signal_not_taken_is_kept_and_the_sender_says_where_it_went(
    old_engine: Engine, engine: Engine, clock: Clock, store: Store
) -> None:
    request = kept_alert(old_engine, clock)
    [alert] = engine.alerts()
    assert (alert.id, alert.kind, alert.from_case, alert.expects) == (
        f"K-0001#{alert.seq}",
        "signal",
        request,
        "fever_found",
    )
    sent = events(engine.case(request), "sent")
    assert [(e.why["taken"], e.why["alerts"]) for e in sent] == [([], ["K-0001"])]
    assert table_rows(store) == [("K-0001", alert.seq, "fever_reported", None)]
    assert engine.alerts(role="liaison_cadre") == [alert]
    assert engine.alerts(role="county_cdc") == []
    assert engine.alerts(place="前郭镇") == [alert] and engine.alerts(place="平凤乡") == []
    assert engine.verify() == []
    assert pickle.loads(pickle.dumps(engine.case("K-0001"))) == engine.case("K-0001")  # noqa: S301


def test_an_alert_closes_when_the_case_reaches_the_step_the_signal_leads_to(
    old_engine: Engine, engine: Engine, clock: Clock, store: Store
) -> None:
    kept_alert(old_engine, clock)
    clock.advance(minutes=20)
    engine.fire(
        "K-0001",
        "reading_taken",
        actor="赵干部",
        role="liaison_cadre",
        data={"temperature": "38.2", "symptoms": "yes"},
    )
    case = engine.case("K-0001")
    assert case.step == "fever_found" and case.alerts == ()
    closed = events(case, "alert_closed")
    assert [e.why["by"] for e in closed] == ["answered"]
    assert table_rows(store)[0][3] == closed[0].seq
    assert all(i.kind != "alert" for i in engine.due(role="liaison_cadre"))
    assert engine.verify() == []


def test_a_person_closes_an_alert_with_a_note_in_a_role_it_is_for(
    old_engine: Engine, engine: Engine, clock: Clock
) -> None:
    kept_alert(old_engine, clock)
    [alert] = engine.alerts()
    with pytest.raises(CaseError) as wrong:
        engine.close_alert(alert.id, actor="疾控", role="county_cdc", note="看过")
    assert wrong.value.code == "alert.wrong_role"
    with pytest.raises(CaseError):
        engine.close_alert(alert.id, actor="赵干部", role="liaison_cadre", note="  ")
    with pytest.raises(LookupFailed):
        engine.close_alert("K-0001", actor="赵干部", role="liaison_cadre", note="x")
    case = engine.close_alert(
        alert.id, actor="赵干部", role="liaison_cadre", note="电话核实，只是咳嗽，已告医生"
    )
    assert case.alerts == () and case.step == "missed_reading"
    last = engine.case("K-0001").history[-1]
    assert (last.kind, last.actor, last.note) == (
        EventKind.ALERT_CLOSED,
        "赵干部",
        "电话核实，只是咳嗽，已告医生",
    )
    with pytest.raises(CaseError) as again:
        engine.close_alert(alert.id, actor="赵干部", role="liaison_cadre", note="x")
    assert again.value.code == "alert.not_open"
    assert engine.verify() == []


def test_a_signal_with_no_case_to_take_it_is_kept_on_the_ended_sender(engine: Engine, clock: Clock) -> None:
    """A request started on its own (no household case above it) still leaves an open alert."""
    engine.start(
        REQUEST,
        "R-0001",
        {"household_id": "H-1", "address": "前郭镇东风社区1号楼", "phone": "13812345678"},
        actor="王芳",
        role="grid_worker",
        place=PLACE,
    )
    request = sort_request(engine, "R-0001", "symptoms", items="发烧")
    assert request.outcome == "redirected_flow1"
    [alert] = engine.alerts()
    assert (alert.case_id, alert.kind, alert.name) == ("R-0001", "undelivered", "fever_reported")
    owed = engine.due(within=timedelta(0))
    assert (owed[0].kind, owed[0].case_id) == ("alert", "R-0001")  # an ended case's alert is due too
    engine.close_alert(alert.id, actor="王芳", role="grid_worker", note="已电话通知社区医生上门")
    assert engine.alerts() == [] and engine.verify() == []


def test_verify_finds_an_alert_row_that_does_not_follow_the_events(
    old_engine: Engine, engine: Engine, clock: Clock, store: Store
) -> None:
    kept_alert(old_engine, clock)
    with store.writing() as conn:
        conn.execute(alerts.update().values(closed_seq=99, closed_at=sa.func.now()))
    found = engine.verify()
    assert [d.field for d in found if d.case_id == "K-0001"] == ["alerts", "alerts table"]


def test_case_show_and_alert_list_show_open_alerts_first(
    old_engine: Engine, clock: Clock, store_url: str
) -> None:
    kept_alert(old_engine, clock)
    runner = CliRunner()
    now = clock.now.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    env = {"SOPFLOW_LANG": "zh", "SOPFLOW_NOW": now, "SOPFLOW_ACTOR": "赵干部"}
    shown = runner.invoke(cli, ["--db", store_url, "case", "show", "K-0001"], env=env).output
    assert shown.splitlines()[1].startswith("⚠ 待处理提醒（1 条）")
    listed = runner.invoke(cli, ["--db", store_url, "alert", "list", "--role", "包保干部"], env=env)
    assert listed.exit_code == 0 and "K-0001#" in listed.output and "待处理提醒 1 条" in listed.output
    alert_id = listed.output.split()[0]
    closed = runner.invoke(
        cli,
        ["--db", store_url, "alert", "close", alert_id, "--note", "已核实", "--role", "包保干部"],
        env=env,
    )
    assert closed.exit_code == 0, closed.output
    assert "待处理提醒 0 条" in runner.invoke(cli, ["--db", store_url, "alert", "list"], env=env).output


def test_an_open_alert_moves_with_its_case(old_engine: Engine, engine: Engine, clock: Clock) -> None:
    kept_alert(old_engine, clock)
    engine.move("K-0001", "平凤乡/平凤村", actor="乡镇指挥部", role="liaison_cadre", note="搬到亲戚家")
    assert [a.case_id for a in engine.alerts(place="平凤乡")] == ["K-0001"]
    assert engine.alerts(place="前郭镇") == []


def test_verify_reports_an_alert_closed_twice(
    old_engine: Engine, engine: Engine, clock: Clock, store: Store
) -> None:
    """Two closes of one alert (two people at once, let through): the alerts table keeps the
    last and agrees with the history, so only the history shows it (found in review)."""
    kept_alert(old_engine, clock)
    [alert] = engine.alerts()
    closed = engine.close_alert(alert.id, actor="赵干部", role=alert.roles[0], note="看过")
    with store.writing() as conn:  # the second close, as it was saved before the fix
        rows = tables.events
        first_close = sa.select(rows).where(rows.c.case_id == "K-0001", rows.c.seq == closed.seq)
        again = dict(conn.execute(first_close).one()._mapping)
        conn.execute(sa.insert(rows).values({**again, "seq": closed.seq + 1, "actor": "钱干部"}))
        conn.execute(sa.update(tables.cases).where(tables.cases.c.id == "K-0001").values(seq=closed.seq + 1))
    found = [d for d in engine.verify() if d.field == "alerts"]
    assert [(d.case_id, d.stored, d.replayed) for d in found] == [
        ("K-0001", f"alert #{alert.seq} closed by events {closed.seq} and {closed.seq + 1}", "closed once")
    ]
