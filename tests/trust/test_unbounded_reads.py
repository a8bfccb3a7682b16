"""Issue 12.10: a flow file is read up to the size limit and no further, and only regular files are
read (/dev/zero, /dev/urandom and a FIFO must not fill memory or hang); labels and texts have a
length limit at load time (a 1.9 MB label passed validation and then took minutes to render)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from sopflow import FlowError, load_flow_bytes

from .conftest import DATA

SECONDS = 8  # a refusal takes a second or two (starting Python); a hang is cut off here


def _validate(path: str) -> subprocess.CompletedProcess[str]:
    """`sopflow flows validate PATH` in a process of its own, held to 1 GB of memory."""

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run(
        [sys.executable, "-m", "sopflow", "flows", "validate", path],
        capture_output=True,
        text=True,
        timeout=SECONDS,
        preexec_fn=limit_memory,
        env={**os.environ, "SOPFLOW_LANG": "en"},
        check=False,
    )


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_validating_an_endless_device_is_refused_at_once(device: str) -> None:
    try:
        done = _validate(device)
    except subprocess.TimeoutExpired:
        pytest.fail(f"flows validate {device} ran for more than {SECONDS} s")
    assert done.returncode == 1, done.stderr[-300:]
    assert "Traceback" not in done.stderr
    assert device in done.stdout + done.stderr


def test_validating_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "flow.yaml"
    os.mkfifo(fifo)
    try:
        done = _validate(str(fifo))
    except subprocess.TimeoutExpired:
        pytest.fail(f"flows validate on a FIFO ran for more than {SECONDS} s")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert str(fifo) in done.stdout + done.stderr


def test_a_regular_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    """What holds today: a regular file over the limit is refused with one line."""
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# " + b"x" * 3_000_000 + b"\n")
    done = _validate(str(big))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert str(big) in done.stdout


@pytest.mark.parametrize("where", ["title", "step label", "action label"])
def test_a_label_too_long_to_print_is_refused_at_its_line(where: str) -> None:
    source = (DATA / "watch.yaml").read_text("utf-8")
    huge = "观" * 100_000
    old = {
        "title": "title: {zh: 观察, en: Watch}",
        "step label": "label: {zh: 复核, en: Review}",
        "action label": "label: {zh: 结案, en: Close}\n        to: closed",
    }[where]
    assert old in source
    line = source[: source.index(old)].count("\n") + 1
    damaged = source.replace(old, old.replace("zh: ", f"zh: {huge}", 1), 1)
    with pytest.raises(FlowError) as refused:
        load_flow_bytes(damaged.encode("utf-8"), "long.yaml")
    assert line in [p.location.line for p in refused.value.errors]
