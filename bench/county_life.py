"""What happens to the simulated county's cases (bench/county.py), step by step, each change made
through sopflow's Engine at a simulated time and written in the simulation's own book
(county_shadow.Book) with the step the simulation expects. A case that lands anywhere else is a
finding, raised at once."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, cast

from county_shadow import KPC, OCCUPANT, REQUEST, SITE, SUPPLY, SWEEP, TZ, Book, Shadow
from county_world import Door

from sopflow.engine.runtime import Engine

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
ACTOR = "模拟"


class Finding(Exception):
    """sopflow did something other than what the simulation expected."""


class Life:
    """The Engine, the book and the simulation's clock; `act` changes a case in both."""

    def __init__(self, engine: Engine, book: Book, rng: random.Random) -> None:
        self.engine, self.book, self.rng = engine, book, rng
        self.now = datetime(2020, 1, 1, tzinfo=TZ)
        self.tally: dict[str, int] = {}  # what the simulation did, by kind
        self.last_day = False  # on the last day, some fevers and absences are not seen to by the cut-off
        self.supplies: dict[str, Shadow] = {}  # household -> its daily-needs case, the newest

    def count(self, what: str, number: int = 1) -> None:
        self.tally[what] = self.tally.get(what, 0) + number

    def act(  # noqa: PLR0917 - the case, what, where to, when, with what: each call reads as a sentence
        self,
        case: Shadow,
        action: str,
        expect: str,
        at: datetime,
        data: Mapping[str, Any] | None = None,
        role: str | None = None,
    ) -> None:
        """Fire `action` (or record a check) at `at`; the case must land at `expect`."""
        self.now = max(self.now, at)
        step = case.flow.steps[case.step]
        check = next((c for c in step.checks if c.name == action), None)
        if role is None:
            roles = check.roles if check else next(a.roles for a in step.actions if a.name == action)
            role = roles[0] if roles else step.role
        result = self.engine.fire(case.id, action, actor=ACTOR, role=role, data=dict(data or {}), at=at)
        self.count("changes")
        if result.step != expect:
            raise Finding(f"{case.id}: {action} at {at:%m-%d %H:%M} went to {result.step}, expected {expect}")
        case.record(data or {}, at)
        if check is not None:
            case.checked(action, at)
        case.move(expect, at)

    def tick(self, at: datetime) -> None:
        """Run out due timers; the cases moved must be those whose timers the book says are due."""
        self.now = at
        expected: dict[str, tuple[datetime, str]] = {}
        for case in self.book.cases.values():
            due = [(when, to) for when, to in case.timers_due() if when <= at] if case.active else []
            if due:
                when, to = min(due)
                expected[case.id] = (max(when, case.last_at), to)
        moved = {c.id: c.step for c in self.engine.tick(at)}
        if set(moved) != set(expected):
            extra, missing = sorted(set(moved) - set(expected)), sorted(set(expected) - set(moved))
            raise Finding(f"tick at {at:%m-%d %H:%M}: moved {extra[:5]} unexpected, missed {missing[:5]}")
        for case_id, (when, to) in expected.items():
            if moved[case_id] != to:
                raise Finding(f"tick: {case_id} went to {moved[case_id]}, expected {to}")
            self.book.cases[case_id].move(to, when)
        self.count("timers", len(moved))

    # -- key persons -------------------------------------------------------------------------------

    def intake(self, case: Shadow, at: datetime, door: Door, arrival: str, *, last_day: bool) -> None:
        """From the lead to the placement the township decides; home placements to observation."""
        self.act(
            case, "lead_logged", "verify_register", at, {"lead_source": "checkpoint", "lead_note": "卡口"}
        )
        if last_day and self.rng.random() < 0.2:
            return  # found today, not yet verified at the cut-off
        registered = {
            "full_name": "登记",
            "address": door.path.split("/", 2)[2],
            "household_id": door.household,
            "temperature": "36.5",
            "symptoms": "no",
            "arrival_date": arrival,
        }
        self.act(case, "registered", "assign_category", at + 30 * MINUTE, registered)
        category = "KP7" if self.rng.random() < 0.6 else "KP5"
        self.act(
            case,
            "categorized",
            "dwelling_assess",
            at + 50 * MINUTE,
            {"category": category},  # the basis date is worked out from the arrival date
        )
        case.dates["basis_date"] = datetime.fromisoformat(arrival).date()
        case.extra["category"] = category
        self.act(case, "assessed", "placement_review", at + 70 * MINUTE, {"home_suitable": "yes"})
        placement = self.rng.choices(("home", "centralized", "registration_only"), (88, 8, 4))[0]
        target = {
            "home": "notice_pledge",
            "centralized": "centralized_transfer",
            "registration_only": "register_only",
        }
        self.act(case, "placement_decided", target[placement], at + 90 * MINUTE, {"placement": placement})
        self.count(f"placed {placement}")
        if placement == "registration_only":
            self.act(case, "recorded", "registered_only", at + 110 * MINUTE)
        elif placement == "home":
            self.home(case, at + 110 * MINUTE)

    def home(self, case: Shadow, at: datetime) -> None:
        self.act(case, "pledge_signed", "care_team", at, {"door_sign": "red", "phone": "13800000000"})
        shared = self.shared_supply(case)
        self.act(case, "team_assigned", "home_observation", at + 20 * MINUTE, {"care_team": "包保组"})
        if shared is None:  # the household's first key person: its daily-needs case is started
            shared = self.book.add(
                Shadow(
                    f"{case.id}.1",
                    self.engine.flows.load(SUPPLY),
                    case.town,
                    case.door,
                    at + 20 * MINUTE,
                    "open_case",
                    at + 20 * MINUTE,
                    at + 20 * MINUTE,
                )
            )
            shared.extra["members"] = set()
            self.supplies[str(case.data.get("household_id"))] = shared
        else:  # a co-resident has it open: this one joins it (one case per household)
            self.count("joined a household's supply case")
        members = cast("set[str]", shared.extra["members"])
        members.add(case.id)
        case.extra["supply"] = shared.id
        watch = {"monitoring_mode": "camera", "camera_id": "CAM"}  # the door watch: a once-check
        if self.rng.random() < 0.05:  # none can be fitted: checked in person instead (a `when:` check)
            watch = {"monitoring_mode": "in_person", "no_camera_reason": "楼道无电源"}
            self.count("checked in person")
        self.act(case, "monitoring_setup", "home_observation", at + 40 * MINUTE, watch)
        if shared.step == "open_case":
            opened = {"members_count": 2, "special_group": "no", "payment_method": "transfer"}
            self.act(shared, "case_opened", "starter_pack", at + 50 * MINUTE, opened)
            self.act(shared, "pack_delivered", "serving", at + 60 * MINUTE, {"starter_pack_given": "yes"})

    def shared_supply(self, case: Shadow) -> Shadow | None:
        """The open daily-needs case of the case's household, if a co-resident is in it."""
        shared = self.supplies.get(str(case.data.get("household_id")))
        if shared is None or not shared.active or not shared.extra["members"]:
            return None  # none, or one every member has left (closing): a new one is started
        return shared

    def leave(self, case: Shadow, at: datetime) -> None:
        """The member leaves its household's daily-needs case: sopflow fires `member_left` there
        with the members still in; at `serving` it goes by the check to closing or back to serving."""
        shared = self.book.cases.get(str(case.extra.pop("supply", "")))
        if shared is None or not shared.active:
            return
        members = cast("set[str]", shared.extra["members"])
        members.discard(case.id)
        if shared.step != "serving":
            return
        when = max(at, shared.last_at)
        shared.record({"members_in": len(members)}, when)
        shared.move("members_check", when)
        shared.move("serving" if members else "close_case", when)

    def slot(self, case: Shadow, at: datetime, late: list[Shadow], *, chance: bool) -> None:
        """The checks the book says `case` owes in the slot at `at` (time of day of an `at:` check
        of its step, as the flow declares them), and the interval checks due by the evening: presence
        by phone and at the door (or in person where no watch could be fitted), disinfection, the
        temperature. With `chance`, a few miss the reading, a few are typed in late from paper, a
        few have a fever or are found out (only where the step has the actions that follow)."""
        step = case.flow.steps[case.step]
        due = case.checks_due()
        now = [c for c in step.checks if c.at and due.get(c.name) == at + c.window]
        if not now:
            return
        names = {c.name for c in now}
        chance = chance and any(a.name == "reading_missing" for a in step.actions)
        if chance and "presence_call" in names and self.rng.random() < 0.004:
            self.violation(case, at)
            return
        for check in now:
            if check.name != "temperature_check":
                self.act(case, check.name, case.step, at, dict.fromkeys(check.requires, "yes"))
        for check in step.checks:
            when = due.get(check.name)
            if check.every is not None and when is not None and when <= at + 12 * HOUR:
                self.act(case, check.name, case.step, at, dict.fromkeys(check.requires, "yes"))
        if "temperature_check" not in names:
            return
        roll = self.rng.random() if chance else 1.0
        window = next(c.window for c in now if c.name == "temperature_check")
        if roll < 0.005:
            self.fever(case, at)
        elif roll < 0.025:
            self.count("missed readings")
            self.act(case, "reading_missing", "missed_reading", at + window, role="liaison_cadre")
            self.act(
                case,
                "reading_taken",
                "home_observation",
                at + window + 30 * MINUTE,
                {"temperature": "36.6", "symptoms": "no"},
            )
        elif roll < 0.055:
            late.append(case)  # on paper: typed in from the checks sheet later
        else:
            self.act(case, "temperature_check", case.step, at, {"temperature": "36.4", "symptoms": "no"})

    def fever(self, case: Shadow, at: datetime) -> None:
        self.count("fevers")
        self.act(case, "temperature_check", "fever_found", at, {"temperature": "38.2", "symptoms": "no"})
        if self.last_day and self.rng.random() < 0.5:
            self.count("fevers not seen to at the cut-off")
            return
        self.act(case, "doctor_notified", "doctor_recheck", at + 10 * MINUTE)
        if self.rng.random() < 0.5:
            self.act(
                case,
                "rechecked",
                "home_observation",
                at + 30 * MINUTE,
                {"temperature": "36.9", "symptoms": "no"},
            )
            return
        self.act(
            case, "rechecked", "fever_report", at + 30 * MINUTE, {"temperature": "38.4", "symptoms": "yes"}
        )
        self.act(case, "reported", "fever_transfer", at + 40 * MINUTE)
        self.act(case, "arrived_at_clinic", "clinic_exam", at + 120 * MINUTE)
        self.act(case, "result_recorded", "return_home", at + 180 * MINUTE, {"clinic_result": "excluded"})
        self.act(case, "back_home", "home_observation", at + 240 * MINUTE)

    def violation(self, case: Shadow, at: datetime) -> None:
        self.count("violations")
        self.act(case, "presence_call", "violation_verify", at, {"present": "no"})
        if self.last_day and self.rng.random() < 0.5:
            self.count("absences not verified at the cut-off")
            return
        if self.rng.random() < 0.3:
            self.act(case, "verified", "home_observation", at + 30 * MINUTE, {"violation_real": "no"})
            return
        self.act(case, "verified", "violation_talk", at + 30 * MINUTE, {"violation_real": "yes"})
        if self.rng.random() < 0.6:
            self.act(case, "repledged", "home_observation", at + 120 * MINUTE)
            return
        self.count("centralized after a violation")
        self.act(case, "to_centralized", "violation_centralize", at + 120 * MINUTE, role="township_hq")
        self.act(case, "complied", "centralized_transfer", at + 180 * MINUTE)
        self.transfer(case, at + 240 * MINUTE)

    # -- the isolation site ------------------------------------------------------------------------

    def transfer(self, case: Shadow, at: datetime) -> None:
        """Handed over at the site: the key-person case waits at `site_stay` while the site's own
        case (started by sopflow at `intake`, with the basis date) is admitted and observed."""
        self.act(case, "transferred", "site_stay", at)
        self.leave(case, at)
        started = [c for c in self.engine.cases(flow_id=SITE, parent_id=case.id) if c.outcome is None]
        if len(started) != 1:
            raise Finding(f"{case.id}: transferred, {len(started)} open site cases started")
        site = self.book.add(
            Shadow(started[0].id, self.engine.flows.load(SITE), case.town, case.door, at, "intake", at, at)
        )
        site.dates["basis_date"] = case.dates["basis_date"]
        site.extra["category"] = case.extra.get("category")
        site.extra["parent"] = case.id
        self.count("taken to a site")
        self.act(site, "admitted", "site_observation", at + 30 * MINUTE, {"room_no": "101"})

    def site_release(self, site: Shadow, at: datetime) -> None:
        """The site's review (a test for KP7), certificate, return home; the key-person case is
        then at `site_handback`, and the community takes the person back into follow-up."""
        fit = {"temperature": "36.5", "symptoms": "no"}
        if site.extra.get("category") == "KP7":
            self.act(site, "reviewed", "exit_test", at, fit)
            self.act(site, "test_done", "certificate", at + 20 * MINUTE, {"exit_test_negative": "yes"})
        else:
            self.act(site, "reviewed", "certificate", at, fit)
        self.act(site, "certificate_issued", "return_home", at + 40 * MINUTE)
        self.act(site, "returned_home", "released_handed_back", at + 90 * MINUTE)
        case = self.book.cases[str(site.extra["parent"])]
        case.move("site_handback", at + 90 * MINUTE)
        self.count("released from a site")
        self.act(case, "taken_back", "post_release_followup", at + 120 * MINUTE)

    def release(self, case: Shadow, at: datetime) -> None:
        """The period is over: review, a test for KP7, approval, release; the supply case closes."""
        fit = {"temperature": "36.5", "symptoms": "no"}
        kp7 = case.extra.get("category") == "KP7"
        approve = "release_test" if kp7 else "release_approve"
        if case.visits("observation_extended"):  # extended before: the doctor gives a reason
            self.act(case, "reviewed", "gaps_review", at, fit)
            self.act(
                case, "release_with_reason", approve, at + 10 * MINUTE, {"gaps_reason": "补充期间按时测温"}
            )
        elif case.missed("temperature_check", at) > case.params["missed_readings_allowed"]:
            self.count("extended: readings missed")
            self.act(case, "reviewed", "observation_extended", at, fit)
            return
        else:
            self.act(case, "reviewed", approve, at, fit)
        if kp7:
            self.act(case, "test_done", "release_approve", at + 20 * MINUTE, {"release_test_negative": "yes"})
        self.act(case, "release_approved", "release_execute", at + 40 * MINUTE)
        self.act(case, "release_done", "post_release_followup", at + 60 * MINUTE)
        self.count("released from home")
        shared = self.book.cases.get(str(case.extra.get("supply", "")))
        self.leave(case, at + 60 * MINUTE)
        if shared is not None and shared.step == "close_case":  # the household's last member
            self.act(shared, "closed", "closed_at_release", at + 80 * MINUTE)

    # -- supply requests and the three-check sweep ------------------------------------------------

    def request(self, number: int, home: Shadow, door: Door, at: datetime) -> None:
        data = {"household_id": door.household, "address": door.path.split("/", 2)[2]}
        case_id = f"SR-{number:06d}"
        self.now = max(self.now, at)
        self.engine.start(REQUEST, case_id, data, actor=ACTOR, role="grid_worker", place=door.path, at=at)
        flow = self.engine.flows.load(REQUEST)
        case = self.book.add(Shadow(case_id, flow, home.town, door.path, at, flow.start, at, at))
        self.count("supply requests")
        if self.rng.random() < 0.15:
            return  # not sorted yet: open, and late once its deadline passes
        self.act(
            case,
            "sorted",
            "purchase",
            at + 10 * MINUTE,
            {"request_type": "groceries", "items": "米面油", "urgent": "no"},
        )

    def deliver(self, case: Shadow, at: datetime) -> None:
        self.act(case, "bought", "deliver", at)
        delivered = {"delivered_at": (at + 30 * MINUTE).isoformat(), "payer": "donated"}
        self.act(case, "delivered", "fulfilled", at + 30 * MINUTE, delivered)

    def visit(self, case: Shadow, door: Door, at: datetime) -> None:
        """The three-check visit of a door: each person's documents seen, in a case of their own
        (occupant_check: document, health, match); once all are done, the door on the map."""
        self.act(case, "team_assigned", "home_visit", at, {"team": "核查组"})
        count = len(door.people)
        self.act(
            case,
            "visited",
            "check_documents" if count else "nobody_home",
            at + 5 * MINUTE,
            {"occupant_count": count},
        )
        if not count:
            self.count("three-check M8")
            self.act(case, "confirmed_empty", "seal_notice", at + 35 * MINUTE)
            self.act(case, "notice_posted", "sealed_watch", at + 40 * MINUTE)
            return
        flow = self.engine.flows.load(OCCUPANT)
        people = []
        for number, person in enumerate(door.people, start=1):
            seen_at = at + (10 + number) * MINUTE
            seen = {"full_name": person.name, "document_type": "id_card", "id_number": person.id_number}
            last = number == len(door.people)  # everyone seen: the visit waits on their checks
            self.act(case, "documents_seen", "await_checks" if last else "check_documents", seen_at, seen)
            child_id = f"{case.id}.{number}"
            people.append(
                self.book.add(
                    Shadow(child_id, flow, case.town, case.door, seen_at, flow.start, seen_at, seen_at)
                )
            )
        # then each person's own check, one after the other (each end is noted on the visit)
        codes = [
            self.occupant(child, at + 20 * number * MINUTE) for number, child in enumerate(people, start=1)
        ]
        if "M4" in codes:  # a discrepancy open: the visit waits for that person's case to end
            return
        done = at + (20 * len(people) + 15) * MINUTE  # the last person's match: everyone checked
        case.move("record_on_map", done)
        self.act(case, "map_updated", "verified_consistent", done + 30 * MINUTE)

    def occupant(self, case: Shadow, at: datetime) -> str:
        """One person's check: the police see the document, the grid worker asks, the match; a
        few are non-local without registration (M4), left open at residence registration."""
        self.act(case, "checked", "health_travel_ask", at + 5 * MINUTE, {"document_ok": "yes"})
        asked = {"temperature": "36.5", "symptoms": "no", "travel_risk": "no"}
        self.act(case, "asked", "three_way_match", at + 10 * MINUTE, asked)
        code = "M4" if self.rng.random() < 0.05 else "M1"
        target = {"M1": "consistent", "M4": "residence_registration"}[code]
        self.act(case, "matched", target, at + 15 * MINUTE, {"match_code": code})
        self.count(f"three-check {code}")
        return code


def flows_used() -> tuple[str, ...]:
    return (KPC, SITE, SUPPLY, REQUEST, SWEEP, OCCUPANT)
