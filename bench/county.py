"""A simulated county (issue 15), run through sopflow and checked against its own counts.

Towns with communities and compounds (小区→楼→单元→层→户) and villages with grids and hamlets
(村→屯→户), people in households at the doors (Faker zh_CN names, valid ID numbers), imported
with the code `sopflow places import` and `people import` run. Then K key persons over D days,
each found on the day they arrive (a leads file a day, through the code `sopflow import` runs),
verified, placed (home, centralized, registration only), observed with checks at 08:00 and
20:00 (a few readings missed and chased, a few typed in late from paper through the code of
`sopflow checks import`, a few fevers, a few violations, some of them sent to centralized
isolation) and released when their 14 days are over; people sent to a site are observed there by
the site's own case (started by sopflow), released with a certificate, brought home and taken
back by their community into follow-up; supply requests from home-isolated
households; a three-check sweep of every urban dwelling. Time is the simulation's clock, given to
the Engine; never the wall clock. The simulation keeps its own book of every case; at 17:00 of
the last day it makes the daily report with the code `sopflow report daily` runs and compares
every number, town by town, with its book: both are printed, and any difference exits 1.

    .venv/bin/python bench/county.py --people 20000 --key-persons 300 --days 30 --db sqlite:///out/county.db
    .venv/bin/python bench/county.py --people 600000 --key-persons 9264 --days 30     # the full county
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import sqlalchemy as sa
from bench_report import measure
from county_life import ACTOR, Finding, Life
from county_shadow import KPC, SITE, SWEEP, TZ, Book, Shadow, local_time
from county_world import Door, Person, World, make_world, write_files, write_sheet

from sopflow.engine.check_views import check_views
from sopflow.engine.dayreport import DailyReport, daily_report
from sopflow.engine.runtime import Engine
from sopflow.intake.cases import CasesIntake
from sopflow.intake.checks import ChecksIntake
from sopflow.intake.people import PeopleIntake
from sopflow.intake.places import PlacesIntake
from sopflow.intake.problems import RowsRefused
from sopflow.intake.run import Intake, Outcome, run_import
from sopflow.store.registry import the_county
from sopflow.store.store import open_store
from sopflow.store.tables import places

START = date(2020, 2, 1)
CUTOFF = clock_time(17)
SWEEP_DAYS = 7  # the urban dwellings are visited over the first week


@dataclass(frozen=True)
class Options:
    people: int = 20_000
    key_persons: int = 300
    days: int = 30
    towns: int = 22
    seed: int = 20200201
    db: str = ""
    folder: Path | None = None


class County:
    """The county's world, sopflow's Engine on its store, the simulation's book and clock."""

    def __init__(self, options: Options, world: World, engine: Engine, folder: Path) -> None:
        self.options, self.world, self.folder = options, world, folder
        self.book = Book()
        self.life = Life(engine, self.book, random.Random(options.seed))  # noqa: S311 - a simulation
        self.engine = engine
        rng = random.Random(options.seed + 1)  # noqa: S311 - a simulation
        chosen = rng.sample(world.people, min(options.key_persons, len(world.people)))
        self.arrivals: dict[int, list[Person]] = {}
        for person in chosen:
            self.arrivals.setdefault(rng.randrange(options.days), []).append(person)
        urban = [d for d in world.doors if d.urban]
        self.sweep = {day: urban[day::SWEEP_DAYS] for day in range(SWEEP_DAYS)}
        self.doors: dict[str, Door] = {}
        self.requests = 0
        self.timings: dict[str, float] = {}
        # the times of day the checks of key-person control and the site are owed at, as declared
        timed = {
            (flow_id, s.id): {t for c in s.checks for t in c.at}
            for flow_id in (KPC, SITE)
            for s in engine.flows.load(flow_id).steps.values()
        }
        self.timed_steps = {
            flow_id: tuple(step for (f, step), times in timed.items() if f == flow_id and times)
            for flow_id in (KPC, SITE)
        }
        self.check_times = sorted({local_time(t) for times in timed.values() for t in times})

    def at(self, day: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(START + timedelta(days=day), clock_time(hour, minute), TZ)

    def run(self) -> DailyReport:
        started = time.perf_counter()
        self.registry()
        self.timings["registry import"] = time.perf_counter() - started
        started = time.perf_counter()
        for day in range(self.options.days):
            self.day(day)
        self.timings["days"] = time.perf_counter() - started
        started = time.perf_counter()
        last = self.options.days - 1
        self.life.tick(self.at(last, CUTOFF.hour))
        report = daily_report(self.engine, START + timedelta(days=last), CUTOFF, "zh", by="town")
        self.timings["daily report"] = time.perf_counter() - started
        return report

    def registry(self) -> None:
        places_file, people_file = write_files(self.world, self.folder)
        self.life.now = self.at(0, 0)
        outcome = self.load(PlacesIntake(), places_file)
        self.expect("places imported", outcome.counts.new, len(self.world.doors), exact=False)
        with self.engine.store.reading() as conn:  # as `sopflow people import` does
            county = the_county(conn)
        outcome = self.load(PeopleIntake(START, county), people_file)
        self.expect("people imported", outcome.counts.new, len(self.world.people))

    def load(self, intake: Intake[object], path: Path) -> Outcome:
        """A file through the import code the commands run (all or nothing)."""
        try:
            outcome = run_import(self.engine.store, intake, path, lang="zh")
        except RowsRefused as refused:
            raise Finding(f"{path.name} refused: {refused.problems[0].text('en')}") from None
        if outcome.problems:
            raise Finding(f"{path.name}: {[p.text('en') for p in outcome.problems[:3]]}")
        return outcome

    def expect(self, what: str, got: int, wanted: int, *, exact: bool = True) -> None:
        if got != wanted if exact else got < wanted:
            raise Finding(f"{what}: {got}, the simulation made {wanted}")
        self.life.count(what, got)

    def day(self, day: int) -> None:
        """The day's work in the order of its times: `tick` at 08:00 and 20:00, the checks at
        each time of day the flow's `at:` checks name, leads, releases, deliveries, requests,
        transfers, the sweep, the supply visits. On the last day nothing after the cut-off."""
        life, last = self.life, day == self.options.days - 1
        life.last_day = last
        work: list[tuple[clock_time, Callable[[datetime], None]]] = [(clock_time(8), life.tick)]
        work += [(t, self.slots) for t in self.check_times]
        work += [
            (clock_time(9), lambda at: self.leads(day, at, last=last)),
            (clock_time(10), self.releases),
            (clock_time(10, 30), self.deliveries),
            (clock_time(13), self.requests_made),
            (clock_time(14), lambda at: self.transfers_and_sweep(day, at)),
            (clock_time(16), self.supply_visits),
            (clock_time(20), life.tick),
        ]
        for moment, job in sorted(work, key=lambda item: item[0]):  # stable: a tick before its checks
            if not (last and moment >= CUTOFF):
                job(self.at(day, moment.hour, moment.minute))

    def releases(self, at: datetime) -> None:
        life = self.life
        for case in self.book.at_step(KPC, "release_review"):
            life.release(case, at)
        for case in self.book.at_step(SITE, "release_review"):
            life.site_release(case, at)
        for case in self.book.at_step(KPC, "post_release_followup"):
            for name, due in case.checks_due().items():
                if due - at < timedelta(days=1):
                    life.act(case, name, case.step, at, {"symptoms": "no"})

    def deliveries(self, at: datetime) -> None:
        life = self.life
        for case in self.book.at_step("supply_request", "purchase"):
            if case.started_at < at - timedelta(hours=10, minutes=30):
                life.deliver(case, at)
        for case in self.book.at_step(SWEEP, "residence_registration"):
            if life.rng.random() < 0.5:
                note = {"resolution_note": "已登记"}
                life.act(case, "registered", "verified_discrepancies_resolved", at, note)

    def requests_made(self, at: datetime) -> None:
        for case in self.book.at_step(KPC, "home_observation"):
            if self.life.rng.random() < 0.05:
                self.requests += 1
                self.life.request(self.requests, case, self.doors[case.id], at)

    def transfers_and_sweep(self, day: int, at: datetime) -> None:
        for case in self.book.at_step(KPC, "centralized_transfer"):
            self.life.transfer(case, at)
        self.three_check(day, at)

    def supply_visits(self, at: datetime) -> None:
        for child in self.book.at_step("home_isolation_supply", "serving"):
            for name in child.checks_due():
                self.life.act(
                    child, name, "serving", at, {"mood_ok": "yes"} if name == "daily_contact" else {}
                )

    def slots(self, at: datetime) -> None:
        """The checks of everyone at a step with checks at this time of day; readings on paper
        typed in 3 hours later."""
        late: list[Shadow] = []
        chance = not (
            self.life.last_day and at + timedelta(hours=4) > self.at(self.options.days - 1, CUTOFF.hour)
        )
        for flow_id, steps in self.timed_steps.items():
            for case in self.book.at_step(flow_id, *steps):
                self.life.slot(case, at, late, chance=chance and flow_id == KPC)
        if not late:
            return
        local = at.astimezone(TZ)
        rows = [[c.id, f"{local:%Y-%m-%d}", f"{local:%H:%M}", "36.5", "否"] for c in late]
        sheet = write_sheet(
            self.folder / f"checks-{local:%m%d-%H%M}.csv",
            ["案件号", "日期", "时间", "体温", "有无症状"],
            rows,
        )
        self.life.now = at + timedelta(hours=3)
        outcome = self.load(ChecksIntake(self.engine, actor=ACTOR, role="community_doctor"), sheet)
        self.expect("late readings typed in", outcome.counts.new, len(late))
        for case in late:
            case.checked("temperature_check", at)
            case.record({"temperature": "36.5", "symptoms": "no"}, at)

    def leads(self, day: int, at: datetime, *, last: bool) -> None:
        """Today's arrivals as a leads file, imported; then each verified and placed."""
        arrivals = self.arrivals.get(day, [])
        if not arrivals:
            return
        arrival = (START + timedelta(days=day)).isoformat()
        header = ["案件号", "姓名", "身份证号", "联系电话", "线索来源", "线索内容", "抵县日期"]
        first = len(self.book.cases)
        numbered = [(f"KP-{first + i:07d}", p) for i, p in enumerate(arrivals)]
        rows = [[n, p.name, p.id_number, p.phone, "卡口登记", "自外地返回", arrival] for n, p in numbered]
        sheet = write_sheet(self.folder / f"leads-{day:02d}.csv", header, rows)
        self.life.now = at
        outcome = self.load(CasesIntake(self.engine, KPC, actor=ACTOR, role="grid_worker", at=at), sheet)
        self.expect("key persons imported", outcome.counts.new, len(rows))
        flow = self.engine.flows.load(KPC)
        for number, person in numbered:
            case = self.book.add(
                Shadow(number, flow, person.door.town, person.door.path, at, flow.start, at, at)
            )
            self.doors[number] = person.door
            self.life.intake(case, at + timedelta(minutes=30), person.door, arrival, last_day=last)

    def three_check(self, day: int, at: datetime) -> None:
        """The day's share of the sweep: a three-check case per urban dwelling, imported, visited."""
        doors = self.sweep.get(day, [])
        if not doors:
            return
        numbered = [(f"TC-{day:02d}{i:06d}", d) for i, d in enumerate(doors)]
        header = ["案件号", "地点名称", "dwelling_code", "address"]
        rows = [[n, d.path, "-".join(d.cells[-4:]), d.path.split("/", 2)[2]] for n, d in numbered]
        sheet = write_sheet(self.folder / f"sweep-{day:02d}.csv", header, rows)
        self.life.now = at
        outcome = self.load(
            CasesIntake(self.engine, SWEEP, actor=ACTOR, role="community_committee", at=at), sheet
        )
        self.expect("dwellings swept", outcome.counts.new, len(rows))
        flow = self.engine.flows.load(SWEEP)
        for number, door in numbered:
            case = self.book.add(Shadow(number, flow, door.town, door.path, at, flow.start, at, at))
            self.life.visit(case, door, at + timedelta(minutes=5))


def compare(report: DailyReport, book: Book, towns: list[str], now: datetime) -> list[str]:
    """Every number of the report beside the book's; the differences."""
    mine = book.counts(now, now)
    before = book.counts(now - timedelta(days=1), None)
    differences: list[str] = []
    rows = {row["path"]: row for row in report["rows"]}
    if set(rows) != set(towns):
        differences.append(f"rows: report {sorted(rows)}, simulation {towns}")
    ids = [c["id"] for c in report["columns"]]
    roles = {key for counts in mine.values() for key in counts if key.startswith("overdue:")}
    if {i for i in ids if i.startswith("overdue:")} != roles:
        differences.append(
            f"overdue roles: report {sorted(i for i in ids if ':' in i)}, simulation {sorted(roles)}"
        )
    print(f"{'column':<28} {'sopflow':>9} {'simulation':>10}   change: sopflow / simulation")
    for index, column in enumerate(report["columns"]):
        ours = sum(mine.get(t, Counter())[column["id"]] for t in towns)
        theirs = report["total"]["values"][index]
        change = ""
        if column["changes"]:
            ours_change = ours - sum(before.get(t, Counter())[column["id"]] for t in towns)
            change = f"{report['total']['changes'][index]} / {ours_change}"
        flag = "" if ours == theirs else "   <-- differs"
        print(f"{column['label']:<28} {theirs:>9} {ours:>10}   {change}{flag}")
        for town in towns:
            row = rows.get(town)
            got = row["values"][index] if row else None
            wanted = mine.get(town, Counter())[column["id"]]
            if got != wanted:
                differences.append(f"{town} {column['id']}: report {got}, simulation {wanted}")
            if row and column["changes"]:
                then = before.get(town, Counter())[column["id"]]
                if row["changes"][index] != wanted - then:
                    got_change = row["changes"][index]
                    differences.append(
                        f"{town} {column['id']} change: report {got_change}, simulation {wanted - then}"
                    )
    return differences


def compare_missed(engine: Engine, book: Book, now: datetime) -> list[str]:
    """For each case, the missed count of every check it has owed as `case show` gives it (the
    engine's, from the case's history) beside the book's own."""
    differences = []
    compared = missed = 0
    for case in book.cases.values():
        for view in check_views(case.flow, engine.case(case.id).history, "en", TZ, now):
            ours = case.missed(view["name"], now)
            compared, missed = compared + 1, missed + ours
            if view["missed"] != ours:
                theirs = view["missed"]
                differences.append(f"{case.id} missed {view['name']}: sopflow {theirs}, simulation {ours}")
    print(f"missed checks: {compared:,} counts compared (case and check), {missed:,} missed in the book")
    return differences


def simulate(options: Options) -> tuple[County, DailyReport, list[str]]:
    folder = options.folder or Path(tempfile.mkdtemp(prefix="sopflow-county-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    world = make_world(options.people, options.towns, options.seed)
    made = time.perf_counter() - started
    if not options.db:
        (folder / "county.db").unlink(missing_ok=True)
    store = open_store(options.db or f"sqlite:///{folder}/county.db")
    try:
        with store.reading() as conn:
            if conn.execute(sa.select(sa.func.count()).select_from(places)).scalar_one():
                raise Finding(f"{options.db}: the simulation needs a new store; this one has places already")
        county = County(options, world, Engine(store, clock=lambda: county.life.now), folder)
        county.timings["people made"] = made
        report = county.run()
        now = county.at(options.days - 1, CUTOFF.hour)
        differences = compare(report, county.book, world.towns, now)
        differences += compare_missed(county.engine, county.book, now)
        figures = measure(store, now.date(), CUTOFF)  # again, beside its yardstick
        county.timings["daily report, median of 5"] = figures["report median s"]
        county.timings["raw GROUP BY of its counts"] = figures["raw median s"]
        return county, report, differences
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=Options.people)
    parser.add_argument("--key-persons", type=int, default=Options.key_persons)
    parser.add_argument("--days", type=int, default=Options.days)
    parser.add_argument("--towns", type=int, default=Options.towns)
    parser.add_argument("--seed", type=int, default=Options.seed)
    parser.add_argument("--db", default="", help="a new store's URL (default: a SQLite file in --dir)")
    parser.add_argument("--dir", type=Path, default=None, help="keep the files made here")
    args = parser.parse_args(argv)
    options = Options(args.people, args.key_persons, args.days, args.towns, args.seed, args.db, args.dir)
    try:
        county, _, differences = simulate(options)
    except Finding as finding:
        print("FINDING:", finding)
        return 1
    world = county.world
    print(f"\n{len(world.towns)} towns, {world.villages} villages, ", end="")
    print(f"{len(world.doors):,} doors, {len(world.people):,} people")
    for what, number in sorted(county.life.tally.items()):
        print(f"  {what:<32} {number:>10,}")
    for what, seconds in county.timings.items():
        print(f"  {what:<32} {seconds:>9.3f} s")
    for line in differences:
        print("DIFFERS:", line)
    print(
        "the daily report equals the simulation's counts"
        if not differences
        else f"{len(differences)} differences"
    )
    return 1 if differences else 0


if __name__ == "__main__":
    raise SystemExit(main())
