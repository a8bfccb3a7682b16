"""Finding flows by id in a folder as users leave it: two files with one id, broken drafts."""

from __future__ import annotations

from pathlib import Path

import pytest

from sopflow import FlowCatalog
from sopflow.errors import FlowError, LookupFailed
from sopflow.language.catalog import builtin_dir

CATALOG = Path(__file__).parent.parent / "data" / "catalog"


def test_an_id_two_files_share_is_refused_naming_both() -> None:
    catalog = FlowCatalog([CATALOG / "dup", builtin_dir()])
    with pytest.raises(FlowError) as refused:
        catalog.load("checkpoint")
    (problem,) = refused.value.problems
    assert problem.location.file.endswith("b.yaml") and problem.location.line == 3
    assert f"{CATALOG / 'dup' / 'a.yaml'}:3:1" in problem.message("en")
    assert set(catalog.duplicates()) == {"checkpoint"}
    assert "checkpoint" not in catalog.usable_ids()


def test_usable_ids_leave_out_broken_files() -> None:
    catalog = FlowCatalog([CATALOG / "broken"])
    assert catalog.ids() == {"checkpoint", "checkpoint_v2"}
    assert catalog.usable_ids() == {"checkpoint"}
    assert [p.name for p in catalog.unnamed()] == ["unfinished.yaml"]


def _broken_copy(folder: Path, name: str) -> Path:
    """A flow file a slip of YAML broke: a flow mapping left open, so its id cannot be read."""
    good = (builtin_dir() / "supply_request.yaml").read_text(encoding="utf-8")
    broken = good.replace("id: supply_request", "id: fever_triage", 1) + "\nbroken: {zh: 未闭合\n"
    file = folder / name
    file.write_text(broken, encoding="utf-8")
    return file


def test_a_flow_whose_file_is_broken_is_refused_where_it_breaks_not_as_unknown(tmp_path: Path) -> None:
    file = _broken_copy(tmp_path, "fever_triage.yaml")
    catalog = FlowCatalog([tmp_path, builtin_dir()])
    assert catalog.unnamed() == (file,)
    with pytest.raises(FlowError) as refused:
        catalog.load("fever_triage")
    problem = refused.value.problems[0]
    assert problem.location.file == str(file) and problem.location.line > 1


def test_an_unknown_flow_names_the_flow_files_that_could_not_be_read(tmp_path: Path) -> None:
    file = _broken_copy(tmp_path, "draft.yaml")
    catalog = FlowCatalog([tmp_path, builtin_dir()])
    with pytest.raises(LookupFailed) as refused:
        catalog.load("fever_triage")
    assert refused.value.message("en").endswith(
        f"; these flow files could not be read: {file} (sopflow flows validate FILE says why)"
    )
    assert f"另有读不出的流程文件：{file}" in refused.value.message("zh")
    with pytest.raises(LookupFailed) as clean:
        FlowCatalog([builtin_dir()]).load("fever_triage")
    assert "could not be read" not in clean.value.message("en")


def test_a_catalog_with_the_builtin_flows_finds_the_users_first_then_the_builtin_ones(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(
        (builtin_dir() / "supply_request.yaml")
        .read_text("utf-8")
        .replace("id: supply_request", "id: mine", 1),
        "utf-8",
    )
    catalog = FlowCatalog.with_builtin(tmp_path)
    assert catalog.folders == (tmp_path.resolve(), builtin_dir().resolve())
    assert catalog.path_of("mine") == str(tmp_path / "mine.yaml")
    assert catalog.load("key_person_control").id == "key_person_control"
    assert "key_person_control" not in FlowCatalog([tmp_path]).ids()
