"""Every external program sopflow runs goes through `run`: one place that finds the program,
passes it fixed arguments, and turns a failure into an error that names the program and what to
install. The argument list is built by `command`, a pure function checked against fixed sets
(tests need no binary for it)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

from sopflow.errors import RenderError

TIMEOUT_S = 120


@dataclass(frozen=True)
class Program:
    """A program sopflow uses, the Debian package it comes in, and what it does for sopflow."""

    name: str
    package: str
    options: frozenset[str]  # the only options sopflow passes (an argument is an option or a file)


PROGRAMS = {
    program.name: program
    for program in (
        Program("dot", "graphviz", frozenset({"-Tpdf", "-Tsvg", "-Tpng", "-Tjson"})),
        Program("pdfunite", "poppler-utils", frozenset()),
        Program("fc-list", "fontconfig", frozenset()),
        Program(
            "chromium",
            "chromium",
            frozenset(
                {
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-pdf-header-footer",
                    "--user-data-dir",
                    "--print-to-pdf",
                }
            ),
        ),
    )
}


def command(name: str, *args: str) -> list[str]:
    """The argument list for program `name` (found on PATH): a program sopflow does not know, or
    an option it does not pass, is a mistake in sopflow, not in the user's input."""
    program = PROGRAMS.get(name)
    if program is None:
        raise ValueError(f"sopflow runs no program {name!r}")
    unknown = [a for a in args if a.startswith("-") and a.split("=", 1)[0] not in program.options]
    if unknown:
        raise ValueError(f"sopflow passes {name} no option {unknown[0]!r}")
    return [binary(name), *args]


def binary(name: str) -> str:
    """The program's path; RenderError saying which package to install if it is not there."""
    found = shutil.which(name)
    if found is None:
        raise RenderError("program.missing", program=name, package=PROGRAMS[name].package)
    return found


def run(name: str, *args: str, stdin: bytes | None = None, timeout: float = TIMEOUT_S) -> bytes:
    """Run program `name` with `args` (and `stdin`); its standard output. RenderError naming the
    program, with the first line of its complaint, if it fails or takes longer than `timeout`."""
    argv = command(name, *args)
    try:
        done = subprocess.run(argv, input=stdin, capture_output=True, timeout=timeout, check=False)  # noqa: S603
    except subprocess.TimeoutExpired:
        raise RenderError("program.timeout", program=name, seconds=round(timeout)) from None
    except OSError as exc:
        raise RenderError("program.failed", program=name, detail=exc.strerror or str(exc)) from None
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RenderError(
            "program.failed", program=name, detail=lines[0] if lines else f"exit {done.returncode}"
        )
    return done.stdout
