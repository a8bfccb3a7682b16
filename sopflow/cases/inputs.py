"""What callers pass besides field data — case ids, places, who, notes, moments — made tidy and
checked before anything is computed, so that both databases take it and a typo does not make a
second case or a second place.

Staff type on phones with Chinese input methods: full-width digits and slashes, stray spaces. Ids,
roles and places are NFKC-normalised the way codes and numbers are, so `QG-０００１ ` is `QG-0001`
and `前郭镇／东风社区/` is `前郭镇/东风社区`. Names and notes are a person's words: kept as typed.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta, tzinfo

from sopflow.cases.lookalike import imitates_system
from sopflow.errors import CaseError, LookupFailed

MAX_ID = 100  # a registration number, with room to spare
MAX_NAME = 200  # a place path, a person's name or a role (the store's columns hold 200)
MAX_TEXT = 10_000  # a note or a text field: a line or a few sentences
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200  # outside these a date is a typo (and 9999 overflows)
CLOCK_SKEW = timedelta(minutes=5)  # a time this far ahead of the engine's clock is still "now"


def tidy(text: str) -> str:
    """NFKC (full-width to half-width) and no spaces at the ends."""
    return unicodedata.normalize("NFKC", text).strip()


def has_control(text: str, *, newlines: bool = False) -> bool:
    """Characters no one types on purpose: controls (NUL, escape; PostgreSQL refuses NUL), format
    characters (zero-width space, right-to-left override, BOM: they make two ids look alike or
    turn a line around) and lone surrogates (bytes that were not UTF-8)."""
    if text.isprintable():  # C speed, and true of nearly every text: no Cc, Cf or Cs in it
        return False
    allowed = "\n\t" if newlines else ""
    return any(unicodedata.category(c) in _UNTYPED and c not in allowed for c in text)


_UNTYPED = frozenset({"Cc", "Cf", "Cs"})


def lookup_id(raw: str) -> str:
    """A case id to look a case up by, tidied; one no case can have (a control or invisible
    character, bytes that were not UTF-8) is unknown, and never reaches the database."""
    value = tidy(raw)
    if has_control(value):
        raise LookupFailed("case.unknown", case=visible(value))
    return value


def visible(text: str) -> str:
    """`text` with each character no one types shown as its code (F-⟨U+200B⟩7): echoed as it
    is, a zero-width space looks like nothing and a direction mark turns the message around."""
    if not has_control(text):
        return text
    return "".join(f"⟨U+{ord(c):04X}⟩" if unicodedata.category(c) in _UNTYPED else c for c in text)


def case_id(raw: str) -> str:
    """A case id as staff mean it: `QG-０００１ ` is `QG-0001`. No spaces inside (it is typed into
    commands), no leading '-' (it would read as an option), at most MAX_ID characters."""
    value = tidy(raw)
    if has_control(value):
        raise CaseError("case.id_control_char", value=visible(value[:MAX_ID]))
    bad = not value or len(value) > MAX_ID or value.startswith("-") or any(c.isspace() for c in value)
    if bad:
        raise CaseError("case.bad_id", value=raw if len(raw) <= MAX_ID else raw[:MAX_ID] + "…", limit=MAX_ID)
    return value


def place(raw: str | None, *, case: str = "-") -> str | None:
    """A place path `town/community/building`: parts tidied, empty parts dropped; None if blank."""
    if raw is None:
        return None
    parts = [tidy(p) for p in tidy(raw).split("/")]
    value = "/".join(p for p in parts if p)
    if not value:
        return None
    _check_name("place", value, case)
    return value


def actor(raw: str, *, case: str = "-") -> str:
    """Who did it: a name is needed (the history answers 'who'), within MAX_NAME characters. A
    name is kept as written (only spaces at its ends go: they come from typing, not from it)."""
    if not isinstance(raw, str):
        raise CaseError("case.no_actor", case=case)
    value = raw.strip()
    if not value:
        raise CaseError("case.no_actor", case=case)
    _check_name("actor", value, case)
    if imitates_system(value):  # `System`, `sуstem` (Cyrillic у), `case QG-0001`
        raise CaseError("case.system_actor", case=case, actor=value)
    return value


def worker(raw: str | None, *, case: str = "-") -> str | None:
    """A named worker a case is assigned to, tidied (None or blank: nobody)."""
    if raw is None or not tidy(raw):
        return None
    value = tidy(raw)
    if imitates_system(value):
        raise CaseError("case.system_actor", case=case, actor=value)
    _check_name("worker", value, case)
    return value


def role(raw: str | None, *, case: str = "-") -> str | None:
    """A role id, tidied; blank means none."""
    if raw is None:
        return None
    value = tidy(raw)
    if not value:
        return None
    _check_name("role", value, case)
    return value


def note(raw: str | None, *, case: str = "-") -> str | None:
    """A note: any text, with line breaks, up to MAX_TEXT characters; blank means none."""
    if raw is None or not raw.strip():
        return None
    if len(raw) > MAX_TEXT:
        raise CaseError("case.too_long", case=case, what="note", limit=MAX_TEXT)
    if has_control(raw, newlines=True):
        raise CaseError("case.control_char", case=case, what="note")
    return raw


def moment(at: datetime, tz: tzinfo, now: datetime, *, case: str = "-") -> datetime:
    """When something was done, in UTC. A time without a zone is the engine's local time. A time
    in the future (beyond a few minutes of clock difference between machines) or outside the
    years 1900-2200 is a typo: refused."""
    local = at if at.tzinfo is not None else at.replace(tzinfo=tz)
    if not EARLIEST_YEAR <= local.year <= LATEST_YEAR:
        raise CaseError("case.bad_time", case=case, at=local.isoformat(sep=" ", timespec="minutes"))
    moment = local.astimezone(UTC)
    if moment > now + CLOCK_SKEW:
        raise CaseError("case.in_future", case=case, at=local_text(moment, tz), now=local_text(now, tz))
    return moment


def as_utc(at: datetime, tz: tzinfo) -> datetime:
    """A moment to look at (`due`, `tick`), in UTC: a time without a zone is the engine's local
    time. Outside the years 1900-2200 it is a typo (and datetime.max would overflow): refused."""
    local = at if at.tzinfo is not None else at.replace(tzinfo=tz)
    if not EARLIEST_YEAR <= local.year <= LATEST_YEAR:
        raise CaseError("moment.out_of_range", at=local.isoformat(sep=" ", timespec="minutes"))
    return local.astimezone(UTC)


def _check_name(what: str, value: str, case: str) -> None:
    if len(value) > MAX_NAME:
        raise CaseError("case.too_long", case=case, what=what, limit=MAX_NAME)
    if has_control(value):
        raise CaseError("case.control_char", case=case, what=what)


def local_text(at: datetime, tz: tzinfo) -> str:
    """A moment as staff read it: local time to the minute, 2020-02-03 08:00."""
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def not_ahead(moment: datetime, now: datetime, tz: tzinfo, *, drill: bool) -> datetime:
    """A moment to run timers or list work at. Ahead of `now` (beyond CLOCK_SKEW, the slack an
    entry's time has) it would run timers out early, for good: refused, except in a drill store,
    where a training day is played forward."""
    if moment > now + CLOCK_SKEW and not drill:
        raise CaseError("clock.ahead", at=local_text(moment, tz), now=local_text(now, tz))
    return moment


def change_time(now: datetime, last: datetime | None) -> datetime:
    """The time of a change given none, from `now` read once the change holds its case: never
    before the case's `last` entry (another machine's clock may be a little ahead), nor more
    than CLOCK_SKEW after now (a case dated far ahead is then refused, not followed)."""
    return now if last is None else min(max(now, last), now + CLOCK_SKEW)
