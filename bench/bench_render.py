"""Rendering benchmark: all built-in flows as printable PDFs, time spent in Python vs in `dot`.

Run with `make bench` (or `.venv/bin/python bench/bench_render.py`). Not a test: it prints
figures. Python time is everything sopflow does itself (building charts and DOT text, fitting,
splitting); dot time is the wall time of the `dot` processes it starts (layout measurements and
the final PDFs), measured around each call.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from sopflow import builtin_flows
from sopflow.render import graphviz_run
from sopflow.render.printing import lay_out, write_chart

_dot_seconds = 0.0
_dot_calls = 0
_real_run_dot = graphviz_run.run_dot


def _timed_run_dot(source: str, fmt: str) -> bytes:
    global _dot_seconds, _dot_calls  # noqa: PLW0603 - a benchmark's own tally
    started = time.perf_counter()
    try:
        return _real_run_dot(source, fmt)
    finally:
        _dot_seconds += time.perf_counter() - started
        _dot_calls += 1


def main() -> None:
    graphviz_run.run_dot = _timed_run_dot  # count the time in dot without changing what runs
    flows = builtin_flows()
    print(
        f"{'flow':<24} {'lang':<4} {'pages':>5} {'total s':>8} {'python s':>9} {'dot s':>7} {'dot runs':>8}"
    )
    grand_total = grand_dot = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for flow_id, flow in flows.items():
            for lang in ("zh", "en"):
                global _dot_seconds, _dot_calls
                _dot_seconds, _dot_calls = 0.0, 0
                started = time.perf_counter()
                printed = lay_out(flow, lang)
                write_chart(printed, "pdf", Path(folder), f"{flow_id}.{lang}")
                total = time.perf_counter() - started
                grand_total += total
                grand_dot += _dot_seconds
                python = total - _dot_seconds
                print(
                    f"{flow_id:<24} {lang:<4} {len(printed.pages):>5} {total:>8.2f} {python:>9.2f} "
                    f"{_dot_seconds:>7.2f} {_dot_calls:>8}"
                )
    share = grand_dot / grand_total if grand_total else 0.0
    python = grand_total - grand_dot
    print(
        f"{'all flows':<24} {'':<4} {'':>5} {grand_total:>8.2f} {python:>9.2f} {grand_dot:>7.2f}"
        f"   ({share:.0%} of the time is dot itself)"
    )


if __name__ == "__main__":
    main()
