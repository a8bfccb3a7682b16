"""Issue 11, defect 6 (C4): the household's shared daily-needs case, beyond the two scenarios of
test_d06_households: what `case show`, `verify` and a member's leaving at other steps do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sopflow import Engine
from tests.scenarios.helpers import ID_F, ID_M, LOCAL, SUPPLY, Cli, place_at_home, serve_household

if TYPE_CHECKING:
    from tests.conftest import Clock


def two_co_residents(engine: Engine, clock: Clock) -> str:
    """张三 and then 张四 placed at home in household H-3-2-501: their one shared case."""
    place_at_home(engine, "K-0071", id_number=ID_F, name="张三")
    clock.now = LOCAL(2020, 2, 3, 9, 0)
    place_at_home(engine, "K-0072", id_number=ID_M, name="张四", arrival="2020-02-02")
    supplies = [c.id for c in engine.cases(flow_id=SUPPLY)]
    assert supplies == ["K-0071.1"]
    return supplies[0]


def test_the_shared_case_and_its_members_show_each_other_and_verify(
    engine: Engine, clock: Clock, sopflow_cli: Cli
) -> None:
    supply = two_co_residents(engine, clock)
    shown = sopflow_cli("case", "show", supply)
    assert "Shared by the household's cases K-0071, K-0072 (left: -)" in shown.output, shown.output
    member = sopflow_cli("case", "show", "K-0072")
    assert "Shares the household's case K-0071.1" in member.output
    assert "Joined the household's case K-0071.1" in member.output
    assert sopflow_cli.json("case", "show", "K-0072")["shares"] == ["K-0071.1"]
    assert engine.case("K-0072").children == ()  # a member, not a parent: the case is not its child
    assert engine.verify() == []


def test_a_member_moving_out_leaves_and_the_case_serves_the_other(engine: Engine, clock: Clock) -> None:
    supply = two_co_residents(engine, clock)
    serve_household(engine, supply)
    clock.advance(hours=2)
    engine.fire("K-0071", "moved_out", actor="乡镇指挥部", role="township_hq", data={"moved_to": "长春市"})
    case = engine.case(supply)
    assert case.step == "serving" and case.data["members_in"] == 1
    left = [e for e in case.history if e.kind == "leave"]
    assert [e.why["member"] for e in left if e.why] == ["K-0071"]
    # the case ending later does not make it leave twice
    engine.fire("K-0071", "handed_over", actor="乡镇指挥部", role="township_hq")
    assert len([e for e in engine.case(supply).history if e.kind == "leave"]) == 1
    assert engine.verify() == []


def test_kept_open_with_a_reason_when_someone_at_home_still_needs_it(engine: Engine, clock: Clock) -> None:
    place_at_home(engine, "K-0073")
    supply = engine.cases(flow_id=SUPPLY)[0].id
    serve_household(engine, supply)
    clock.advance(hours=1)
    engine.fire(
        "K-0073", "close_other", actor="乡镇指挥部", role="township_hq", data={"close_reason": "误登记"}
    )
    assert engine.case(supply).step == "close_case"  # its case ended: the only member left
    case = engine.fire(
        supply, "keep_open", actor="王芳", role="grid_worker", data={"keep_open_reason": "老人独居，仍需送菜"}
    )
    assert case.step == "serving"
    assert case.data["keep_open_reason"] == "老人独居，仍需送菜"


def test_a_member_leaving_before_the_case_is_opened_is_kept_as_an_alert_not_dropped(
    engine: Engine, clock: Clock
) -> None:
    supply = two_co_residents(engine, clock)  # not opened yet: at open_case
    clock.advance(hours=1)
    engine.fire(
        "K-0071", "close_other", actor="乡镇指挥部", role="township_hq", data={"close_reason": "误登记"}
    )
    case = engine.case(supply)
    assert case.step == "open_case"  # 张四 is still in: not closed
    assert [a.name for a in case.alerts] == ["member_left"]
    clock.advance(hours=1)
    engine.fire(
        "K-0072", "close_other", actor="乡镇指挥部", role="township_hq", data={"close_reason": "误登记"}
    )
    assert engine.case(supply).step == "close_case"  # the last one left


def test_a_newcomer_to_a_household_whose_case_is_closing_gets_a_case_that_serves(
    engine: Engine, clock: Clock
) -> None:
    """Found by the full simulated county: the household's only key person left, its case went to
    closing and waited there for the grid worker; a second key person of the household, placed
    at home days later, joined that closing case and had no daily-needs service for 15 days (and
    their own release left an alert no one expected). A case every member has left is not joined:
    the newcomer starts one that serves, and the closing one is closed as before."""
    place_at_home(engine, "K-0081", id_number=ID_F, name="张三")
    closing = engine.cases(flow_id=SUPPLY)[0].id
    serve_household(engine, closing)
    clock.advance(hours=1)
    engine.fire(
        "K-0081", "close_other", actor="乡镇指挥部", role="township_hq", data={"close_reason": "误登记"}
    )
    assert engine.case(closing).step == "close_case"
    clock.now = LOCAL(2020, 2, 5, 9, 0)
    place_at_home(engine, "K-0082", id_number=ID_M, name="张四", arrival="2020-02-04")
    assert [(c.id, c.step) for c in engine.cases(flow_id=SUPPLY)] == [
        (closing, "close_case"),
        ("K-0082.1", "open_case"),
    ]
    assert engine.case("K-0082").children == ("K-0082.1",)
    assert not [e for e in engine.case(closing).history if e.kind == "join"]
    assert engine.verify() == []
