"""The `sopflow` program's entry point: the command line, started quickly.

A command run from the shell spends most of its life importing (SQLAlchemy, click, sopflow's own
modules). Python's cyclic garbage collector, run every few hundred new objects, walks all of them
again and again while they are being made: about a fifth of a `case advance` (measured with
`python -X importtime`, bench/README.md). Nothing made while importing is garbage, so the
collector is paused for the imports, and what they made is then frozen (never walked again)
before it runs again for the command itself, which may run for hours (an import, a tick).
"""

from __future__ import annotations

import gc


def main() -> None:
    gc.disable()
    try:
        from sopflow.cli import main as run_command  # noqa: PLC0415 (the point: imported here)
    finally:
        gc.freeze()
        gc.enable()
    run_command()
