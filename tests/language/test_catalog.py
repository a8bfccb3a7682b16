"""Finding flows by id in a folder as users leave it: two files with one id, broken drafts."""

from __future__ import annotations

from pathlib import Path

import pytest

from sopflow import FlowCatalog
from sopflow.errors import FlowError
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
