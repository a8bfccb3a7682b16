"""The daily report on a store the size of a county, beside raw GROUP BY queries of the same counts.

Issue 15 asks `report daily` for the county in at most 1 s, with, as its yardstick measured in
the same run, plain GROUP BY queries a database hand would write for the same numbers: cases by
place, flow and step now; the day's moves by place, flow, kind and step (today's and
yesterday's, for the change column); cases overdue by place, flow and role; open alerts by
place. The yardstick reads what stands now and the day's entries; the report also works out who
stood where at each cut-off, which the raw queries do not, so it cannot match them and need not.

    .venv/bin/python bench/bench_report.py --db sqlite:///out/county/county.db --date 2020-03-01

`bench/county.py` calls `measure` after its own report, on the store it made. Not a test: it
prints figures (and JSON with --json).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from sopflow.engine.dayreport import daily_report
from sopflow.engine.runtime import Engine
from sopflow.store.rows import naive
from sopflow.store.store import Store, open_store

TZ = ZoneInfo("Asia/Shanghai")
DAY = timedelta(days=1)
RAW = (
    "SELECT place, flow_id, step, count(*) FROM cases GROUP BY place, flow_id, step",
    "SELECT c.place, c.flow_id, e.kind, e.to_step, count(*) FROM events e JOIN cases c ON c.id = e.case_id"
    " WHERE e.at >= :start AND e.at < :end AND e.to_step IS NOT NULL"
    " GROUP BY c.place, c.flow_id, e.kind, e.to_step",
    "SELECT c.place, c.flow_id, e.kind, e.to_step, count(*) FROM events e JOIN cases c ON c.id = e.case_id"
    " WHERE e.at >= :before AND e.at < :start AND e.to_step IS NOT NULL"
    " GROUP BY c.place, c.flow_id, e.kind, e.to_step",
    "SELECT place, flow_id, role, count(*) FROM cases WHERE status = 'active' AND next_due_at <= :end"
    " GROUP BY place, flow_id, role",
    "SELECT place, count(*) FROM alerts WHERE closed_at IS NULL GROUP BY place",
)


def raw_counts(store: Store, cut: datetime) -> int:
    """The yardstick: the raw GROUP BY queries, in one reading transaction; the rows they gave."""
    times = {"start": naive(cut - DAY), "end": naive(cut), "before": naive(cut - 2 * DAY)}
    rows = 0
    with store.reading() as conn:
        for sql in RAW:
            rows += len(conn.execute(sa.text(sql), times).all())
    return rows


def _median(run: Callable[[], object], runs: int) -> tuple[float, float]:
    """The first run's seconds (a cold cache) and the median of the runs after it."""
    seconds = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    return seconds[0], statistics.median(seconds[1:])


def measure(store: Store, day: date, cutoff: clock_time = clock_time(17), runs: int = 5) -> dict[str, float]:
    """The report of `day` by town (made at its cut-off) and the yardstick, taking turns."""
    cut = datetime.combine(day, cutoff, TZ)
    engine = Engine(store, clock=lambda: cut)
    report_first, report = _median(lambda: daily_report(engine, day, cutoff, "zh", by="town"), runs)
    raw_first, raw = _median(lambda: raw_counts(store, cut), runs)
    return {
        "report first s": report_first,
        "report median s": report,
        "raw first s": raw_first,
        "raw median s": raw,
        "report / raw": report / raw,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", required=True, help="the store's URL (made by bench/county.py)")
    parser.add_argument("--date", required=True, type=date.fromisoformat, help="the report's day")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    store = open_store(args.db, create=False)
    try:
        figures = measure(store, args.date, runs=args.runs)
    finally:
        store.close()
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for what, value in figures.items():
            print(f"  {what:<20} {value:>9.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
