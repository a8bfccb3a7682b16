"""The case sheet: one printable page for one case — who and where, where it stands, what to do
next and by when, and its history. It takes a CaseSheetView (plain data an Engine made), never
the Engine or its store; personal data comes masked unless the view was made with it shown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from sopflow.cases.inputs import local_text
from sopflow.cases.privacy import mask_value
from sopflow.engine.due_views import DueView
from sopflow.engine.sheet_views import CaseSheetView
from sopflow.engine.views import EventView, OfferView, local
from sopflow.i18n import aside, duration_words, say
from sopflow.language.model import Action, Branch, Check, FieldType, Flow, Timer
from sopflow.language.wording import call_words, condition_words, value_words
from sopflow.render.checkgrid import check_grid
from sopflow.render.handbook import Handbook
from sopflow.render.html import render_page


def case_sheet_html(view: CaseSheetView, lang: str) -> str:
    """One printable A4 page for one case: who and where, where it stands, what to do next and by
    when, and its history (masked as the view is)."""
    flow, detail = view.flow, view.detail
    book = Handbook(flow, lang)
    sheet = _Sheet(flow, lang, book, view.show_personal, view.tz)
    step = flow.steps[detail["step"]]
    active = detail["status"] == "active"
    offers = [sheet.offer(o) for o in detail["offers"]]
    interrupts = {i.name for i in flow.interrupts}  # taken from any step: said once, in one line
    anywhere = [o for o in offers if o["name"] in interrupts and o["available"]]
    timed = {
        d["name"] for d in detail["due"] if d["kind"] == "check"
    }  # in the due table, with what to fill in
    checks = {o["name"]: o for o in offers if o["kind"] == "check" and o["name"] in timed}
    done = {c.name for c in step.checks if c.once and c.name not in timed}  # a set-up made already
    return render_page(
        "case_sheet.html.j2",
        lang,
        case=detail,
        flow_title=flow.text(flow.title, lang),
        printed_at=local(view.printed_at, view.tz),
        show_personal=view.show_personal,
        who=sheet.data_rows(detail["data"]),
        active=active,
        step_number=book.numbers[step.id],
        since=local(view.entered_at, view.tz),
        documents=[flow.text(d, lang) for d in step.documents] if active else [],
        offers=[o for o in offers if o not in anywhere and o["name"] not in checks and _to_do(o, done)],
        anywhere=anywhere,
        due=[sheet.due(d, checks) for d in detail["due"]],
        history=[sheet.event(e) for e in detail["history"]],
        checks=check_grid(
            detail["checks"], detail["history"], local_text(view.printed_at, view.tz), ended=not active
        ),
    )


def _to_do(offer: Mapping[str, Any], done: set[str]) -> bool:
    """Whether an offer belongs in the to-do table: a check that is not owed now is not (a `when:`
    check whose condition does not hold, such as in-person checks while a camera watches; a
    once-check made already, such as setting up the door watch)."""
    return offer["kind"] != "check" or (bool(offer["available"]) and offer["name"] not in done)


@dataclass
class _Sheet:
    """The sheet's words for the parts of a case view."""

    flow: Flow
    lang: str
    book: Handbook
    show_personal: bool
    tz: tzinfo

    def w(self, code: str, **params: object) -> str:
        return say(code, self.lang, **params)

    def actor(self, name: str) -> str:
        """Who did it, as case_detail gives it (masked unless show_personal); the system in words."""
        return self.w("word.system") if name == "system" else name

    def label(self, name: str) -> str:
        spec = self.flow.fields.get(name)
        return self.flow.text(spec.label, self.lang) or name if spec else name

    def shown(self, name: str, value: Any) -> str:
        spec = self.flow.fields.get(name)
        if spec is not None and spec.type is FieldType.DATETIME and isinstance(value, str):
            try:
                return local(datetime.fromisoformat(value), self.tz) or value
            except ValueError:
                return value  # masked
        return value_words(spec, value, self.lang)

    def data_rows(self, data: Mapping[str, Any]) -> list[dict[str, str]]:
        ordered = [n for n in self.flow.fields if n in data] + [n for n in data if n not in self.flow.fields]
        return [{"label": self.label(n), "value": self.shown(n, data[n])} for n in ordered]

    def offer(self, offer: OfferView) -> dict[str, Any]:
        if offer["kind"] == "check":
            goes_to = self.w("offer.check")
        elif offer["to"]:
            goes_to = self.book.target(offer["to"])
        else:
            goes_to = self.w("offer.stays")
        needs = self.book.fields(offer["requires"])
        if offer["accepts"]:
            needs = "; ".join(
                [p for p in (needs, self.w("way.may_add", fields=self.book.fields(offer["accepts"]))) if p]
            )
        return {
            "label": offer["label"],
            "name": offer["name"],
            "kind": offer["kind"],
            "goes_to": goes_to,
            "roles": self.book.roles(offer["roles"]),
            "needs": needs,
            "available": offer["available"],
            "reason": self.not_now(offer),
        }

    def not_now(self, offer: OfferView) -> str:
        """Why an action is not available: its condition in words, and what stops deciding it."""
        if not offer["reason"]:
            return ""
        text = self.w("offer.not_now", condition=condition_words(self.flow, offer["reason"], self.lang))
        if offer["problem"]:
            text += aside(offer["problem"], self.lang)
        return text

    def due(self, item: DueView, checks: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        """A row of the due table; a check's row says what it asks for (`checks`: the check
        offers, left out of the to-do table so that each check is one row)."""
        check = checks.get(item["name"]) if item["kind"] == "check" else None
        return {
            "what": self.w(f"due.{item['kind']}", label=item["label"]),
            "at": item["due_at"],
            "overdue": item["overdue"],
            "roles": self.book.roles(item["roles"]),
            "needs": check["needs"] if check else "",
        }

    def way_label(self, step_id: str | None, name: str) -> str:
        step = self.flow.steps.get(step_id) if step_id else None
        if step is not None:
            items: list[Action | Check | Branch | Timer] = [
                *step.actions,
                *step.checks,
                *step.branches,
                *step.timers,
            ]
            for item in items:
                if item.name == name and item.label:
                    return self.flow.text(item.label, self.lang)
        return name

    def what(self, event: EventView) -> str:
        kind, name = event["kind"], event["name"]
        if kind == "start":
            return self.w("event.start")
        if kind == "child":  # the engine's words name the child flow by its title
            return event["what"]
        if kind == "next":
            return self.w("event.next")
        if kind == "outcome":
            return self.w("event.outcome", label=name)
        if kind == "alert" and (event["why"] or {}).get("kind") == "late_entry":
            kind = "alert_late"
        return self.w(f"event.{kind}", label=self.way_label(event["from"], name))

    def masked(self, name: str, value: Any) -> Any:
        return value if self.show_personal else mask_value(self.flow.fields.get(name), value)

    def values(self, values: Mapping[str, Any]) -> str:
        sep = self.w("cond.list_sep")
        return sep.join(
            f"{self.book_name(n)} = {self.shown(n, self.masked(n, v))}" for n, v in values.items()
        )

    def book_name(self, name: str) -> str:
        if name in self.flow.params:
            return self.flow.text(self.flow.params[name].label, self.lang) or name
        if name.endswith(")"):  # a count a rule read from the history: children("occupant_check")
            return call_words(self.flow, name, self.lang)
        return self.label(name)

    def why(self, event: EventView) -> str:
        why = event["why"]
        if not why:
            return ""
        if "guard" in why:
            return self.w(
                "why.guard",
                condition=condition_words(self.flow, why["guard"], self.lang),
                values=self.values(why.get("values", {})),
            )
        if why.get("default"):
            seen: dict[str, Any] = {}
            for tried in why.get("tried", []):
                seen.update(tried.get("values", {}))
            return self.w("why.default", values=self.values(seen))
        if event["kind"] == "timer":
            start = why.get("from", "entered")
            start_words = self.w("way.entering") if start == "entered" else self.label(start)
            after = self._timer_after(event)
            return self.w("why.timer", after=after, start=start_words)
        if event["kind"] == "escalate":
            return self.w("why.escalate", values=self.values(why))
        return ""

    def _timer_after(self, event: EventView) -> str:
        step = self.flow.steps.get(event["from"] or "")
        for timer in step.timers if step else ():
            if timer.name == event["name"]:
                return duration_words(timer.after, self.lang)
        return str((event["why"] or {}).get("after", ""))

    def event(self, event: EventView) -> dict[str, Any]:
        move = ""
        if event["to"]:
            move = self.w("event.move", from_=event["from_label"] or "", to=event["to_label"] or "").strip()
        shown = {} if event["kind"] == "amend" else event["changes"]  # an amendment says it in words
        changes = [f"{self.label(name)} = {self.shown(name, new)}" for name, (_old, new) in shown.items()]
        role = event["role"]
        return {
            "seq": event["seq"],
            "at": event["at"],
            "actor": self.actor(event["actor"]),
            "role": self.book.roles([role]) if role else "",
            "what": self.what(event),
            "move": move,
            "changes": changes,
            "note": event["note"] or "",
            "why": self.why(event) if event["summary"] is None else event["summary"],
            "corrected": self.corrected(event),
        }

    def corrected(self, event: EventView) -> str:
        """An entry corrected later says where: its values here are as first entered. A check
        entered late says when and by whom."""
        late = event["entered_late"] or ""
        if not event["corrected_in"]:
            return late
        seqs = ", ".join(f"#{n}" for n in event["corrected_in"])
        return " ".join(filter(None, (self.w("history.corrected_in", seqs=seqs), late)))
