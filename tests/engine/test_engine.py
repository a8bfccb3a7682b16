"""The Engine's promises: refusals change nothing, concurrent changes are caught, versions are
kept, children and signals reach the right cases, hooks run after saving, verify finds tampering."""

from __future__ import annotations

import copy as copy_module
import pickle
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import MappingProxyType

import pytest
import sqlalchemy as sa

from sopflow.cases.records import Case, ConcurrentChange, EventKind
from sopflow.engine.runtime import Engine
from sopflow.errors import CaseError, LookupFailed, StoreError
from sopflow.language.catalog import FlowCatalog, builtin_dir
from sopflow.store.rows import CaseWrite
from sopflow.store.store import Store, open_store
from sopflow.store.tables import cases, events
from tests.conftest import Clock, postgres_url
from tests.engine.test_key_person_walk import register_home_case

EXAMPLE = Path(__file__).parent.parent.parent / "examples" / "fever-check.yaml"


def start_request(engine: Engine, case_id: str = "R-1") -> None:
    engine.start(
        "supply_request",
        case_id,
        {"household_id": "H-1", "address": "东风社区1号楼"},
        actor="王芳",
        role="grid_worker",
    )


@pytest.mark.parametrize(
    ("action", "role", "data", "says"),
    [
        ("no_such_action", "grid_worker", {}, "available now: Sorted (sorted), Declined (declined)"),
        (
            "sorted",
            "volunteer",
            {"request_type": "groceries", "items": "米", "urgent": "no"},
            "it is for: Grid worker (grid_worker)",
        ),
        (
            "sorted",
            "grid_worker",
            {},
            "needs Kind of request (request_type), What is needed (items), Urgent (urgent)",
        ),
        (
            "sorted",
            "grid_worker",
            {"request_type": "caviar", "items": "米", "urgent": "no"},
            "choose one of: Groceries and daily goods (groceries)",
        ),
        (
            "sorted",
            "grid_worker",
            {"request_type": "groceries", "items": "米", "urgent": "perhaps"},
            "must be yes or no",
        ),
        (
            "sorted",
            "grid_worker",
            {"request_type": "groceries", "items": "米", "urgnt": "no"},
            "did you mean 'Urgent (urgent)'?",
        ),
    ],
)
def test_a_refused_action_says_why_and_changes_nothing(
    engine: Engine, action: str, role: str, data: dict[str, str], says: str
) -> None:
    start_request(engine)
    before = engine.case("R-1")
    with pytest.raises(CaseError) as refused:
        engine.fire("R-1", action, actor="王芳", role=role, data=data)
    assert says in refused.value.message("en")
    assert refused.value.message("zh") != refused.value.message("en")
    assert engine.case("R-1") == before


def test_unknown_case_and_duplicate_id_are_clear(engine: Engine) -> None:
    start_request(engine)
    with pytest.raises(LookupFailed, match="no case 'R-404'"):
        engine.case("R-404")
    with pytest.raises(CaseError, match="already exists"):
        start_request(engine)


def test_a_case_changed_since_it_was_read_is_not_overwritten(engine: Engine) -> None:
    start_request(engine)
    seen = engine.case("R-1").seq
    engine.fire(
        "R-1",
        "sorted",
        actor="甲",
        role="grid_worker",
        data={"request_type": "groceries", "items": "米", "urgent": "no"},
    )
    with pytest.raises(ConcurrentChange) as clash:
        engine.fire(
            "R-1",
            "declined",
            actor="乙",
            role="grid_worker",
            expected_seq=seen,
            data={"decline_reason": "重复"},
        )
    assert clash.value.current is not None and clash.value.current.step == "purchase"
    assert "changed by someone else" in clash.value.message("en")


def test_the_store_refuses_a_write_based_on_an_old_read(engine: Engine, store: Store) -> None:
    start_request(engine)
    stale = engine.case("R-1")
    engine.fire(
        "R-1",
        "sorted",
        actor="甲",
        role="grid_worker",
        data={"request_type": "groceries", "items": "米", "urgent": "no"},
    )
    result = engine.stepper_for(stale).fire(
        stale,
        "declined",
        actor="乙",
        role="grid_worker",
        data={"decline_reason": "重复"},
        at=stale.updated_at,
    )
    with store.writing() as conn:
        conflicts = store.write(conn, [CaseWrite(result.case, stale.seq, result.events, None, None)])
        conn.rollback()
    assert conflicts == ["R-1"]
    assert engine.case("R-1").step == "purchase"


def test_fever_medicine_sends_the_person_to_the_fever_branch(engine: Engine, clock: Clock) -> None:
    register_home_case(engine, clock, "K-9")
    household = engine.case("K-9").children[0]
    engine.fire(
        household,
        "case_opened",
        actor="王芳",
        role="grid_worker",
        data={
            "members_count": "2",
            "special_group": "no",
            "payment_method": _first_choice(engine, household),
        },
    )
    engine.fire(
        household, "pack_delivered", actor="志愿者", role="volunteer", data={"starter_pack_given": "yes"}
    )
    assert engine.case(household).step == "serving"
    engine.fire(household, "new_request", actor="王芳", role="grid_worker")
    request_id = engine.case(household).children[-1]
    engine.fire(
        request_id,
        "sorted",
        actor="王芳",
        role="grid_worker",
        data={"request_type": "medicine", "items": "退烧药", "urgent": "no"},
    )
    engine.fire(
        request_id,
        "medicine_sorted",
        actor="李医生",
        role="community_doctor",
        data={"medicine_kind": "fever_cough_antibiotic"},
    )
    request = engine.case(request_id)
    assert (request.status, request.outcome) == ("ended", "redirected_flow1")
    person = engine.case("K-9")
    assert person.step == "fever_found"
    signal = person.history[-1]
    assert (signal.kind, signal.name, signal.actor) == (
        EventKind.SIGNAL,
        "fever_reported",
        f"case {request_id}",
    )


def _first_choice(engine: Engine, case_id: str) -> str:
    flow = engine.stepper_for(engine.case(case_id)).flow
    return next(iter(flow.fields["payment_method"].choices))


def test_hooks_run_after_the_change_is_saved(engine: Engine) -> None:
    seen: list[tuple[str, str, int]] = []

    @engine.on_enter("purchase", flow="supply_request")
    def send_sms(case, event):  # type: ignore[no-untyped-def]
        saved = engine.case(case.id)
        seen.append((case.id, event.to_step, saved.seq))

    start_request(engine)
    engine.fire(
        "R-1",
        "sorted",
        actor="甲",
        role="grid_worker",
        data={"request_type": "groceries", "items": "米", "urgent": "no"},
    )
    assert seen == [("R-1", "purchase", engine.case("R-1").seq)]


def test_verify_finds_a_case_changed_behind_the_engines_back(engine: Engine, store: Store) -> None:
    start_request(engine)
    assert engine.verify() == []
    with store.writing() as conn:
        conn.execute(sa.update(cases).where(cases.c.id == "R-1").values(step="declined"))
    [found] = engine.verify()
    assert (found.case_id, found.field, found.stored, found.replayed) == (
        "R-1",
        "step",
        "declined",
        "log_request",
    )


def test_verify_finds_a_history_out_of_time_order(engine: Engine, store: Store, clock: Clock) -> None:
    start_request(engine)
    clock.advance(hours=1)
    start_request_sorted = engine.fire(
        "R-1",
        "sorted",
        actor="甲",
        role="grid_worker",
        data={"request_type": "groceries", "items": "米", "urgent": "no"},
    )
    assert engine.verify() == []
    with store.writing() as conn:  # an entry re-dated by hand to before the case was opened
        conn.execute(
            sa.update(events)
            .where(events.c.case_id == "R-1", events.c.seq == 2)
            .values(at=clock.now.replace(year=2019))
        )
    found = engine.verify()
    assert [(d.case_id, d.field, d.replayed) for d in found][:1] == [
        ("R-1", "history", "event 2 dated before the one before it")
    ]
    assert start_request_sorted.seq == 4


def test_verify_finds_a_case_moved_to_another_family_place_or_version(
    engine: Engine, store: Store, clock: Clock
) -> None:
    register_home_case(engine, clock)
    supply = engine.case("K-0001").children[0]
    assert engine.verify() == []
    with store.writing() as conn:
        conn.execute(sa.update(cases).where(cases.c.id == supply).values(place="别的镇/别的社区"))
        conn.execute(sa.update(cases).where(cases.c.id == "K-0001").values(flow_version="9.9"))
    found = {(d.case_id, d.field) for d in engine.verify()}
    assert found == {(supply, "place"), ("K-0001", "flow_version")}
    with store.writing() as conn:
        conn.execute(sa.update(cases).where(cases.c.id == supply).values(parent_id="R-404"))
    assert (supply, "parent_id") in {(d.case_id, d.field) for d in engine.verify()}


def test_verify_reports_an_unreadable_history_and_goes_on(tmp_path: Path, clock: Clock) -> None:
    with open_store(f"sqlite:///{tmp_path}/cases.db") as store:
        engine = Engine(store, clock=clock)
        start_request(engine, "R-1")
        start_request(engine, "R-2")
        with store.writing() as conn:
            conn.exec_driver_sql("UPDATE events SET changes = '{\"address\": [' WHERE case_id = 'R-1'")
        [found] = engine.verify()
        assert (found.case_id, found.field) == ("R-1", "history")
        assert str(found.replayed).startswith("unreadable:")


def test_a_case_keeps_its_flow_version_after_the_file_changes(
    store: Store, clock: Clock, tmp_path: Path
) -> None:
    folder = tmp_path / "flows"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "fever-check.yaml")
    engine = Engine(store, flows=FlowCatalog([folder, builtin_dir()]), clock=clock)
    first = engine.start("fever_check", "F-1", {"full_name": "张三"}, actor="甲", role="grid_worker")
    text = (folder / "fever-check.yaml").read_text("utf-8").replace('version: "', 'version: "2-')
    (folder / "fever-check.yaml").write_text(text, "utf-8")
    engine = Engine(store, flows=FlowCatalog([folder, builtin_dir()]), clock=clock)
    second = engine.start("fever_check", "F-2", {"full_name": "李四"}, actor="甲", role="grid_worker")
    assert second.flow_version == "2-" + first.flow_version
    assert engine.case("F-1").flow_version == first.flow_version
    assert engine.case("F-1").flow_digest == first.flow_digest != second.flow_digest


def test_a_parent_waiting_at_a_subflow_moves_on_by_the_childs_outcome(store: Store, clock: Clock) -> None:
    flows = FlowCatalog([Path(__file__).parent.parent / "data" / "flows", builtin_dir()])
    engine = Engine(store, flows=flows, clock=clock)
    parent = engine.start("waiting_parent", "P-1", {"household_id": "H-9"}, actor="甲", role="clerk")
    assert (parent.step, parent.children) == ("ask", ("P-1.1",))
    engine.fire("P-1.1", "refuse", actor="甲", role="clerk")
    parent = engine.case("P-1")
    assert parent.step == "ask_again"
    assert [(e.kind, e.name, e.child_id) for e in parent.history[-1:]] == [
        (EventKind.OUTCOME, "refused", "P-1.1")
    ]
    engine.fire("P-1", "retry", actor="甲", role="clerk")
    assert engine.case("P-1").children == ("P-1.1", "P-1.2")
    engine.fire("P-1.1", "approve", actor="甲", role="clerk") if engine.case("P-1.1").active else None
    assert engine.case("P-1").step == "ask"  # an old child's end does not move the parent
    engine.fire("P-1.2", "approve", actor="甲", role="clerk")
    assert engine.case("P-1").outcome == "finished"
    assert engine.verify() == []


def test_a_store_keeps_its_sqlite_connection_and_gives_nested_work_another(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/held.db")
    with store.writing() as first:
        pass
    with store.reading() as again, store.writing() as inner:
        assert again is first  # kept from one transaction to the next
        assert inner is not again  # the outer one is busy
    with pytest.raises(RuntimeError), store.writing():
        raise RuntimeError("a change that fails")
    with store.writing() as after:
        assert after is first and not after.closed
    store.close()
    with store.reading() as reopened:
        assert reopened is not first and first.closed
    store.close()


def test_staff_on_several_threads_share_one_engine(tmp_path: Path, clock: Clock) -> None:
    """Each thread gets its own connection; the flow catalog, first used by all at once, is
    complete for each of them."""
    store = open_store(f"sqlite:///{tmp_path}/threads.db")
    engine = Engine(store, clock=clock)  # a fresh catalog: its index is built by the threads
    failures: list[BaseException] = []

    def register(worker: int) -> None:
        try:
            for n in range(10):
                data = {"household_id": f"H-{worker}-{n}", "address": "平凤乡"}
                engine.start(
                    "supply_request", f"R-{worker}-{n}", data, actor=f"w{worker}", role="grid_worker"
                )
        except BaseException as exc:  # reported below, with the thread's error
            failures.append(exc)

    threads = [threading.Thread(target=register, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(engine.cases(flow_id="supply_request")) == 40
    assert engine.verify() == []
    store.close()


class _Interleaved(Store):
    """A store whose first read of a case lets another member of staff change it: the race two
    people at two machines run, made to happen every time. A read that locks the case (as a
    change does once it lost a race) lets the other in before it; a read that does not (a
    change's first try on PostgreSQL), just after it."""

    def __init__(self, url: str, meanwhile: Callable[[], object]) -> None:
        super().__init__(open_store(url, create=False).engine)
        self.meanwhile: Callable[[], object] | None = meanwhile
        self.locked_reads: list[bool] = []

    def get(
        self, conn: sa.Connection, case_id: str, *, history: bool = True, to_change: bool = False
    ) -> Case | None:
        meanwhile, self.meanwhile = self.meanwhile, None
        self.locked_reads.append(to_change)
        if meanwhile is not None and to_change:  # this change has begun, not read yet
            meanwhile()
        read = super().get(conn, case_id, history=history, to_change=to_change)
        if meanwhile is not None and not to_change:  # read, not saved yet
            meanwhile()
        return read


@pytest.fixture
def pg_stores() -> Iterator[tuple[str, list[Store]]]:
    """A PostgreSQL schema and a list in which the test puts every store it opens (closed after)."""
    opened: list[Store] = []
    for url in postgres_url():
        try:
            yield url, opened
        finally:
            for store in opened:
                store.close()


def test_a_change_that_loses_a_race_is_worked_out_again_on_the_new_state(
    pg_stores: tuple[str, list[Store]], clock: Clock
) -> None:
    """On PostgreSQL two transactions can run at once. Without expected_seq a change is worked
    out on the case as the other left it: two checks recorded at once both count; an action the
    other made impossible is refused as such (not 'changed by someone else')."""
    url, opened = pg_stores
    opened.append(open_store(url))
    other = Engine(opened[-1], clock=clock)
    register_home_case(other, clock)

    def reading(meanwhile: Callable[[], object]) -> Engine:
        opened.append(_Interleaved(url, meanwhile))
        return Engine(opened[-1], clock=clock)

    def check(engine: Engine, actor: str) -> Case:
        data = {"temperature": "36.5", "symptoms": "no"}
        return engine.fire("K-0001", "temperature_check", actor=actor, role="subject", data=data)

    mine = check(racing := reading(lambda: check(other, "张三的家人")), "张三")
    assert racing.store.locked_reads == [False, True]  # tried unlocked, lost, then queued
    assert mine.seq == other.case("K-0001").seq
    names = [e.actor for e in other.case("K-0001").history if e.name == "temperature_check"]
    assert names == ["张三的家人", "张三"]

    def move_away() -> None:
        other.fire("K-0001", "moved_out", actor="乡镇", role="township_hq", data={"moved_to": "长春市"})

    with pytest.raises(CaseError) as refused:
        check(reading(move_away), "张三")
    assert not isinstance(refused.value, ConcurrentChange)
    assert "cannot be done" in refused.value.message("en")
    assert other.verify() == []


def test_a_refusal_on_a_case_that_moved_on_meanwhile_is_worked_out_again(
    pg_stores: tuple[str, list[Store]], clock: Clock
) -> None:
    """A change first tried on its case read unlocked, refused there, while another change moved
    the case on to where it can be done: it is done, not refused for a state already gone."""
    url, opened = pg_stores
    opened.append(open_store(url))
    other = Engine(opened[-1], clock=clock)
    start_request(other)
    sorting = {"request_type": "groceries", "items": "米", "urgent": "no"}
    racing = _Interleaved(
        url, lambda: other.fire("R-1", "sorted", actor="王芳", role="grid_worker", data=sorting)
    )
    opened.append(racing)
    bought = Engine(racing, clock=clock).fire("R-1", "bought", actor="李志愿", role="volunteer")
    assert racing.locked_reads == [False, True]  # refused unlocked, found moved on, done locked
    assert bought.step == "deliver"
    assert other.verify() == []


def test_a_file_that_is_not_a_store_or_a_damaged_row_is_a_store_error(tmp_path: Path, clock: Clock) -> None:
    junk = tmp_path / "notes.db"
    junk.write_text("this is a shopping list, not a database\n" * 100)
    with pytest.raises(StoreError) as wrong_file:
        open_store(f"sqlite:///{junk}")
    assert "is not a sopflow store or is damaged (file is not a database)" in wrong_file.value.message("en")

    with open_store(f"sqlite:///{tmp_path}/cases.db") as store:
        engine = Engine(store, clock=clock)
        start_request(engine)
        with store.writing() as conn:  # someone "fixed" a row by hand
            conn.exec_driver_sql("UPDATE events SET changes = '{\"address\": [' WHERE case_id = 'R-1'")
        with pytest.raises(StoreError, match="unreadable JSON"):
            engine.case("R-1")


def test_cases_events_and_errors_survive_pickling_and_deep_copies(engine: Engine, clock: Clock) -> None:
    """A process pool sends results and errors back pickled; a caller may deepcopy a case."""
    register_home_case(engine, clock)
    case = engine.case("K-0001")
    for copy in (pickle.loads(pickle.dumps(case)), copy_module.deepcopy(case)):  # noqa: S301 - our own bytes
        assert copy == case and copy.history == case.history
        assert isinstance(copy.data, MappingProxyType) and isinstance(
            copy.history[-1].changes, MappingProxyType
        )
    with pytest.raises(ConcurrentChange) as clash:
        engine.fire(
            "K-0001", "moved_out", actor="乡镇", role="township_hq", expected_seq=1, data={"moved_to": "x"}
        )
    again = pickle.loads(pickle.dumps(clash.value))  # noqa: S301 - our own bytes
    assert type(again) is ConcurrentChange and again.message("zh") == clash.value.message("zh")
    assert again.current == clash.value.current and again.current is not None
    assert again.current.history == case.history  # the case as it now is, whole


@pytest.mark.parametrize("threads", [8])
def test_staff_recording_one_case_at_once_all_succeed(store: Store, clock: Clock, threads: int) -> None:
    """Eight people recording checks on one case at the same moment, without expected_seq: every
    check is saved (on PostgreSQL the row is locked while a change is worked out, as SQLite's
    write lock does), none is lost, none is refused as 'changed by someone else'."""
    engine = Engine(store, clock=clock)
    register_home_case(engine, clock)
    before = engine.case("K-0001").seq
    failures: list[BaseException] = []
    start = threading.Barrier(threads)

    def record(n: int) -> None:
        start.wait()
        for _ in range(5):
            try:
                data = {"present": "yes"}
                engine.fire("K-0001", "presence_call", actor=f"干部{n}", role="liaison_cadre", data=data)
            except BaseException as error:
                failures.append(error)

    workers = [threading.Thread(target=record, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    assert engine.case("K-0001").seq == before + threads * 5
    assert engine.verify() == []
