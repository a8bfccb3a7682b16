"""Schema revisions, on SQLite and PostgreSQL: a new store is made at HEAD; a store from before
migrations (or an older revision) is refused, unchanged, until `sopflow db upgrade`; a store made
by a newer sopflow is refused; the migrations make exactly the tables of tables.py; opening or
upgrading from several processes at once works; and no command but `db` loads Alembic."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from click.testing import CliRunner

from sopflow.cli import cli
from sopflow.engine.runtime import Engine
from sopflow.errors import StoreError
from sopflow.store.migrate import MIGRATIONS, alembic_config, examine, made_here, run_migrations, upgrade
from sopflow.store.revision import HEAD, REVISIONS, VERSION_TABLE
from sopflow.store.store import Store, open_store
from sopflow.store.tables import metadata
from sopflow.store.versioning import SELECT_REVISION, Standing, standing, version_table
from tests.conftest import postgres_url
from tests.store import pre_alembic_tables

PROCESSES = 4
PRE_ALEMBIC = Path(__file__).parents[1] / "data" / "stores" / "pre-alembic.db"
AT = datetime(2020, 2, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
def other_url(store_url: str, tmp_path: Path) -> Iterator[str]:
    """A second empty store of the same kind as `store_url`."""
    if store_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path}/other.db"
    else:
        yield from postgres_url()


def schema(url: str) -> dict[str, Any]:
    """Every table's columns (name, type, nullable), primary key, foreign keys and indexes."""
    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        return {
            table: {
                "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
                "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
                "foreign_keys": sorted(
                    (tuple(fk["constrained_columns"]), fk["referred_table"], tuple(fk["referred_columns"]))
                    for fk in inspector.get_foreign_keys(table)
                ),
                "indexes": sorted(
                    (i["name"], tuple(i["column_names"])) for i in inspector.get_indexes(table)
                ),
            }
            for table in sorted(inspector.get_table_names())
        }
    finally:
        engine.dispose()


def differences(conn: sa.Connection) -> list[Any]:
    """What Alembic finds between the store's tables and tables.py."""
    context = MigrationContext.configure(conn, opts={"include_object": made_here(conn.dialect.name)})
    return list(compare_metadata(context, metadata))


def recorded_revisions(url: str) -> list[str] | None:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(VERSION_TABLE):
                return None
            return list(conn.execute(SELECT_REVISION).scalars())
    finally:
        engine.dispose()


def make_pre_alembic_store(url: str) -> None:
    """A store made by sopflow before migrations (tests/data/stores/pre-alembic.db, made by the
    CLI at e8fadcd: two cases with histories); on PostgreSQL, its rows in that version's tables."""
    target = sa.create_engine(url)
    if url.startswith("sqlite"):
        Path(target.url.database or "").write_bytes(PRE_ALEMBIC.read_bytes())
        target.dispose()
        return
    source = sa.create_engine(f"sqlite:///{PRE_ALEMBIC}")
    try:
        pre_alembic_tables.metadata.create_all(target)
        with source.connect() as reading, target.begin() as writing:
            for table in pre_alembic_tables.metadata.sorted_tables:
                rows = [dict(row._mapping) for row in reading.execute(sa.select(table))]
                writing.execute(table.insert(), rows)
    finally:
        source.dispose()
        target.dispose()


def test_a_new_store_is_made_at_head_with_the_tables_of_tables_py(store: Store) -> None:
    assert examine(store).found is Standing.CURRENT
    with store.reading() as conn:
        assert differences(conn) == []
        assert list(conn.execute(SELECT_REVISION).scalars()) == [HEAD]


def test_the_migrations_make_exactly_the_tables_of_a_new_store(store_url: str, other_url: str) -> None:
    """tables.py describes the newest schema and makes new stores; the migrations must bring an
    empty store to the very same tables, columns, keys and indexes."""
    with open_store(other_url, create=False) as migrated:
        with migrated.exclusive() as conn:
            run_migrations(conn, HEAD)
        with migrated.reading() as conn:
            assert differences(conn) == []
    open_store(store_url).close()
    assert schema(other_url) == schema(store_url)
    assert recorded_revisions(other_url) == recorded_revisions(store_url) == [HEAD]


def test_revisions_lists_alembics_history_in_order() -> None:
    """store/revision.py, read on every command, is Alembic's one line of revisions."""
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [HEAD]
    history = [revision.revision for revision in reversed(list(script.walk_revisions()))]
    assert tuple(history) == REVISIONS
    for revision in script.walk_revisions():
        assert revision.module.__file__ is not None
        assert Path(revision.module.__file__).name.startswith(f"{revision.revision}_")
        assert Path(revision.module.__file__).parent == MIGRATIONS / "versions"


@pytest.mark.parametrize(
    ("revision", "has_tables", "expected"),
    [
        ("c", True, Standing.CURRENT),
        (None, False, Standing.NEW),
        (None, True, Standing.OLD),  # tables from before revisions were recorded
        ("a", True, Standing.OLD),
        ("b", True, Standing.OLD),
        ("d", True, Standing.NEWER),
        ("a,b", True, Standing.NEWER),  # two version rows: a branch this sopflow never made
    ],
)
def test_where_a_store_stands(revision: str | None, has_tables: bool, expected: Standing) -> None:
    assert standing(revision, has_tables, ("a", "b", "c")) is expected


def test_a_store_from_before_migrations_is_refused_unchanged_then_upgraded(
    store_url: str, other_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_pre_alembic_store(store_url)
    before = schema(store_url)
    with pytest.raises(StoreError) as refused:
        open_store(store_url)
    assert refused.value.code == "store.needs_upgrade"
    assert "run sopflow db upgrade" in refused.value.message("en")

    monkeypatch.setenv("SOPFLOW_DB", store_url)
    runner = CliRunner()
    for lang, told in [("en", "was made by an older sopflow — run sopflow db upgrade"), ("zh", "由旧版")]:
        listed = runner.invoke(cli, ["case", "list", "--lang", lang])
        assert listed.exit_code == 1
        assert told in listed.output and listed.output.count("\n") == 1
    status = runner.invoke(cli, ["db", "status", "--lang", "en"])
    assert f"(from before versions were recorded), older than this sopflow's {HEAD}" in status.output
    assert schema(store_url) == before and recorded_revisions(store_url) is None

    upgraded = runner.invoke(cli, ["db", "upgrade", "--lang", "en"])
    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.output.endswith(f"upgraded from schema (from before versions were recorded) to {HEAD}\n")
    assert recorded_revisions(store_url) == [HEAD]
    open_store(other_url).close()
    assert schema(store_url) == schema(other_url)

    listed = runner.invoke(cli, ["case", "list", "--lang", "en"])
    assert listed.exit_code == 0 and listed.output.endswith("\n2 cases\n")
    shown = runner.invoke(cli, ["case", "show", "R-0001", "--lang", "en"]).output
    assert "Ended at To fever branch" in shown and "#5 " in shown
    assert runner.invoke(cli, ["verify", "--lang", "en"]).output == "0 differences found\n"
    again = runner.invoke(cli, ["db", "upgrade", "--lang", "en"])
    assert again.output.endswith(f"already at schema {HEAD}, nothing to do\n")


def test_an_upgrade_that_fails_changes_nothing(store_url: str) -> None:
    """A store whose `cases` table is not sopflow's: the baseline refuses it, and the tables it
    made before finding out (flow_versions) are rolled back."""
    with open_store(store_url, create=False) as store:
        with store.writing() as conn:
            conn.exec_driver_sql("CREATE TABLE cases (id VARCHAR(10) PRIMARY KEY, who VARCHAR(10))")
        before = schema(store_url)
        with pytest.raises(StoreError) as refused:
            upgrade(store)
    assert refused.value.code == "store.unknown_layout"
    assert "table 'cases' has no columns flow_id, flow_digest" in refused.value.message("en")
    assert schema(store_url) == before and recorded_revisions(store_url) is None


def test_a_store_from_a_newer_sopflow_is_refused(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    with store.writing() as conn:
        conn.execute(version_table.update().values(version_num="9999"))
    url = store.url
    with pytest.raises(StoreError) as refused:
        open_store(url)
    assert refused.value.message("en").startswith(
        f"the case store {url} was made by a newer sopflow (schema 9999; this one knows up to {HEAD}) — "
    )
    with pytest.raises(StoreError, match="made by a newer sopflow"):
        upgrade(store)
    assert examine(store).found is Standing.NEWER


def _open_and_start(url: str, number: int, start: Any) -> str:
    start.wait()
    with open_store(url) as store:
        engine = Engine(store, clock=lambda: AT)
        data = {"household_id": f"H-{number}", "address": "前郭镇", "phone": "13812345678"}
        return engine.start("supply_request", f"R-{number}", data, actor="王芳", role="grid_worker").id


def _upgrade(url: str, _number: int, start: Any) -> str:
    start.wait()
    with open_store(url, create=False) as store:
        return upgrade(store).found.value


def _at_once(function: Any, url: str) -> list[Any]:
    context = multiprocessing.get_context("spawn")
    start = context.Manager().Barrier(PROCESSES)
    with context.Pool(PROCESSES) as pool:
        return pool.starmap(function, [(url, n, start) for n in range(PROCESSES)])


def test_processes_opening_a_new_store_at_once_all_succeed(store_url: str) -> None:
    assert sorted(_at_once(_open_and_start, store_url)) == [f"R-{n}" for n in range(PROCESSES)]
    assert recorded_revisions(store_url) == [HEAD]


def test_processes_upgrading_a_store_at_once_upgrade_it_once(store_url: str) -> None:
    make_pre_alembic_store(store_url)
    found = _at_once(_upgrade, store_url)
    assert sorted(found) == ["current"] * (PROCESSES - 1) + ["old"]
    assert recorded_revisions(store_url) == [HEAD]


def test_commands_other_than_db_do_not_load_alembic(tmp_path: Path) -> None:
    """Every command checks the store's revision; only `db upgrade` pays for loading Alembic."""
    url = f"sqlite:///{tmp_path}/cases.db"
    open_store(url).close()
    script = (
        "import sys\n"
        "from sopflow.cli import main\n"
        "try:\n"
        f"    main(['--db', {url!r}, 'case', 'list'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('alembic' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "False"


def test_a_store_at_0002_upgrades_to_assignments_and_takes_corrections(store_url: str) -> None:
    """A store as main left it before issue 13's corrections (revision 0002, with cases): after
    `sopflow db upgrade` its cases have no worker, and can be assigned, moved and verified."""
    make_pre_alembic_store(store_url)
    with open_store(store_url, create=False) as store, store.exclusive() as conn:
        run_migrations(conn, "0002")
    assert recorded_revisions(store_url) == ["0002"]
    runner = CliRunner()
    env = {"SOPFLOW_DB": store_url, "SOPFLOW_LANG": "en", "SOPFLOW_ACTOR": "王芳"}
    refused = runner.invoke(cli, ["case", "list"], env=env)
    assert refused.exit_code == 1 and "run sopflow db upgrade" in refused.output
    upgraded = runner.invoke(cli, ["db", "upgrade"], env=env)
    assert upgraded.output.endswith(f"upgraded from schema 0002 to {HEAD}\n")
    with open_store(store_url) as store:
        engine = Engine(store, clock=lambda: datetime(2020, 2, 4, tzinfo=UTC))
        active = [c for c in engine.cases(status="active")]
        assert active and all(c.assigned_to is None for c in engine.cases())
        case = active[0]
        role = engine.stepper_for(case).flow.steps[case.step].role
        engine.assign(case.id, "刘洋", actor="王芳", role=role)
        engine.move(case.id, "前郭镇/西山社区", actor="王芳", role=role)
        assert [c.id for c in engine.cases(worker="刘洋", place="前郭镇")] == [case.id]
        assert engine.verify() == []


def test_a_store_at_0004_upgrades_to_alerts_and_keeps_a_signal_nobody_takes(store_url: str) -> None:
    """A store as issue 13 left it (0004, with cases): `db upgrade` adds the alerts table, its
    cases verify, and a signal that finds no case to take it is kept there as an open alert."""
    make_pre_alembic_store(store_url)
    with open_store(store_url, create=False) as store, store.exclusive() as conn:
        run_migrations(conn, "0004")
    runner = CliRunner()
    env = {"SOPFLOW_DB": store_url, "SOPFLOW_LANG": "en", "SOPFLOW_ACTOR": "王芳"}
    upgraded = runner.invoke(cli, ["db", "upgrade"], env=env)
    assert upgraded.output.endswith(f"upgraded from schema 0004 to {HEAD}\n")
    with open_store(store_url) as store:
        engine = Engine(store, clock=lambda: datetime(2020, 2, 4, tzinfo=UTC))
        assert engine.alerts() == [] and engine.verify() == []
        engine.start(
            "supply_request",
            "R-9",
            {"household_id": "H-9", "address": "前郭镇东风社区9号楼", "phone": "13812345678"},
            actor="王芳",
            role="grid_worker",
            place="前郭镇/东风社区",
        )
        engine.fire(
            "R-9",
            "sorted",
            actor="王芳",
            role="grid_worker",
            data={"request_type": "symptoms", "items": "发烧", "urgent": "no"},
        )
        assert [(a.case_id, a.kind) for a in engine.alerts(place="前郭镇")] == [("R-9", "undelivered")]
        assert engine.verify() == []


def test_a_store_at_0008_upgrades_to_phone_keys_and_finds_phones_by_their_digits(
    store_url: str, tmp_path: Path
) -> None:
    """A registry as 0008 kept it (phones as written, matched as written): after `db upgrade`
    each person's phone_key is its digits, the phone is as it was, `find` takes any form of the
    number, and importing it in another form finds the person instead of adding one."""
    make_pre_alembic_store(store_url)
    with open_store(store_url, create=False) as store, store.exclusive() as conn:
        run_migrations(conn, "0008")
        written = ["138 1234 5678", "+86 139-0000-1111", "0438-1234567", "13700002222", None]
        for n, phone in enumerate(written):
            conn.execute(
                sa.text(
                    "INSERT INTO people (name, phone, created_at, updated_at) VALUES (:name, :phone, :t, :t)"
                ),
                {"name": f"王{n}", "phone": phone, "t": AT.replace(tzinfo=None)},
            )
    runner = CliRunner()
    env = {"SOPFLOW_DB": store_url, "SOPFLOW_LANG": "en", "SOPFLOW_NOW": "2020-02-04 08:00"}
    upgraded = runner.invoke(cli, ["db", "upgrade"], env=env)
    assert upgraded.output.endswith(f"upgraded from schema 0008 to {HEAD}\n"), upgraded.output
    engine = sa.create_engine(store_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT name, phone, phone_key FROM people ORDER BY id")).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in rows] == [
        ("王0", "138 1234 5678", "13812345678"),
        ("王1", "+86 139-0000-1111", "13900001111"),
        ("王2", "0438-1234567", "04381234567"),
        ("王3", "13700002222", "13700002222"),
        ("王4", None, None),
    ]
    found = runner.invoke(cli, ["find", "138-1234-5678", "--show-personal", "--json"], env=env)
    assert [(p["name"], p["phone"]) for p in json.loads(found.output)] == [("王0", "138 1234 5678")]
    found = runner.invoke(cli, ["find", "13900001111", "--json"], env=env)
    assert [p["name"] for p in json.loads(found.output)] == ["王*"]
    again = tmp_path / "people.csv"
    again.write_text("姓名,联系电话\n王0,13812345678\n王1,0086 139 0000 1111\n", encoding="utf-8")
    imported = runner.invoke(cli, ["people", "import", str(again)], env=env)
    assert imported.output.endswith(": 0 new, 0 updated, 2 unchanged, 0 rejected\n"), imported.output
