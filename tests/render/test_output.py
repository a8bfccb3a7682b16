"""Output paths that cannot be written give one line naming the path and why, exit 1, and leave
nothing behind: no traceback, no half-written file."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from sopflow.cli import cli
from sopflow.errors import RenderError
from sopflow.render.output import write_with

FLOW = Path(__file__).parent.parent / "data" / "user" / "checkpoint.yaml"
needs_dot = pytest.mark.needs_dot


def _run(tmp_path: Path, *args: str, lang: str = "en") -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"SOPFLOW_LANG": lang})
    assert not isinstance(result.exception, OSError), result.exception
    return result.exit_code, result.output


@pytest.fixture
def in_the_way(tmp_path: Path) -> Path:
    (tmp_path / "file.pdf").write_text("not a folder")
    return tmp_path / "file.pdf"


@needs_dot
def test_render_into_a_path_through_a_file(tmp_path: Path, in_the_way: Path) -> None:
    code, said = _run(tmp_path, "render", str(FLOW), "-f", "pdf", "-o", str(in_the_way / "sub"))
    assert code == 1
    assert said.strip() == (
        f"cannot write to {in_the_way / 'sub'}: a part of the path is a file, not a folder — check the folder"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.pdf"]


@needs_dot
def test_render_into_a_place_that_takes_no_files_in_chinese() -> None:
    code, said = _run(Path(), "render", str(FLOW), "-f", "pdf", "-o", "/proc/nope", lang="zh")
    assert code == 1
    assert said.strip() == "无法写入 /proc/nope：该位置不能新建文件 — 请检查文件夹"


def test_handbook_below_an_existing_file(tmp_path: Path, in_the_way: Path) -> None:
    code, said = _run(tmp_path, "handbook", str(FLOW), "--no-charts", "-o", str(in_the_way / "x.html"))
    assert code == 1
    assert said.startswith(f"cannot write to {in_the_way}: ")
    assert said.strip().endswith("— check the folder")
    assert len(said.strip().splitlines()) == 1


def test_handbook_where_no_file_can_be_made() -> None:
    code, said = _run(Path(), "handbook", str(FLOW), "--no-charts", "-o", "/proc/x.html")
    assert (code, said.strip()) == (
        1,
        "cannot write to /proc/x.html: that place does not take new files — check the folder",
    )


def test_a_failed_write_leaves_neither_the_file_nor_a_part(tmp_path: Path) -> None:
    target = tmp_path / "chart.pdf"

    def fails_half_way(temporary: Path) -> None:
        temporary.write_bytes(b"%PDF-1.4 half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(RenderError) as caught:
        write_with(target, fails_half_way)
    assert caught.value.message("en") == f"cannot write to {target}: the disk is full — check the folder"
    assert list(tmp_path.iterdir()) == []


def test_a_pipe_or_device_at_the_output_path_is_never_replaced(tmp_path: Path) -> None:
    """Writing goes through a temporary file renamed into place; renaming onto /dev/null or a pipe
    would replace it with a regular file (as root, even /dev/full)."""
    pipe = tmp_path / "book.html"
    os.mkfifo(pipe)
    code, said = _run(tmp_path, "handbook", str(FLOW), "--no-charts", "-o", str(pipe))
    assert code == 1 and said.strip().startswith(f"cannot write to {pipe}: ")
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.html"]
    code, said = _run(tmp_path, "handbook", str(FLOW), "--no-charts", "-o", "/dev/null")
    assert code == 1 and Path("/dev/null").is_char_device()
