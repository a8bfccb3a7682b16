"""Issue 12.11: every public entry point checks its arguments. A call with the wrong kind of value
raises a SopflowError (or a TypeError, if that is the rule chosen) whose message names the
argument, never a raw error from deep inside; and nothing wrong is taken silently."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

import pytest

from sopflow import ArgumentError, Engine, FlowCatalog, SopflowError, load_flow, open_store

from .conftest import DATA

Call = Callable[[Engine], object]

MISUSES: dict[str, tuple[str, Call]] = {  # name: (the argument the message must name, the call)
    "fire(None, ...)": ("case_id", lambda e: e.fire(None, "reading", actor="王芳", role="nurse")),  # type: ignore[arg-type]
    "fire(id, None)": ("action", lambda e: e.fire("W-1", None, actor="王芳", role="nurse")),  # type: ignore[arg-type]
    "start(flow_id=None)": ("flow_id", lambda e: e.start(None, "W-2", actor="王芳", role="nurse")),  # type: ignore[arg-type]
    "start(case_id=123)": ("case_id", lambda e: e.start("watch", 123, actor="王芳", role="nurse")),  # type: ignore[arg-type]
    "place=5": ("place", lambda e: e.start("watch", "W-2", actor="王芳", role="nurse", place=5)),  # type: ignore[arg-type]
    "role=5": ("role", lambda e: e.start("watch", "W-2", actor="王芳", role=5)),  # type: ignore[arg-type]
    "note=5": ("note", lambda e: e.start("watch", "W-2", actor="王芳", role="nurse", note=5)),  # type: ignore[arg-type]
    "a data key not text": ("data", lambda e: e.start("watch", "W-2", {5: "x"}, actor="王芳", role="nurse")),  # type: ignore[dict-item]
    "temperature=10**400": (
        "temperature",
        lambda e: e.fire("W-1", "reading", actor="王芳", role="nurse", data={"temperature": 10**400}),
    ),
    "cases(limit=2**70)": ("limit", lambda e: e.cases(limit=2**70)),
    "cases(limit='5')": ("limit", lambda e: e.cases(limit="5")),  # type: ignore[arg-type]
    "cases(flow_id=5)": ("flow_id", lambda e: e.cases(flow_id=5)),  # type: ignore[arg-type]
    "due(within=5)": ("within", lambda e: e.due(within=5)),  # type: ignore[arg-type]
    "due(now='2020')": ("now", lambda e: e.due(now="2020")),  # type: ignore[arg-type]
    "tick(now='2020')": ("now", lambda e: e.tick(now="2020")),  # type: ignore[arg-type]
    "offers(at='2020')": ("at", lambda e: e.offers("W-1", at="2020")),  # type: ignore[arg-type]
    "case(None)": ("case_id", lambda e: e.case(None)),  # type: ignore[arg-type]
}


@pytest.fixture
def engine_with_a_case(local_engine: Engine) -> Engine:
    local_engine.start("watch", "W-1", {}, actor="王芳", role="nurse")
    return local_engine


def _refused_naming(argument: str, call: Callable[[], object]) -> None:
    with pytest.raises((SopflowError, TypeError)) as refused:
        call()
    message = refused.value.message("en") if isinstance(refused.value, SopflowError) else str(refused.value)
    assert argument in message, f"{type(refused.value).__name__}: {message}"


@pytest.mark.parametrize("misuse", MISUSES)
def test_a_wrong_argument_is_refused_by_name(engine_with_a_case: Engine, misuse: str) -> None:
    argument, call = MISUSES[misuse]
    _refused_naming(argument, lambda: call(engine_with_a_case))
    assert [c.id for c in engine_with_a_case.cases()] == ["W-1"]
    assert engine_with_a_case.case("W-1").seq == 1


def test_an_engine_without_a_store_is_refused() -> None:
    _refused_naming("store", lambda: Engine(None))  # type: ignore[arg-type]


@pytest.mark.parametrize("given", ["2020-02-01 09:00", 1580518800, None])
def test_a_clock_that_gives_no_datetime_is_refused_by_name_and_changes_nothing(
    local_engine: Engine, given: object
) -> None:
    engine = Engine(local_engine.store, flows=local_engine.flows, clock=lambda: given)
    _refused_naming("clock()", lambda: engine.start("watch", "W-9", {}, actor="王芳", role="nurse"))
    assert engine.cases() == []


def test_open_store_with_a_number() -> None:
    _refused_naming("url", lambda: open_store(123))  # type: ignore[arg-type]


def test_load_flow_without_a_path() -> None:
    _refused_naming("path", lambda: load_flow(None))  # type: ignore[arg-type]


def test_a_catalog_of_text_paths_works_or_is_refused_by_name() -> None:
    """Text for a folder is what most callers will write; taking it is fine, so is refusing it by name."""
    try:
        catalog = FlowCatalog([str(DATA)])  # type: ignore[list-item]
    except (SopflowError, TypeError) as refused:
        assert "folder" in str(refused)
        return
    assert catalog.load("watch").id == "watch"


def test_the_wrong_kinds_refused_by_name_today(engine_with_a_case: Engine) -> None:
    """What holds already (issue 3): at, data, expected_seq and actor of the wrong kind."""
    engine = engine_with_a_case
    calls: dict[str, Callable[[], Any]] = {
        "at": lambda: engine.fire("W-1", "reading", actor="王芳", role="nurse", at="2020-02-01"),  # type: ignore[arg-type]
        "data": lambda: engine.start("watch", "W-2", ["x"], actor="王芳", role="nurse"),  # type: ignore[arg-type]
        "expected_seq": lambda: engine.fire("W-1", "close", actor="王芳", role="nurse", expected_seq="1"),  # type: ignore[arg-type]
    }
    for argument, call in calls.items():
        _refused_naming(argument, call)


def test_the_one_rule_an_argument_error_is_both_kinds_in_the_users_language(
    engine_with_a_case: Engine,
) -> None:
    """The rule (README, Library): a SopflowError, so the CLI prints it as one line, and a TypeError,
    as Python callers expect; said in the user's language, and whole after pickling."""
    with pytest.raises(ArgumentError) as refused:
        engine_with_a_case.case(123)  # type: ignore[arg-type]
    error = refused.value
    assert isinstance(error, SopflowError) and isinstance(error, TypeError)
    assert error.message("en") == "case_id must be text (a str), not 123 — fix the call"
    assert error.message("zh") == "case_id 必须是文本（str），不能是 123 — 请修改调用代码"
    assert pickle.loads(pickle.dumps(error)).message("zh") == error.message("zh")  # noqa: S301 - our own bytes
